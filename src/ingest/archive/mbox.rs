//! mbox (mboxo/mboxrd): messages separated by `From ` lines; `>From ` quoting is undone.
//! Streams the file: memory stays at one message.

use super::ImportError;
use crate::domain::Direction;
use crate::ingest::{RawItem, RawKind};
use std::io::BufRead;
use std::path::PathBuf;

/// Reads an mbox file one message at a time.
pub struct MboxReader<R> {
    reader: R,
    path: PathBuf,
    source: String,
    pending_from: bool,
    number: u64,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// A reader over `reader`; `path` is named in errors, `source` in sightings.
    pub fn new(reader: R, path: PathBuf, source: &str) -> Self {
        Self {
            reader,
            path,
            source: source.to_string(),
            pending_from: false,
            number: 0,
            done: false,
        }
    }

    fn next_message(&mut self) -> Result<Option<Vec<u8>>, ImportError> {
        let mut message = Vec::new();
        let mut line = Vec::new();
        let mut started = self.pending_from;
        loop {
            line.clear();
            let read =
                self.reader
                    .read_until(b'\n', &mut line)
                    .map_err(|source| ImportError::Io {
                        path: self.path.clone(),
                        source,
                    })?;
            if read == 0 {
                self.done = true;
                return Ok(started.then_some(message));
            }
            if line.starts_with(b"From ") {
                if started {
                    self.pending_from = true;
                    return Ok(Some(message));
                }
                started = true;
                continue;
            }
            if !started {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue; // blank lines before the first separator
                }
                return Err(ImportError::NotMbox {
                    path: self.path.clone(),
                });
            }
            let unquoted = match line.iter().position(|b| *b != b'>') {
                Some(n) if n > 0 && line[n..].starts_with(b"From ") => &line[1..],
                _ => &line[..],
            };
            message.extend_from_slice(unquoted);
        }
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<RawItem, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_message() {
            Ok(Some(mut bytes)) => {
                // The blank line before the next separator belongs to the format.
                if bytes.ends_with(b"\n\n") {
                    bytes.pop();
                }
                self.number += 1;
                Some(Ok(RawItem {
                    kind: RawKind::Email,
                    source: self.source.clone(),
                    locator: format!("message-{}", self.number),
                    bytes,
                    received_at: None,
                    direction: Direction::Inbound,
                    oversized: None,
                }))
            }
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<String> {
        MboxReader::new(text.as_bytes(), PathBuf::from("t.mbox"), "mbox")
            .map(|r| String::from_utf8(r.expect("readable").bytes).expect("utf8"))
            .collect()
    }

    #[test]
    fn splits_on_from_lines_and_unquotes() {
        let text = "From a@b Mon Jan 1 00:00:00 2024\nSubject: one\n\n>From here\n\nFrom c@d Tue Jan 2 00:00:00 2024\nSubject: two\n\nbody\n";
        let messages = read(text);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0], "Subject: one\n\nFrom here\n");
        assert_eq!(messages[1], "Subject: two\n\nbody\n");
    }

    #[test]
    fn empty_file_has_no_messages() {
        assert!(read("").is_empty());
        assert!(read("\n\n").is_empty());
    }

    #[test]
    fn a_file_that_does_not_start_with_a_from_line_is_not_an_mbox() {
        for text in [
            "Subject: a lone message\n\nFrom here on, text\n",
            "junk before any separator\nFrom a@b Mon Jan 1 00:00:00 2024\n\nx\n",
        ] {
            let mut reader = MboxReader::new(text.as_bytes(), PathBuf::from("inbox.eml"), "mbox");
            let err = match reader.next() {
                Some(Err(e)) => e.to_string(),
                other => panic!("{text:?}: expected an error, got {other:?}"),
            };
            assert!(
                err.contains("inbox.eml") && err.contains("does not start with a `From ` line"),
                "{err}"
            );
            assert!(reader.next().is_none(), "reading stops after the error");
        }
    }
}

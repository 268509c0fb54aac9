//! The IMAP source's own checkpoint cursor: `UIDVALIDITY:last UID:HIGHESTMODSEQ`. The store
//! keeps it as opaque text; only this module writes and reads it.

use crate::store::Checkpoint;

/// Where a folder's sync has reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImapCursor {
    /// The folder's UIDVALIDITY when the cursor was written.
    pub uid_validity: i64,
    /// Highest UID stored.
    pub last_uid: i64,
    /// HIGHESTMODSEQ, when the server offers it.
    pub highest_modseq: Option<i64>,
}

impl ImapCursor {
    /// The checkpoint for `source` at this cursor.
    pub fn checkpoint(&self, source: &str) -> Checkpoint {
        Checkpoint {
            source: source.to_string(),
            cursor: format!(
                "{}:{}:{}",
                self.uid_validity,
                self.last_uid,
                self.highest_modseq.map_or(String::new(), |m| m.to_string())
            ),
        }
    }

    /// Reads a stored checkpoint; `None` when it was not written by the IMAP source (the
    /// folder is then read from the start, which de-duplication makes harmless).
    pub fn from_checkpoint(checkpoint: &Checkpoint) -> Option<Self> {
        let mut fields = checkpoint.cursor.split(':');
        let uid_validity = fields.next()?.parse().ok()?;
        let last_uid = fields.next()?.parse().ok()?;
        let highest_modseq = match fields.next()? {
            "" => None,
            m => Some(m.parse().ok()?),
        };
        fields.next().is_none().then_some(Self {
            uid_validity,
            last_uid,
            highest_modseq,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_modseq() {
        for cursor in [
            ImapCursor {
                uid_validity: 7,
                last_uid: 42,
                highest_modseq: Some(99),
            },
            ImapCursor {
                uid_validity: 1,
                last_uid: 0,
                highest_modseq: None,
            },
        ] {
            let cp = cursor.checkpoint("imap:a/INBOX");
            assert_eq!(ImapCursor::from_checkpoint(&cp), Some(cursor));
        }
    }

    #[test]
    fn foreign_cursors_are_not_read() {
        for text in ["", "file.csv#12", "1:2", "1:2:3:4", "a:b:"] {
            let cp = Checkpoint {
                source: "x".into(),
                cursor: text.into(),
            };
            assert_eq!(ImapCursor::from_checkpoint(&cp), None, "{text:?}");
        }
    }
}

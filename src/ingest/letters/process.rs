//! Child processes with a deadline: each tool runs in the scan's scratch folder with its
//! output in files there (no pipe can fill and stall it), `OMP_THREAD_LIMIT=1`, and is killed
//! once its time is up. A missing program is [`ScanError::ToolMissing`].

use super::scan::{ScanError, ScanKind};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One tool run: its name for messages, the deadline and what counts as a timeout.
pub(crate) struct Run<'a> {
    /// The scan's file name, for messages.
    pub file: &'a str,
    /// The scratch folder the tool works in.
    pub scratch: &'a Path,
    /// Seconds before the tool is killed.
    pub secs: u64,
    /// The page being worked on; a tesseract past its deadline is an OCR timeout of it.
    pub page: Option<u32>,
}

impl Run<'_> {
    /// Runs `program args…` with stdout and stderr to files in the scratch folder; kills it
    /// past the deadline. Returns stdout.
    pub(crate) fn run(&self, program: &Path, args: &[&str]) -> Result<String, ScanError> {
        let tool = program.display().to_string();
        let tag = format!("{}-{}", self.page.unwrap_or(0), tool.replace('/', "_"));
        let out_path = self.scratch.join(format!("{tag}.out"));
        let err_path = self.scratch.join(format!("{tag}.err"));
        let scratch_err = |source| ScanError::Scratch {
            file: self.file.to_string(),
            source,
        };
        let stdout = File::create(&out_path).map_err(scratch_err)?;
        let stderr = File::create(&err_path).map_err(scratch_err)?;
        let mut child = Command::new(program)
            .args(args)
            .current_dir(self.scratch)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => ScanError::ToolMissing { tool: tool.clone() },
                _ => ScanError::ToolFailed {
                    file: self.file.to_string(),
                    tool: tool.clone(),
                    reason: format!("could not start it: {e}"),
                },
            })?;
        let deadline = Instant::now() + Duration::from_secs(self.secs);
        // Polled from 1 ms, doubling up to 20 ms: a text-layer PDF's tools finish in a few
        // milliseconds, and a fixed 20 ms poll had made them wait 20 ms each.
        let mut pause = Duration::from_millis(1);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    // Already exited or killed: either way it is gone once waited for.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(match self.page {
                        Some(page) if program.ends_with("tesseract") => ScanError::OcrTimeout {
                            file: self.file.to_string(),
                            page,
                            secs: self.secs,
                        },
                        _ => ScanError::ToolTimeout {
                            file: self.file.to_string(),
                            tool,
                            secs: self.secs,
                        },
                    });
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                Err(e) => {
                    return Err(ScanError::ToolFailed {
                        file: self.file.to_string(),
                        tool,
                        reason: format!("could not wait for it: {e}"),
                    })
                }
            }
        };
        let read =
            |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
        if !status.success() {
            let err = read(&err_path);
            let reason: Vec<&str> = err
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(3)
                .collect();
            let reason = if reason.is_empty() {
                status.to_string()
            } else {
                reason.join("; ")
            };
            return Err(ScanError::ToolFailed {
                file: self.file.to_string(),
                tool,
                reason,
            });
        }
        Ok(read(&out_path))
    }
}

pub(crate) fn scratch(file: &str) -> Result<tempfile::TempDir, ScanError> {
    tempfile::Builder::new()
        .prefix("tidings-letter-")
        .tempdir()
        .map_err(|source| ScanError::Scratch {
            file: file.to_string(),
            source,
        })
}

pub(crate) fn write_input(
    dir: &Path,
    kind: ScanKind,
    bytes: &[u8],
    file: &str,
) -> Result<PathBuf, ScanError> {
    let path = dir.join(format!("input.{}", kind.extension()));
    std::fs::write(&path, bytes).map_err(|source| ScanError::Scratch {
        file: file.to_string(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_scratch<T>(secs: u64, page: Option<u32>, f: impl FnOnce(&Run<'_>) -> T) -> T {
        let dir = scratch("x.png").expect("a scratch folder");
        let run = Run {
            file: "x.png",
            scratch: dir.path(),
            secs,
            page,
        };
        f(&run)
    }

    #[test]
    fn stdout_is_returned() {
        let out = in_scratch(10, None, |r| {
            r.run(Path::new("sh"), &["-c", "echo page text"])
        });
        assert_eq!(out.expect("sh runs"), "page text\n");
    }

    #[test]
    fn a_failure_carries_its_error_output() {
        let out = in_scratch(10, None, |r| {
            r.run(Path::new("sh"), &["-c", "echo bad input >&2; exit 3"])
        });
        match out {
            Err(ScanError::ToolFailed { reason, file, .. }) => {
                assert_eq!(reason, "bad input");
                assert_eq!(file, "x.png");
            }
            other => panic!("expected ToolFailed, got {other:?}"),
        }
    }

    #[test]
    fn a_tool_past_its_deadline_is_killed() {
        let started = Instant::now();
        let out = in_scratch(1, None, |r| r.run(Path::new("sleep"), &["30"]));
        assert!(
            matches!(out, Err(ScanError::ToolTimeout { secs: 1, .. })),
            "{out:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_is_tool_missing() {
        let out = in_scratch(10, None, |r| r.run(Path::new("/nonexistent/pdftoppm"), &[]));
        assert!(matches!(out, Err(ScanError::ToolMissing { .. })), "{out:?}");
    }
}

//! IDLE (RFC 2177): wait for new mail, then end with DONE.

use super::error::Tagged;
use super::wire::{classify, read_within, send, timed, Step};
use super::{IdleOutcome, ImapConnection, ImapError};
use std::time::Duration;
use tokio::time::Instant;

impl ImapConnection {
    /// Waits in IDLE until the server reports new messages (EXISTS/RECENT) or `max` passes
    /// (capped at 28 minutes), then ends IDLE with DONE and waits for its OK. Returns
    /// `NewData` at once if messages arrived during an earlier command. Errors if the
    /// server lacks IDLE (check [`Self::supports_idle`] and poll instead).
    pub async fn idle_wait(mut self, max: Duration) -> Result<(Self, IdleOutcome), ImapError> {
        self.usable()?;
        if !self.supports_idle() {
            return Err(ImapError::Protocol {
                command: "IDLE".to_string(),
                detail: "the server does not offer IDLE; set idle = false to poll".to_string(),
            });
        }
        self.drain_unsolicited();
        if std::mem::take(&mut self.tracker.new_data) {
            return Ok((self, IdleOutcome::NewData));
        }
        let result = self.idle_once(max.min(Duration::from_secs(28 * 60))).await;
        let outcome = self.note(result)?;
        Ok((self, outcome))
    }

    async fn idle_once(&mut self, max: Duration) -> Result<IdleOutcome, ImapError> {
        let limit = self.timeout;
        let tag = send(&mut self.session, limit, "IDLE", "IDLE").await?;
        let mut news = false;
        loop {
            let tracker = &mut self.tracker;
            let step = read_within(&mut self.session, limit, |response| {
                classify(response, &tag, |other| news |= tracker.observe(other))
            });
            match step.await? {
                Some(Step::Continue) => break,
                Some(Step::Done(refused)) => {
                    refused.into_result("IDLE", "set idle = false to poll instead")?;
                    return Err(ImapError::Protocol {
                        command: "IDLE".to_string(),
                        detail: "the server ended IDLE before it began".to_string(),
                    });
                }
                Some(Step::Bye(text)) => return Err(ImapError::bye(&text)),
                Some(Step::More) => {}
                None => return Err(self.timed_out("IDLE")),
            }
        }
        let deadline = Instant::now() + max;
        while !news {
            let left = deadline.saturating_duration_since(Instant::now());
            let tracker = &mut self.tracker;
            let step = read_within(&mut self.session, left, |response| {
                classify(response, &tag, |other| news |= tracker.observe(other))
            });
            match step.await? {
                None => break,
                Some(Step::Bye(text)) => return Err(ImapError::bye(&text)),
                Some(Step::Done(tagged)) => {
                    tagged.into_result("IDLE", "the server ended IDLE by itself")?;
                    return Ok(IdleOutcome::NewData); // ended early: let the caller look
                }
                // Keepalives, flag changes, expunges: keep waiting.
                Some(Step::Continue | Step::More) => {}
            }
        }
        let done = self.session.run_command_untagged("DONE");
        let done = timed(limit, "DONE", done).await?;
        done.map_err(|e| super::error::lib_error("DONE", e))?;
        // News that arrives with DONE sets tracker.new_data for the next idle_wait.
        let tagged: Tagged = self.until_tagged(&tag, "DONE", |_| {}).await?;
        tagged.into_result("IDLE", "set idle = false to poll instead")?;
        Ok(if news {
            IdleOutcome::NewData
        } else {
            IdleOutcome::TimedOut
        })
    }
}

//! Running one command: send it, read each response within the timeout, track unsolicited
//! mailbox news, and mark the connection unusable after transport failures.

use super::error::{lib_error, Tagged};
use super::{ImapConnection, ImapError};
use crate::ingest::imap::tls::Transport;
use async_imap::imap_proto::{MailboxDatum, Outcome, RequestId, Response, Status};
use async_imap::types::UnsolicitedResponse;
use async_imap::Session;
use std::future::Future;
use std::time::Duration;

/// Message count of the examined folder as the server last reported it.
#[derive(Debug, Default)]
pub(super) struct Tracker {
    pub(super) exists: u32,
    /// Messages were added since the last listing.
    pub(super) new_data: bool,
}

impl Tracker {
    /// Notes mailbox size changes; true if the response was EXISTS or RECENT > 0.
    pub(super) fn observe(&mut self, response: &Response<'_>) -> bool {
        match response {
            Response::MailboxData(MailboxDatum::Exists(n)) => {
                self.new_data |= *n > self.exists;
                self.exists = *n;
                true
            }
            Response::MailboxData(MailboxDatum::Recent(n)) => {
                self.new_data |= *n > 0;
                *n > 0
            }
            Response::Expunge(_) => {
                self.exists = self.exists.saturating_sub(1);
                false
            }
            _ => false,
        }
    }
}

/// What one response meant to a running command.
pub(super) enum Step {
    Continue,
    Done(Tagged),
    Bye(String),
    More,
}

impl ImapConnection {
    /// Runs one tagged command, handing each untagged response to `on_data`, and returns
    /// the tagged status. Each response must arrive within the timeout.
    pub(super) async fn command<F>(
        &mut self,
        label: &str,
        command: &str,
        on_data: F,
    ) -> Result<Tagged, ImapError>
    where
        F: FnMut(&Response<'_>),
    {
        self.usable()?;
        let result = match send(&mut self.session, self.timeout, label, command).await {
            Ok(tag) => self.until_tagged(&tag, label, on_data).await,
            Err(e) => Err(e),
        };
        self.note(result)
    }

    /// Reads responses until the tagged reply to `tag`.
    pub(super) async fn until_tagged<F>(
        &mut self,
        tag: &RequestId,
        label: &str,
        mut on_data: F,
    ) -> Result<Tagged, ImapError>
    where
        F: FnMut(&Response<'_>),
    {
        loop {
            let tracker = &mut self.tracker;
            let step = read_within(&mut self.session, self.timeout, |response| {
                classify(response, tag, |other| {
                    tracker.observe(other);
                    on_data(other);
                })
            });
            match step.await? {
                Some(Step::Done(tagged)) => return Ok(tagged),
                Some(Step::Bye(text)) => return Err(ImapError::bye(&text)),
                Some(Step::Continue | Step::More) => {}
                None => return Err(self.timed_out(label)),
            }
        }
    }

    pub(super) fn timed_out(&self, what: &str) -> ImapError {
        ImapError::Timeout {
            what: what.to_string(),
            after: self.timeout,
        }
    }

    /// Marks the connection unusable if `result` is a transport failure.
    pub(super) fn note<T>(&mut self, result: Result<T, ImapError>) -> Result<T, ImapError> {
        if let Err(e) = &result {
            if e.breaks_connection() {
                self.broken = Some(e.to_string());
            }
        }
        result
    }

    /// Converts the result of an async-imap call, as [`Self::note`] does.
    pub(super) fn settle<T>(
        &mut self,
        result: Result<Result<T, async_imap::error::Error>, ImapError>,
        label: &str,
    ) -> Result<T, ImapError> {
        self.note(result.and_then(|r| r.map_err(|e| lib_error(label, e))))
    }

    pub(super) fn usable(&self) -> Result<(), ImapError> {
        match &self.broken {
            None => Ok(()),
            Some(why) => Err(ImapError::Closed {
                detail: format!("unusable after an earlier error: {why}"),
            }),
        }
    }

    /// Empties async-imap's unsolicited queue (it keeps 100 and drops the rest).
    pub(super) fn drain_unsolicited(&mut self) {
        while let Ok(response) = self.session.unsolicited_responses.try_recv() {
            let tracker = &mut self.tracker;
            match response {
                UnsolicitedResponse::Exists(n) => {
                    tracker.new_data |= n > tracker.exists;
                    tracker.exists = n;
                }
                UnsolicitedResponse::Recent(n) => tracker.new_data |= n > 0,
                UnsolicitedResponse::Expunge(_) => {
                    tracker.exists = tracker.exists.saturating_sub(1);
                }
                _ => {}
            }
        }
    }
}

/// Sorts a response into continuation, our tagged reply, BYE, or other (handed to `other`).
pub(super) fn classify(
    response: &Response<'_>,
    tag: &RequestId,
    other: impl FnOnce(&Response<'_>),
) -> Step {
    match response {
        Response::Continue(_) => Step::Continue,
        Response::Done {
            tag: t,
            status,
            outcome,
        } if t == tag => Step::Done(Tagged::new(status, outcome)),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Step::Bye(text(outcome)),
        response => {
            other(response);
            Step::More
        }
    }
}

pub(super) async fn timed<F: Future>(
    limit: Duration,
    what: &str,
    future: F,
) -> Result<F::Output, ImapError> {
    tokio::time::timeout(limit, future)
        .await
        .map_err(|_| ImapError::Timeout {
            what: what.to_string(),
            after: limit,
        })
}

pub(super) async fn send(
    session: &mut Session<Transport>,
    limit: Duration,
    label: &str,
    command: &str,
) -> Result<RequestId, ImapError> {
    timed(limit, label, session.run_command(command))
        .await?
        .map_err(|e| lib_error(label, e))
}

/// Reads one response within `limit` and hands it to `f`; `Ok(None)` if none came in time.
/// (async-imap's response type cannot be named outside it, hence the callback.)
pub(super) async fn read_within<R>(
    session: &mut Session<Transport>,
    limit: Duration,
    f: impl FnOnce(&Response<'_>) -> R,
) -> Result<Option<R>, ImapError> {
    let closed = |detail: String| Err(ImapError::Closed { detail });
    match tokio::time::timeout(limit, session.read_response()).await {
        Err(_) => Ok(None),
        Ok(Ok(Some(response))) => Ok(Some(f(response.parsed()))),
        Ok(Ok(None)) => closed("the server closed the connection".to_string()),
        Ok(Err(e)) => closed(e.to_string()),
    }
}

pub(super) fn text(outcome: &Outcome<'_>) -> String {
    outcome.information.as_deref().unwrap_or("").to_string()
}

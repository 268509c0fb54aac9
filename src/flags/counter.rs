//! Counter-evidence beside every pattern flag: the organisation's own late or missing
//! replies to the customer in the window, because contact often follows silence. An inbound
//! contact is answered by the first outbound item to the same customer after it (a reply
//! from a Sent folder, an outbound call, a letter); answered later than `reply_days`, it was
//! late; never answered and older than `reply_days`, it is missing. Pure.

use super::windows::{Window, DAY};
use serde::Serialize;

/// How the organisation replied to the inbound contacts of a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Replies {
    /// Inbound contacts in the window.
    pub inbound: i64,
    /// Answered within `reply_days`.
    pub answered_in_time: i64,
    /// Answered, but later than `reply_days`.
    pub answered_late: i64,
    /// Not answered, and older than `reply_days`.
    pub unanswered: i64,
    /// Not answered yet, and younger than `reply_days`.
    pub awaiting: i64,
    /// The days the organisation was asked to answer within.
    pub reply_days: i64,
}

impl Replies {
    /// The figures as sentences for people; empty when there is nothing to say.
    pub fn lines(&self) -> Vec<String> {
        if self.inbound == 0 {
            return Vec::new();
        }
        let mut out = vec![format!(
            "{} of {} inbound contacts in the window were answered within {} days",
            self.answered_in_time, self.inbound, self.reply_days
        )];
        if self.answered_late > 0 {
            out.push(format!(
                "{} answered later than {} days",
                self.answered_late, self.reply_days
            ));
        }
        if self.unanswered > 0 {
            out.push(format!(
                "{} with no reply from us recorded",
                self.unanswered
            ));
        }
        if self.awaiting > 0 {
            out.push(format!("{} still within the reply time", self.awaiting));
        }
        out
    }
}

/// The replies to the inbound contacts of `window`: `contacts` are one customer's
/// (time, inbound) pairs, in any order; `now` decides what is still within the reply time.
pub fn replies(contacts: &[(i64, bool)], window: Window, reply_days: u32, now: i64) -> Replies {
    let mut sorted = contacts.to_vec();
    sorted.sort_unstable();
    let limit = i64::from(reply_days) * DAY;
    let mut out = Replies {
        reply_days: i64::from(reply_days),
        ..Replies::default()
    };
    for (i, &(at, inbound)) in sorted.iter().enumerate() {
        if !inbound || !window.contains(at) {
            continue;
        }
        out.inbound += 1;
        let reply = sorted[i + 1..]
            .iter()
            .find(|(t, ib)| !ib && *t >= at)
            .map(|(t, _)| *t);
        match reply {
            Some(t) if t - at <= limit => out.answered_in_time += 1,
            Some(_) => out.answered_late += 1,
            None if now - at > limit => out.unanswered += 1,
            None => out.awaiting += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = DAY;

    #[test]
    fn each_contact_is_answered_by_the_next_reply_after_it() {
        let contacts = [
            (D, true),
            (2 * D, true),
            (3 * D, false),
            (10 * D, true),
            (20 * D, false),
            (30 * D, true),
        ];
        let r = replies(
            &contacts,
            Window {
                start: 0,
                end: 40 * D,
            },
            5,
            31 * D,
        );
        assert_eq!(
            r,
            Replies {
                inbound: 4,
                answered_in_time: 2,
                answered_late: 1,
                unanswered: 0,
                awaiting: 1,
                reply_days: 5
            }
        );
    }

    #[test]
    fn silence_is_counted_as_missing_replies() {
        let contacts = [(D, true), (2 * D, true)];
        let r = replies(
            &contacts,
            Window {
                start: 0,
                end: 10 * D,
            },
            5,
            30 * D,
        );
        assert_eq!(r.unanswered, 2);
        assert_eq!(r.lines()[1], "2 with no reply from us recorded");
    }

    #[test]
    fn only_the_window_counts() {
        let contacts = [(D, true), (50 * D, true)];
        let r = replies(
            &contacts,
            Window {
                start: 40 * D,
                end: 60 * D,
            },
            5,
            51 * D,
        );
        assert_eq!((r.inbound, r.awaiting), (1, 1));
    }
}

//! The routing decision for one inbound email: forward it to the nominated person (or their
//! deputy), copy it to the complaints mailbox or the safety contacts, or not route it, and
//! why. A pure function of the message's facts, the customer's arrangements in force, who is
//! absent, and how many forwards the customer's mail has had in the last hour.
//!
//! The rules, in order:
//! 1. Never routed: routing disabled; Tidings' own mail; bounces and reports; an empty
//!    return path; auto-replies; mailing lists; mail from staff; mail linked to no customer;
//!    a customer with no arrangement in force; mail older than the age limit or stored before
//!    the arrangement was recorded.
//! 2. A copy to the complaints mailbox when the message reads as a complaint, and to the
//!    safety contacts when its own words carry a safety signal, under any arrangement kind
//!    (`contact-suspended` included), so a complaint or a threat is never overlooked.
//! 3. A forward to the nominated person under a `single-point-of-contact` arrangement, to
//!    the deputy while the nominated person is absent (and the deputy is not).
//! 4. Past `max_forwards_per_hour` forwards for the customer, the forward and the complaint
//!    copy are held back (recorded as `rate-limit`); a safety copy still goes.

use super::facts::{MachineMail, MessageFacts};
use crate::arrangements::{Arrangement, ArrangementKind};
use crate::domain::EmailAddress;
use chrono::NaiveDate;

/// What happened to the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Forwarded to the nominated person or deputy (copies may have gone too).
    Routed,
    /// Not forwarded, but copied to the complaints mailbox or the safety contacts.
    Copied,
    /// Neither forwarded nor copied.
    NotRouted,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Routed => "routed",
            Outcome::Copied => "copied",
            Outcome::NotRouted => "not-routed",
        }
    }
}

/// Why: one reason per decision, named for `tidings routing list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Forwarded to the nominated person.
    Nominated,
    /// Forwarded to the deputy: the nominated person is absent.
    DeputyWhileAbsent,
    /// Copied only: the arrangement's kind does not forward mail.
    CopyOnly,
    /// `[routing] enabled = false`.
    Disabled,
    /// Sent or forwarded by Tidings itself.
    OwnMail,
    /// A bounce, delivery report or read receipt.
    BounceOrReport,
    /// `Return-Path: <>`.
    EmptyReturnPath,
    /// An auto-reply.
    AutoReply,
    /// Mailing-list mail.
    MailingList,
    /// From a member of staff.
    FromStaff,
    /// Linked to no customer (or without a usable sender).
    NoCustomer,
    /// The customer has no arrangement in force.
    NoArrangement,
    /// The arrangement in force does not forward mail, and nothing needed copying.
    NotForwardingKind,
    /// Older than the age limit (a backfill of old mail).
    TooOld,
    /// Stored before the arrangement was recorded.
    BeforeArrangement,
    /// Over `max_forwards_per_hour` for the customer.
    RateLimit,
}

impl Reason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Nominated => "nominated",
            Reason::DeputyWhileAbsent => "deputy-while-absent",
            Reason::CopyOnly => "copy-only",
            Reason::Disabled => "disabled",
            Reason::OwnMail => "own-mail",
            Reason::BounceOrReport => "bounce-or-report",
            Reason::EmptyReturnPath => "empty-return-path",
            Reason::AutoReply => "auto-reply",
            Reason::MailingList => "mailing-list",
            Reason::FromStaff => "from-staff",
            Reason::NoCustomer => "no-customer",
            Reason::NoArrangement => "no-arrangement",
            Reason::NotForwardingKind => "not-forwarding-kind",
            Reason::TooOld => "too-old",
            Reason::BeforeArrangement => "before-arrangement",
            Reason::RateLimit => "rate-limit",
        }
    }
}

/// Why a copy is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CopyKind {
    /// The message reads as a complaint.
    Complaint,
    /// The message's own words carry a safety signal.
    Safety,
}

impl CopyKind {
    /// The outbox purpose.
    pub fn as_str(self) -> &'static str {
        match self {
            CopyKind::Complaint => "complaint-copy",
            CopyKind::Safety => "safety-copy",
        }
    }
}

/// Routing settings the decision needs.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `[routing] enabled`.
    pub enabled: bool,
    /// `[routing] max_forwards_per_hour`.
    pub max_forwards_per_hour: u32,
    /// `[routing] max_age_hours`, in seconds.
    pub max_age_secs: i64,
    /// `[routing] complaints_mailbox`.
    pub complaints_mailbox: Option<EmailAddress>,
    /// `[alerts] safety_contacts`.
    pub safety_contacts: Vec<EmailAddress>,
}

/// Everything known about one message when it is decided.
#[derive(Clone, Debug)]
pub struct Situation<'a> {
    /// The message.
    pub facts: &'a MessageFacts,
    /// Whether the sender is staff (staff domains, shared mailboxes, the directory).
    pub from_staff: bool,
    /// Whether the item is linked to a customer.
    pub has_customer: bool,
    /// The customer's arrangements in force today, oldest first.
    pub arrangements: &'a [&'a Arrangement],
    /// Staff absent today.
    pub absent: &'a [EmailAddress],
    /// Forwards of this customer's mail in the last hour.
    pub forwards_last_hour: u32,
    /// The message reads as a complaint.
    pub complaint: bool,
    /// The message's own words carry a safety signal.
    pub safety: bool,
    /// When the item was stored (Unix seconds).
    pub stored_at: i64,
    /// When the message was sent (Unix seconds).
    pub occurred_at: i64,
    /// Now (Unix seconds).
    pub now: i64,
}

/// A decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// What happened.
    pub outcome: Outcome,
    /// Why.
    pub reason: Reason,
    /// The arrangement it was decided under.
    pub arrangement_id: Option<i64>,
    /// Its review date (for the cover line).
    pub review_on: Option<NaiveDate>,
    /// Who the forward goes to.
    pub forward_to: Option<EmailAddress>,
    /// Copies and their recipients.
    pub copies: Vec<(CopyKind, Vec<EmailAddress>)>,
}

impl Decision {
    /// A decision not to route, for `reason`.
    pub fn not_routed(reason: Reason) -> Self {
        Self {
            outcome: Outcome::NotRouted,
            reason,
            arrangement_id: None,
            review_on: None,
            forward_to: None,
            copies: Vec::new(),
        }
    }

    /// Every recipient of the forward and the copies, for the record.
    pub fn recipients(&self) -> Vec<&EmailAddress> {
        self.forward_to
            .iter()
            .chain(self.copies.iter().flat_map(|(_, to)| to.iter()))
            .collect()
    }
}

/// Decides what to do with one message.
pub fn decide(situation: &Situation<'_>, policy: &Policy) -> Decision {
    let facts = situation.facts;
    if !policy.enabled {
        return Decision::not_routed(Reason::Disabled);
    }
    if facts.own_mail {
        return Decision::not_routed(Reason::OwnMail);
    }
    match facts.machine {
        Some(MachineMail::BounceOrReport) => return Decision::not_routed(Reason::BounceOrReport),
        Some(MachineMail::EmptyReturnPath) => return Decision::not_routed(Reason::EmptyReturnPath),
        Some(MachineMail::AutoReply) => return Decision::not_routed(Reason::AutoReply),
        Some(MachineMail::MailingList) => return Decision::not_routed(Reason::MailingList),
        None => {}
    }
    if situation.from_staff {
        return Decision::not_routed(Reason::FromStaff);
    }
    if !situation.has_customer || facts.from.is_none() {
        return Decision::not_routed(Reason::NoCustomer);
    }
    if situation.arrangements.is_empty() {
        return Decision::not_routed(Reason::NoArrangement);
    }
    if situation.occurred_at < situation.now - policy.max_age_secs {
        return Decision::not_routed(Reason::TooOld);
    }
    let in_force: Vec<&Arrangement> = situation
        .arrangements
        .iter()
        .copied()
        .filter(|a| a.created_at <= situation.stored_at)
        .collect();
    let Some(first) = in_force.first() else {
        return Decision::not_routed(Reason::BeforeArrangement);
    };
    let spoc = in_force
        .iter()
        .find(|a| a.kind == ArrangementKind::SinglePointOfContact && a.nominated.is_some());
    let under = spoc.unwrap_or(first);
    let over_limit = situation.forwards_last_hour >= policy.max_forwards_per_hour;

    let mut copies = Vec::new();
    if situation.complaint && !over_limit {
        if let Some(mailbox) = &policy.complaints_mailbox {
            copies.push((CopyKind::Complaint, vec![mailbox.clone()]));
        }
    }
    if situation.safety && !policy.safety_contacts.is_empty() {
        copies.push((CopyKind::Safety, policy.safety_contacts.clone()));
    }
    let forward = spoc.and_then(|a| {
        let nominated = a.nominated.clone()?;
        let away = |who: &EmailAddress| situation.absent.contains(who);
        Some(match &a.deputy {
            Some(deputy) if away(&nominated) && !away(deputy) => {
                (deputy.clone(), Reason::DeputyWhileAbsent)
            }
            _ => (nominated, Reason::Nominated),
        })
    });
    let (outcome, reason, forward_to) = match forward {
        Some(_) if over_limit => {
            let outcome = if copies.is_empty() {
                Outcome::NotRouted
            } else {
                Outcome::Copied
            };
            (outcome, Reason::RateLimit, None)
        }
        Some((to, reason)) => (Outcome::Routed, reason, Some(to)),
        None if !copies.is_empty() => (Outcome::Copied, Reason::CopyOnly, None),
        None if over_limit && situation.complaint => (Outcome::NotRouted, Reason::RateLimit, None),
        None => (Outcome::NotRouted, Reason::NotForwardingKind, None),
    };
    Decision {
        outcome,
        reason,
        arrangement_id: Some(under.id),
        review_on: Some(under.review_on),
        forward_to,
        copies,
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;

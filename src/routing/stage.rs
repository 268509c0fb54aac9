//! The routing stage: after ingest, every new inbound email item gets one recorded decision
//! (`decide`), and the messages it calls for go to the outbox in the same transaction. Runs
//! apart from the ingest transaction, so ingest speed does not depend on it; the daemon wakes
//! it as soon as a batch stores items.
//!
//! The message itself is read back from the raw store only for customers with an arrangement
//! in force; every other item is recorded as `no-customer` or `no-arrangement` at once.

use super::cues::ComplaintCues;
use super::decide::{decide, Decision, Outcome, Policy, Reason, Situation};
use super::facts::{message_facts, MessageFacts, OwnMarks};
use super::forward::{messages, ItemRef};
use super::RoutingError;
use crate::arrangements::{self, Arrangement};
use crate::domain::EmailAddress;
use crate::signals::{self, Lexicon, SignalKind};
use crate::store::{RoutingCandidate, RoutingRecord, Store};
use std::sync::Arc;

/// Candidates read per query.
const BATCH: i64 = 200;

/// Says whether an address is a member of staff's (the linker's rule).
pub type StaffCheck = Arc<dyn Fn(&EmailAddress) -> bool + Send + Sync>;

/// What one routing pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoutingPass {
    /// Items decided.
    pub decided: usize,
    /// Forwarded to a nominated person or deputy.
    pub routed: usize,
    /// Copied only.
    pub copied: usize,
    /// Outbox messages enqueued.
    pub enqueued: usize,
}

/// The routing stage, ready to run passes.
#[derive(Clone)]
pub struct Router {
    store: Store,
    policy: Policy,
    cues: ComplaintCues,
    marks: OwnMarks,
    timezone: String,
    seniors: Vec<String>,
    is_staff: StaffCheck,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Everything the decision needs about one message.
struct Assessed {
    facts: MessageFacts,
    decision: Decision,
}

impl Router {
    /// A router over `store` with settings from `config`.
    pub fn new(
        store: Store,
        config: &crate::config::Config,
        directory: &crate::organisation::StaffDirectory,
        is_staff: StaffCheck,
    ) -> Result<Self, RoutingError> {
        let routing = &config.routing;
        let address = |key: &'static str, value: &str| {
            EmailAddress::parse(value).map_err(|_| RoutingError::Address {
                key,
                value: value.to_owned(),
            })
        };
        let complaints_mailbox = routing
            .complaints_mailbox
            .as_deref()
            .map(|m| address("routing.complaints_mailbox", m))
            .transpose()?;
        let safety_contacts = config
            .alerts
            .safety_contacts
            .iter()
            .map(|c| address("alerts.safety_contacts", c))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            store,
            policy: Policy {
                enabled: routing.enabled,
                max_forwards_per_hour: routing.max_forwards_per_hour,
                max_age_secs: i64::from(routing.max_age_hours) * 3600,
                complaints_mailbox,
                safety_contacts,
            },
            cues: ComplaintCues::new(&routing.complaint_cues),
            marks: super::own_marks(config),
            timezone: config.organisation.timezone.clone(),
            seniors: directory
                .seniors()
                .flat_map(|m| [m.name.clone(), m.role.clone()])
                .collect(),
            is_staff,
        })
    }

    /// Decides every inbound email item stored since the last pass.
    pub async fn pass(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<RoutingPass, RoutingError> {
        let mut report = RoutingPass::default();
        let up_to = self.store.max_item_id().await?;
        let today = arrangements::today(&self.timezone, now);
        let active = self.store.active_arrangements(today).await?;
        let absent: Vec<EmailAddress> = self
            .store
            .absent_on(today)
            .await?
            .into_iter()
            .map(|(who, _)| who)
            .collect();
        loop {
            let batch = self.store.routing_candidates(up_to, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            for candidate in batch {
                let theirs: Vec<&Arrangement> = active
                    .iter()
                    .filter(|a| Some(a.customer_id) == candidate.customer_id)
                    .collect();
                let (decision, out) = if candidate.customer_id.is_none() || theirs.is_empty() {
                    let reason = if candidate.customer_id.is_none() {
                        Reason::NoCustomer
                    } else {
                        Reason::NoArrangement
                    };
                    (Decision::not_routed(reason), Vec::new())
                } else {
                    let assessed = self
                        .assess(&candidate, &theirs, &absent, now.timestamp())
                        .await?;
                    let occurred = chrono::DateTime::from_timestamp(candidate.occurred_at, 0)
                        .map(|t| t.to_rfc2822())
                        .unwrap_or_default();
                    let item = ItemRef {
                        item_id: candidate.item_id,
                        raw_id: candidate.raw_id,
                    };
                    let out = messages(
                        item,
                        &assessed.facts,
                        &assessed.decision,
                        &self.marks,
                        &occurred,
                    );
                    (assessed.decision, out)
                };
                let recipients: Vec<&str> = decision
                    .recipients()
                    .into_iter()
                    .map(EmailAddress::as_str)
                    .collect();
                let record = RoutingRecord {
                    item_id: candidate.item_id,
                    customer_id: candidate.customer_id,
                    arrangement_id: decision.arrangement_id,
                    outcome: decision.outcome.as_str(),
                    reason: decision.reason.as_str(),
                    recipients: recipients.join(", "),
                };
                if self.store.record_routing(&record, &out).await? {
                    report.decided += 1;
                    report.enqueued += out.len();
                    match decision.outcome {
                        Outcome::Routed => report.routed += 1,
                        Outcome::Copied => report.copied += 1,
                        Outcome::NotRouted => {}
                    }
                    if decision.outcome != Outcome::NotRouted
                        || decision.reason != Reason::NoArrangement
                    {
                        crate::telemetry::events::routing_decided(
                            candidate.item_id,
                            decision.outcome.as_str(),
                            decision.reason.as_str(),
                        );
                    }
                }
            }
        }
        self.store.advance_routing_cursor(up_to).await?;
        Ok(report)
    }

    async fn assess(
        &self,
        candidate: &RoutingCandidate,
        arrangements: &[&Arrangement],
        absent: &[EmailAddress],
        now: i64,
    ) -> Result<Assessed, RoutingError> {
        let bytes = self
            .store
            .kept_raw(candidate.raw_id)
            .await?
            .and_then(|raw| raw.bytes)
            .unwrap_or_default();
        let facts = message_facts(&bytes, &self.marks);
        let own = signals::own_words(&facts.text);
        let complaint = self.cues.find(facts.subject.as_deref(), &own).is_some();
        let safety = !self.policy.safety_contacts.is_empty()
            && facts.machine.is_none()
            && !facts.own_mail
            && !signals::scan_own_words(
                &own,
                Lexicon::builtin(),
                &self.seniors,
                &[SignalKind::Safety],
            )
            .is_empty();
        let forwards_last_hour = match candidate.customer_id {
            Some(id) => self.store.forwards_since(id, now - 3600).await?,
            None => 0,
        };
        let situation = Situation {
            facts: &facts,
            from_staff: facts.from.as_ref().is_some_and(|a| (self.is_staff)(a)),
            has_customer: candidate.customer_id.is_some(),
            arrangements,
            absent,
            forwards_last_hour,
            complaint,
            safety,
            stored_at: candidate.stored_at,
            occurred_at: candidate.occurred_at,
            now,
        };
        let decision = decide(&situation, &self.policy);
        Ok(Assessed { facts, decision })
    }
}

//! `tidings bench routing`: routing decisions per second on typical mail, every message from a
//! customer under a single-point-of-contact arrangement (the worst case: each message is read
//! again, scanned for complaint cues and safety signals, and decided). The SMTP send is not
//! part of the decision and not timed here.

use crate::arrangements::{Arrangement, ArrangementKind};
use crate::domain::EmailAddress;
use crate::routing::cues::{default_cues, ComplaintCues};
use crate::routing::decide::{decide, Outcome, Policy, Situation};
use crate::routing::facts::{message_facts, OwnMarks};
use crate::signals::{self, Lexicon, SignalKind};
use std::time::Instant;

use super::BenchError;

/// What `tidings bench routing` measured.
#[derive(Clone, Copy, Debug)]
pub struct RoutingFigures {
    /// Messages decided.
    pub messages: usize,
    /// Of those, forwarded.
    pub routed: usize,
    /// Whole assessment (read facts, cues, safety scan, decide), messages per second.
    pub assessed_per_sec: f64,
    /// The decision alone, messages per second.
    pub decided_per_sec: f64,
}

fn address(a: &str) -> Result<EmailAddress, BenchError> {
    EmailAddress::parse(a).map_err(|e| BenchError::Setup(e.to_string()))
}

/// Decides `messages` typical messages as if each came from a customer under an arrangement.
pub fn routing(messages: usize) -> Result<RoutingFigures, BenchError> {
    let now = chrono::Utc::now().timestamp();
    let mail: Vec<Vec<u8>> = crate::sample::typical(messages, now, 9)
        .map(|m| m.bytes)
        .collect();
    let staff = address("jane.smith@example.org")?;
    let arrangement = Arrangement {
        id: 1,
        customer_id: 1,
        customer_key: "c-000000000001".to_owned(),
        kind: ArrangementKind::SinglePointOfContact,
        nominated: Some(staff.clone()),
        deputy: Some(address("sam.lee@example.org")?),
        frequency_days: None,
        service_areas: Vec::new(),
        decided_on: chrono::Utc::now().date_naive(),
        attendees: vec![staff.clone()],
        authorised_by: staff,
        reasons: "bench".to_owned(),
        told_on: chrono::Utc::now().date_naive(),
        review_on: chrono::Utc::now().date_naive(),
        created_at: 0,
        ended_at: None,
        ended_reason: None,
    };
    let arrangements = [&arrangement];
    let policy = Policy {
        enabled: true,
        max_forwards_per_hour: u32::MAX,
        max_age_secs: i64::MAX / 2,
        complaints_mailbox: Some(address("complaints@example.org")?),
        safety_contacts: vec![address("safety@example.org")?],
    };
    let marks = OwnMarks {
        message_id_domain: "tidings.example.org".to_owned(),
        x_loop: "tidings@example.org".to_owned(),
    };
    let cues = ComplaintCues::new(&default_cues());
    let lexicon = Lexicon::builtin();
    let seniors: Vec<String> = Vec::new();

    let started = Instant::now();
    let mut routed = 0;
    let mut assessed = Vec::with_capacity(mail.len());
    let (mut facts_secs, mut cue_secs, mut scan_secs) = (0.0, 0.0, 0.0);
    for bytes in &mail {
        let t = Instant::now();
        let facts = message_facts(bytes, &marks);
        facts_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let own = signals::own_words(&facts.text);
        let complaint = cues.find(facts.subject.as_deref(), &own).is_some();
        cue_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let safety =
            !signals::scan_own_words(&own, lexicon, &seniors, &[SignalKind::Safety]).is_empty();
        scan_secs += t.elapsed().as_secs_f64();
        let situation = Situation {
            facts: &facts,
            from_staff: false,
            has_customer: true,
            arrangements: &arrangements,
            absent: &[],
            forwards_last_hour: 0,
            complaint,
            safety,
            stored_at: now,
            occurred_at: now,
            now,
        };
        if decide(&situation, &policy).outcome == Outcome::Routed {
            routed += 1;
        }
        assessed.push((facts, complaint, safety));
    }
    let assess_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut again = 0;
    for (facts, complaint, safety) in &assessed {
        let situation = Situation {
            facts,
            from_staff: false,
            has_customer: true,
            arrangements: &arrangements,
            absent: &[],
            forwards_last_hour: 0,
            complaint: *complaint,
            safety: *safety,
            stored_at: now,
            occurred_at: now,
            now,
        };
        if decide(&situation, &policy).outcome == Outcome::Routed {
            again += 1;
        }
    }
    let decide_secs = started.elapsed().as_secs_f64().max(1e-9);
    if again != routed {
        return Err(BenchError::Run("the decision changed between runs".into()));
    }
    let figures = RoutingFigures {
        messages: mail.len(),
        routed,
        assessed_per_sec: mail.len() as f64 / assess_secs.max(1e-9),
        decided_per_sec: mail.len() as f64 / decide_secs,
    };
    let per_sec = |secs: f64| mail.len() as f64 / secs.max(1e-9);
    println!(
        "bench routing: {} messages ({} forwarded): whole assessment {:.0} msgs/s (reading the message {:.0}/s, own words and complaint cues {:.0}/s, safety scan {:.0}/s); decision alone {:.0} msgs/s",
        figures.messages,
        figures.routed,
        figures.assessed_per_sec,
        per_sec(facts_secs),
        per_sec(cue_secs),
        per_sec(scan_secs),
        figures.decided_per_sec
    );
    Ok(figures)
}

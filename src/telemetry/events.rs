//! Internal events: each function writes one log line and updates one metric, with bounded
//! labels (source names come from config, never from message content).

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};

/// Registers metric descriptions for `/metrics`.
pub fn describe() {
    describe_counter!("tidings_items_stored_total", "Items stored, by source.");
    describe_counter!(
        "tidings_items_duplicate_total",
        "Items seen again (already stored), by source."
    );
    describe_counter!(
        "tidings_items_quarantined_total",
        "Items quarantined, by source."
    );
    describe_histogram!(
        "tidings_batch_seconds",
        "Seconds to commit one ingest batch, by source."
    );
    describe_gauge!(
        "tidings_source_last_uid",
        "Last committed IMAP UID, by source."
    );
    describe_counter!(
        "tidings_source_errors_total",
        "Source errors (retried), by source."
    );
    describe_counter!(
        "tidings_flags_raised_total",
        "Advisory flags raised, by kind."
    );
    describe_counter!("tidings_outbox_sent_total", "Outbox messages delivered.");
    describe_counter!(
        "tidings_letters_read_total",
        "Letter scans read (text layer or OCR) and stored, by source."
    );
    describe_gauge!("tidings_ocr_queue", "Letter scans waiting for OCR.");
    describe_counter!(
        "tidings_outbox_failed_attempts_total",
        "Outbox delivery attempts that failed."
    );
    describe_counter!("tidings_digests_enqueued_total", "Digest periods enqueued.");
    describe_counter!(
        "tidings_routing_decisions_total",
        "Routing decisions about mail from customers under an arrangement, by outcome and reason."
    );
    describe_gauge!(
        "tidings_outbox_pending",
        "Outbox messages waiting for delivery."
    );
    describe_counter!(
        "tidings_link_decisions_total",
        "Items given a customer decision by the link stage, by mode (incremental, full)."
    );
    describe_counter!(
        "tidings_link_review_candidates_total",
        "Possible links left for a person to review."
    );
    describe_histogram!(
        "tidings_link_pass_seconds",
        "Seconds for one link-stage pass, by mode."
    );
}

/// The link stage decided items.
pub fn links_decided(pass: &crate::store::LinkPass, mode: &'static str, seconds: f64) {
    tracing::info!(
        mode,
        decided = pass.decided,
        new_customers = pass.new_customers,
        review_candidates = pass.candidates,
        seconds,
        "Link stage decided items."
    );
    counter!("tidings_link_decisions_total", "mode" => mode).increment(pass.decided as u64);
    counter!("tidings_link_review_candidates_total").increment(pass.candidates as u64);
    histogram!("tidings_link_pass_seconds", "mode" => mode).record(seconds);
}

/// A batch from a source was committed.
pub fn batch_committed(source: &str, outcome: &crate::store::BatchOutcome, seconds: f64) {
    tracing::info!(
        source,
        stored = outcome.stored,
        duplicates = outcome.duplicates,
        quarantined = outcome.quarantined,
        "Stored a batch of items."
    );
    let labels = [("source", source.to_string())];
    counter!("tidings_items_stored_total", &labels).increment(outcome.stored as u64);
    counter!("tidings_items_duplicate_total", &labels).increment(outcome.duplicates as u64);
    counter!("tidings_items_quarantined_total", &labels).increment(outcome.quarantined as u64);
    histogram!("tidings_batch_seconds", &labels).record(seconds);
}

/// An item could not be read and will be quarantined.
pub fn item_quarantined(source: &str, locator: &str, reason: &str) {
    tracing::warn!(
        source,
        locator,
        reason,
        "Quarantined an item that could not be read; see `tidings quarantine list`."
    );
}

/// A letter scan was read (text layer or OCR) and stored as an item.
pub fn letter_read(source: &str, locator: &str) {
    tracing::info!(source, locator, "Read a letter scan and stored it.");
    counter!("tidings_letters_read_total", "source" => source.to_string()).increment(1);
}

/// A source's checkpoint advanced (committed with the items it covers).
pub fn checkpoint_advanced(source: &str, cursor: &str) {
    tracing::debug!(source, cursor, "Checkpoint advanced.");
}

/// An IMAP folder's checkpoint reached `last_uid`.
pub fn imap_uid_committed(source: &str, last_uid: i64) {
    gauge!("tidings_source_last_uid", "source" => source.to_string()).set(last_uid as f64);
}

/// An IMAP folder was examined: how many messages the server holds.
pub fn folder_examined(source: &str, messages: u32) {
    tracing::debug!(source, messages, "Examined folder.");
    gauge!("tidings_imap_folder_messages", "source" => source.to_string()).set(f64::from(messages));
}

/// Messages a folder sync chose not to fetch: received before `since`, or already stored
/// from this folder (recognised on a rescan by Message-ID and size).
pub fn messages_skipped(source: &str, before_since: usize, already_stored: usize) {
    if before_since + already_stored == 0 {
        return;
    }
    tracing::info!(
        source,
        before_since,
        already_stored,
        "Skipping messages received before `since` or already stored from this folder."
    );
    for (reason, n) in [
        ("before_since", before_since),
        ("already_stored", already_stored),
    ] {
        counter!("tidings_imap_skipped_total", "source" => source.to_string(), "reason" => reason)
            .increment(n as u64);
    }
}

/// A source failed; it will retry after `retry_secs`.
pub fn source_error(source: &str, error: &dyn std::fmt::Display, retry_secs: u64) {
    tracing::error!(source, retry_secs, "Source failed: {error}; retrying.");
    counter!("tidings_source_errors_total", "source" => source.to_string()).increment(1);
}

/// An advisory flag was raised for review.
pub fn flag_raised(flag_id: i64, kind: &str, figures: &serde_json::Value) {
    tracing::info!(flag_id, kind, %figures, "Raised an advisory flag for review.");
    counter!("tidings_flags_raised_total", "kind" => kind.to_string()).increment(1);
}

/// The signal stage raised an item flag.
pub fn item_flag_raised(flag_id: i64, item_id: i64, kind: &str) {
    tracing::info!(flag_id, item_id, kind, "Raised an item flag for review.");
    counter!("tidings_flags_raised_total", "kind" => kind.to_string()).increment(1);
}

/// An outbox message was delivered.
pub fn outbox_sent(message_id: &str) {
    tracing::info!(message_id, "Delivered an outbox message.");
    counter!("tidings_outbox_sent_total").increment(1);
}

/// An outbox delivery attempt failed.
pub fn outbox_attempt_failed(message_id: &str, error: &dyn std::fmt::Display, will_retry: bool) {
    tracing::warn!(message_id, will_retry, "Outbox delivery failed: {error}");
    counter!("tidings_outbox_failed_attempts_total").increment(1);
}

/// A digest period was rendered and enqueued.
pub fn digest_enqueued(period_key: &str, recipients: usize, new_flags: usize) {
    tracing::info!(
        period_key,
        recipients,
        new_flags,
        "Enqueued the digest for this period."
    );
    counter!("tidings_digests_enqueued_total").increment(1);
}

/// The routing stage decided what to do with an item from a customer under an arrangement
/// (or an item it cannot route for another reason than having no arrangement).
pub fn routing_decided(item_id: i64, outcome: &'static str, reason: &'static str) {
    tracing::info!(item_id, outcome, reason, "Recorded a routing decision.");
    counter!("tidings_routing_decisions_total", "outcome" => outcome, "reason" => reason)
        .increment(1);
}

/// Outbox backlog, sampled after each delivery pass.
pub fn outbox_pending(pending: i64) {
    gauge!("tidings_outbox_pending").set(pending as f64);
}

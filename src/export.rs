//! `tidings export items|customers|flags|context --format csv|jsonl`: stable, documented columns
//! (see docs/export.md). Times are RFC 3339 UTC; lists are `;`-separated in CSV and arrays in
//! JSON Lines.

use crate::cli::{ExportFormat, ExportTable};
use crate::domain::UnixTime;
use crate::guard::mask;
use crate::store::{Store, StoreError};
use serde_json::{json, Value};
use std::io::Write;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    /// CSV encoding failed.
    #[error("cannot write the export as CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// Item columns, in order.
pub const ITEM_COLUMNS: &[&str] = &[
    "item_ref",
    "channel",
    "direction",
    "occurred_at",
    "customer_key",
    "counterpart",
    "staff",
    "subject",
    "thread_key",
    "automated",
    "call_id",
    "call_result",
    "duration_secs",
    "recording",
    "sender_name",
    "postal_address",
    "postcode",
    "phones",
    "emails",
    "letter_date",
    "addressee",
    "pages",
    "text_source",
];

/// The item columns filled from a call's or letter's details, and the detail key each reads.
const DETAIL_COLUMNS: &[(&str, &str)] = &[
    ("call_id", "call_id"),
    ("call_result", "result"),
    ("duration_secs", "duration_secs"),
    ("recording", "recording"),
    ("sender_name", "sender_name"),
    ("postal_address", "address"),
    ("postcode", "postcode"),
    ("phones", "phones"),
    ("emails", "emails"),
    ("letter_date", "letter_date"),
    ("addressee", "addressee"),
    ("pages", "pages"),
    ("text_source", "text_source"),
];
/// Customer columns, in order.
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "customer_key",
    "kind",
    "display_name",
    "identifiers",
    "inbound_contacts",
    "first_contact",
    "last_contact",
    "organisation_key",
];
/// Flag columns, in order. `subject` is the customer key for a pattern flag and the item
/// reference for an item flag.
pub const FLAG_COLUMNS: &[&str] = &[
    "subject",
    "kind",
    "customer_key",
    "item_ref",
    "window_start",
    "window_end",
    "state",
    "figures",
    "threshold",
    "sentence",
    "evidence",
    "flag_id",
    "raised_at",
    "expires_at",
    "reviewed_by",
    "reviewed_at",
    "review_note",
];
/// Context columns, in order: `subject` is the item reference.
pub const CONTEXT_COLUMNS: &[&str] =
    &["subject", "customer_key", "kind", "sentence", "occurred_at"];

pub(crate) fn time(t: UnixTime) -> Value {
    chrono::DateTime::from_timestamp(t, 0).map_or(Value::Null, |d| {
        Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    })
}

/// Builds the rows of a table as JSON objects with the documented columns.
pub async fn rows(
    store: &Store,
    table: ExportTable,
    webmail_domains: &[String],
) -> Result<(Vec<&'static str>, Vec<Value>), StoreError> {
    Ok(match table {
        ExportTable::Items => (
            ITEM_COLUMNS.to_vec(),
            store
                .export_items()
                .await?
                .into_iter()
                .map(|i| {
                    let details: Value = i
                        .details
                        .as_deref()
                        .and_then(|d| serde_json::from_str(d).ok())
                        .unwrap_or(Value::Null);
                    let mut row = json!({
                        "item_ref": i.item_ref, "channel": i.channel, "direction": i.direction,
                        "occurred_at": time(i.occurred_at), "customer_key": i.customer_key,
                        "counterpart": i.counterpart, "staff": i.staff, "subject": i.subject,
                        "thread_key": i.thread_key, "automated": i.automated,
                    });
                    for (column, key) in DETAIL_COLUMNS {
                        row[*column] = details.get(*key).cloned().unwrap_or(Value::Null);
                    }
                    row
                })
                .collect(),
        ),
        ExportTable::Customers => (
            CUSTOMER_COLUMNS.to_vec(),
            store
                .export_customers()
                .await?
                .into_iter()
                .map(|c| {
                    json!({
                        "customer_key": c.customer_key, "kind": c.kind, "display_name": c.display_name,
                        "identifiers": c.identifiers, "inbound_contacts": c.inbound_contacts,
                        "first_contact": c.first_contact.map_or(Value::Null, time),
                        "last_contact": c.last_contact.map_or(Value::Null, time),
                        "organisation_key": organisation_key(&c.identifiers, webmail_domains),
                    })
                })
                .collect(),
        ),
        ExportTable::Flags => {
            let mut out = Vec::new();
            for f in store.flags(None, true).await? {
                let evidence: Vec<String> = store.flag_evidence(f.id).await?.into_iter().map(|(_, r, _)| r).collect();
                out.push(json!({
                    "subject": f.item_ref.clone().unwrap_or_else(|| f.customer_key.clone()),
                    "kind": f.kind, "customer_key": f.customer_key, "item_ref": f.item_ref,
                    "window_start": time(f.window_start), "window_end": time(f.window_end), "state": f.state,
                    "figures": serde_json::from_str::<Value>(&f.figures).unwrap_or(Value::Null),
                    "threshold": serde_json::from_str::<Value>(&f.threshold).unwrap_or(Value::Null),
                    "sentence": f.sentence.as_deref().map(mask),
                    "evidence": evidence, "flag_id": f.id,
                    "raised_at": time(f.created_at), "expires_at": time(f.expires_at),
                    "reviewed_by": f.reviewed_by, "reviewed_at": f.reviewed_at.map_or(Value::Null, time),
                    "review_note": f.note,
                }));
            }
            (FLAG_COLUMNS.to_vec(), out)
        }
        ExportTable::Context => (
            CONTEXT_COLUMNS.to_vec(),
            store
                .export_context()
                .await?
                .into_iter()
                .map(|c| {
                    json!({
                        "subject": c.item_ref, "customer_key": c.customer_key, "kind": c.kind,
                        "sentence": mask(&c.sentence), "occurred_at": time(c.occurred_at),
                    })
                })
                .collect(),
        ),
    })
}

/// The organisation a customer writes from: `o-` and 12 hex digits of SHA-256 over the domain
/// of their first email address that is not at a webmail provider. People at one company
/// domain share it and stay different people.
pub fn organisation_key(identifiers: &[String], webmail_domains: &[String]) -> Value {
    identifiers
        .iter()
        .filter_map(|i| {
            i.strip_prefix("email:")
                .or_else(|| i.strip_prefix("email-name:"))
        })
        .filter_map(|a| {
            a.split('|')
                .next()?
                .rsplit_once('@')
                .map(|(_, d)| d.to_string())
        })
        .find(|d| !webmail_domains.iter().any(|w| w.eq_ignore_ascii_case(d)))
        .map_or(Value::Null, |d| {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(format!("domain:{d}").as_bytes());
            Value::String(format!("o-{}", &hex::encode(digest)[..12]))
        })
}

/// Writes a table to `out` in the chosen format; `webmail_domains` are the providers whose
/// addresses name no organisation.
pub async fn export(
    store: &Store,
    table: ExportTable,
    format: ExportFormat,
    webmail_domains: &[String],
    out: impl Write,
) -> Result<(), ExportError> {
    let (columns, rows) = rows(store, table, webmail_domains).await?;
    match format {
        ExportFormat::Jsonl => {
            let mut out = std::io::BufWriter::new(out);
            for row in rows {
                serde_json::to_writer(&mut out, &row).map_err(std::io::Error::other)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&columns)?;
            for row in rows {
                w.write_record(columns.iter().map(|c| cell(&row[*c])))?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// A JSON value as one CSV cell: strings bare, lists `;`-joined, objects as JSON, null empty;
/// a cell a spreadsheet would run as a formula is neutralised (see [`neutralise`]).
pub(crate) fn cell(v: &Value) -> String {
    neutralise(flat(v))
}

fn flat(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(flat).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// Spreadsheets run a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// a formula (CSV injection). Such a cell gets a leading `'`, which spreadsheets show as text;
/// JSON Lines exports are never altered.
fn neutralise(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::cell;
    use serde_json::json;

    #[test]
    fn people_at_one_company_domain_share_an_organisation_and_webmail_names_none() {
        let webmail = vec!["gmail.com".to_string()];
        let a = super::organisation_key(&["email:ann@acme.example".into()], &webmail);
        let b = super::organisation_key(
            &[
                "phone:+441514960123".into(),
                "email:bob@acme.example".into(),
            ],
            &webmail,
        );
        assert_eq!(a, b);
        assert!(a
            .as_str()
            .is_some_and(|k| k.starts_with("o-") && k.len() == 14));
        assert_eq!(
            super::organisation_key(&["email:ann@gmail.com".into()], &webmail),
            json!(null)
        );
        assert_eq!(
            super::organisation_key(&["email-name:info@acme.example|ann jones".into()], &webmail),
            a
        );
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            cell(&json!("=HYPERLINK(\"http://x\")")),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(cell(&json!("+441514960123")), "'+441514960123");
        assert_eq!(cell(&json!("-1")), "'-1");
        assert_eq!(cell(&json!("@SUM(A1)")), "'@SUM(A1)");
        assert_eq!(cell(&json!("\tx")), "'\tx");
        assert_eq!(cell(&json!(["=1", "a"])), "'=1;a");
        assert_eq!(cell(&json!("Fence repair")), "Fence repair");
    }

    #[test]
    fn cells_flatten_lists_and_keep_objects_as_json() {
        assert_eq!(cell(&json!(null)), "");
        assert_eq!(cell(&json!(["a@x", "b@x"])), "a@x;b@x");
        assert_eq!(cell(&json!({"contacts": 3})), "{\"contacts\":3}");
        assert_eq!(cell(&json!(true)), "true");
    }
}

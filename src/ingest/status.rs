//! Reconciliation for `tidings status`: per IMAP folder, messages on the server (received on or
//! after `since`, when set) against messages ingested and quarantined, so a gap is visible
//! without reading logs.

use super::imap::source::source_name;
use crate::daemon::{App, DaemonError};
use std::collections::HashMap;

/// One line per source: `source  on server N  ingested N  quarantined N  pending N`.
pub async fn source_lines(app: &App) -> Result<Vec<String>, DaemonError> {
    let seen: HashMap<String, i64> = app
        .store()
        .sightings_by_source()
        .await?
        .into_iter()
        .collect();
    let quarantined: HashMap<String, i64> = app
        .store()
        .quarantine_by_source()
        .await?
        .into_iter()
        .collect();
    let mut lines = Vec::new();
    for account in &app.config().imap.accounts {
        let on_server = server_counts(account).await;
        for folder in &account.folders {
            let source = source_name(&account.name, &folder.name);
            let stored = seen.get(&source).copied().unwrap_or(0);
            let q = quarantined.get(&source).copied().unwrap_or(0);
            let ingested = stored - q;
            let line = match &on_server {
                Ok(counts) => {
                    let exists = counts.get(&folder.name).copied().unwrap_or(0);
                    let pending = (exists - stored).max(0);
                    let since = account
                        .since
                        .map(|d| format!(" since {d}"))
                        .unwrap_or_default();
                    format!("{source}\ton server {exists}{since}\tingested {ingested}\tquarantined {q}\tpending {pending}")
                }
                Err(e) => {
                    format!("{source}\ton server ? ({e})\tingested {ingested}\tquarantined {q}")
                }
            };
            lines.push(line);
        }
    }
    for (source, n) in &seen {
        if !source.starts_with("imap:") {
            let q = quarantined.get(source).copied().unwrap_or(0);
            lines.push(format!("{source}\tingested {}\tquarantined {q}", n - q));
        }
    }
    Ok(lines)
}

async fn server_counts(
    account: &super::imap::config::ImapAccountConfig,
) -> Result<HashMap<String, i64>, String> {
    let credentials = account.credentials().await?;
    let mut conn = super::imap::client::ImapConnection::connect(&account.endpoint(), &credentials)
        .await
        .map_err(|e| e.to_string())?;
    let mut counts = HashMap::new();
    for folder in &account.folders {
        let state = conn
            .examine(&folder.name)
            .await
            .map_err(|e| e.to_string())?;
        // With `since`, older messages are skipped on purpose: they are not pending.
        let count = match account.since {
            Some(date) => conn
                .search_since(date, 0)
                .await
                .map_err(|e| e.to_string())?
                .len() as i64,
            None => i64::from(state.exists),
        };
        counts.insert(folder.name.clone(), count);
    }
    let _ = conn.logout().await;
    Ok(counts)
}

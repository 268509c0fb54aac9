//! Which listed messages a folder sync downloads: every new one, less those the server
//! received before `since` and, on a rescan, those the folder is known to hold already (same
//! Message-ID and exact size); and the checkpoint each fetch batch may write so that skipped
//! messages are passed over without ever passing an uncommitted one; and the fetch batches,
//! bounded by count and bytes. Pure: no I/O.

use super::client::UidSize;
use super::config::ImapAccountConfig;
use std::collections::HashSet;

/// The messages to download, and what was left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Selection {
    /// Messages to fetch, ascending by UID.
    pub(super) wanted: Vec<UidSize>,
    /// Listed messages received before `since`.
    pub(super) skipped_before_since: usize,
    /// Listed messages already stored from this folder.
    pub(super) skipped_known: usize,
    /// The highest listed UID: the checkpoint once every wanted message is committed.
    pub(super) last_listed: u32,
}

/// Chooses what to fetch from `listed` (ascending, with Message-IDs when known). `since`:
/// the listed UIDs received on or after the `since` date, ascending (`None`: no date limit).
/// `known`: `(item_ref, size)` of items stored from this folder (empty: skip nothing). A
/// message is skipped as known only with a Message-ID and an exact size match; items stored
/// without a Message-ID have a `sha256:` reference and never match.
pub(super) fn select(
    listed: &[(UidSize, Option<String>)],
    since: Option<&[u32]>,
    known: &HashSet<(String, i64)>,
) -> Selection {
    let mut selection = Selection {
        last_listed: listed.iter().map(|(u, _)| u.uid).max().unwrap_or(0),
        ..Selection::default()
    };
    for (u, id) in listed {
        if since.is_some_and(|recent| recent.binary_search(&u.uid).is_err()) {
            selection.skipped_before_since += 1;
            continue;
        }
        let is_known = !known.is_empty()
            && id.as_ref().is_some_and(|id| {
                !id.starts_with("sha256:") && known.contains(&(id.clone(), i64::from(u.size)))
            });
        if is_known {
            selection.skipped_known += 1;
            continue;
        }
        selection.wanted.push(*u);
    }
    selection
}

/// The checkpoint UID to commit with each batch: just below the next batch's first UID, and
/// `last_listed` with the last batch. Every UID in between was listed and deliberately
/// skipped (or does not exist: UIDs only grow), so no uncommitted message is passed.
pub(super) fn checkpoint_uids(batches: &[Vec<UidSize>], last_listed: u32) -> Vec<u32> {
    let firsts = batches.iter().skip(1).map(|b| b.first().map(|u| u.uid));
    batches
        .iter()
        .zip(firsts.chain(std::iter::once(None)))
        .map(|(batch, next)| {
            let own = batch.last().map_or(0, |u| u.uid);
            match next {
                Some(next) => next.saturating_sub(1).max(own),
                None => last_listed.max(own),
            }
        })
        .collect()
}

/// Splits new UIDs into fetch batches bounded by message count and byte size (each batch has
/// at least one message). Oversized messages count as header-sized.
pub fn plan_batches(uids: &[UidSize], account: &ImapAccountConfig) -> Vec<Vec<UidSize>> {
    let max_count = account.fetch_batch_messages.max(1);
    let mut batches = Vec::new();
    let mut current: Vec<UidSize> = Vec::new();
    let mut bytes = 0u64;
    for u in uids {
        let size = if u64::from(u.size) > account.max_message_bytes {
            4096
        } else {
            u64::from(u.size)
        };
        if !current.is_empty()
            && (current.len() >= max_count || bytes + size > account.fetch_batch_bytes)
        {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(*u);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(uids: &[(u32, Option<&str>)]) -> Vec<(UidSize, Option<String>)> {
        uids.iter()
            .map(|(uid, id)| {
                (
                    UidSize {
                        uid: *uid,
                        size: 100,
                    },
                    id.map(str::to_string),
                )
            })
            .collect()
    }

    fn uids(selection: &Selection) -> Vec<u32> {
        selection.wanted.iter().map(|u| u.uid).collect()
    }

    #[test]
    fn since_keeps_only_recent_uids() {
        let all = listed(&[(3, None), (4, None), (7, None), (9, None)]);
        let s = select(&all, Some(&[4, 9]), &HashSet::new());
        assert_eq!(uids(&s), [4, 9]);
        assert_eq!(
            (s.skipped_before_since, s.skipped_known, s.last_listed),
            (2, 0, 9)
        );
        let s = select(&all, None, &HashSet::new());
        assert_eq!(uids(&s), [3, 4, 7, 9]);
    }

    #[test]
    fn known_needs_the_same_message_id_and_size() {
        let all = listed(&[
            (1, Some("a@h")),
            (2, Some("b@h")),
            (3, None),
            (4, Some("c@h")),
        ]);
        let known: HashSet<(String, i64)> = [
            ("a@h".to_string(), 100),
            ("b@h".to_string(), 101), // same id, other size: download
            ("sha256:0123".to_string(), 100),
        ]
        .into_iter()
        .collect();
        let s = select(&all, None, &known);
        assert_eq!(uids(&s), [2, 3, 4]);
        assert_eq!(s.skipped_known, 1);
        let forged = listed(&[(5, Some("sha256:0123"))]);
        assert_eq!(uids(&select(&forged, None, &known)), [5]);
    }

    #[test]
    fn checkpoints_pass_skipped_uids_but_not_the_next_batch() {
        let batch =
            |u: &[u32]| -> Vec<UidSize> { u.iter().map(|&uid| UidSize { uid, size: 1 }).collect() };
        let batches = [batch(&[2, 3]), batch(&[10, 11]), batch(&[15])];
        assert_eq!(checkpoint_uids(&batches, 20), [9, 14, 20]);
        assert_eq!(checkpoint_uids(&[batch(&[5])], 5), [5]);
        assert!(checkpoint_uids(&[], 7).is_empty());
    }
}

//! UID-set compaction for `UID FETCH` command lines.

/// Compacts ascending, de-duplicated UIDs into an IMAP set: `1:5,7,9:12`.
pub(super) fn compact_uid_set(sorted: &[u32]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(sorted.len() * 4);
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && Some(sorted[i + 1]) == end.checked_add(1) {
            i += 1;
            end = sorted[i];
        }
        let sep = if out.is_empty() { "" } else { "," };
        let _ = if end == start {
            write!(out, "{sep}{start}")
        } else {
            write!(out, "{sep}{start}:{end}")
        };
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::compact_uid_set;

    #[test]
    fn compacts_runs_into_ranges() {
        assert_eq!(compact_uid_set(&[]), "");
        assert_eq!(compact_uid_set(&[7]), "7");
        assert_eq!(
            compact_uid_set(&[1, 2, 3, 4, 5, 7, 9, 10, 11, 12]),
            "1:5,7,9:12"
        );
        assert_eq!(compact_uid_set(&[1, 3, 5]), "1,3,5");
        assert_eq!(
            compact_uid_set(&[u32::MAX - 1, u32::MAX]),
            "4294967294:4294967295"
        );
    }
}

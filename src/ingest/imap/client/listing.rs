//! Listing the examined folder: UIDs with sizes, and optionally each message's Message-ID
//! (for rescans, where known messages need not be downloaded again).

use super::{ImapConnection, ImapError, UidSize};
use crate::ingest::email::parse::message_id;
use async_imap::imap_proto::{AttributeValue, MessageSection, Response, SectionPath};

impl ImapConnection {
    /// UIDs and sizes of the examined folder's messages with UID > `after_uid`, ascending.
    /// (`UID FETCH n:*` also returns the last message when its UID < n; it is filtered out.)
    pub async fn list_uids(&mut self, after_uid: u32) -> Result<Vec<UidSize>, ImapError> {
        let listed = self.list(after_uid, false).await?;
        Ok(listed.into_iter().map(|(u, _)| u).collect())
    }

    /// As [`Self::list_uids`], with each message's Message-ID (brackets removed, normalised as
    /// for stored items), read with `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]`; `None` when the
    /// message has none or the server did not send the field. Costs a header read per message
    /// on the server: meant for rescans, not for every sync.
    pub async fn list_uids_with_ids(
        &mut self,
        after_uid: u32,
    ) -> Result<Vec<(UidSize, Option<String>)>, ImapError> {
        self.list(after_uid, true).await
    }

    async fn list(
        &mut self,
        after_uid: u32,
        with_ids: bool,
    ) -> Result<Vec<(UidSize, Option<String>)>, ImapError> {
        let Some(first) = after_uid.checked_add(1) else {
            return Ok(Vec::new());
        };
        // Cleared before listing: news arriving during the listing wakes the next idle_wait.
        self.tracker.new_data = false;
        let mut listed = Vec::new();
        let items = if with_ids {
            "UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
        } else {
            "UID RFC822.SIZE"
        };
        let command = format!("UID FETCH {first}:* ({items})");
        let tagged = self
            .command("UID FETCH (listing)", &command, |response| {
                let Response::Fetch(_, attributes) = response else {
                    return;
                };
                let (mut uid, mut size, mut id) = (None, None, None);
                for attribute in attributes {
                    match attribute {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Rfc822Size(s) => size = Some(*s),
                        AttributeValue::BodySection {
                            section: Some(SectionPath::Full(MessageSection::Header)),
                            data: Some(bytes),
                            ..
                        } if with_ids => id = message_id(bytes),
                        _ => {}
                    }
                }
                if let (Some(uid), Some(size)) = (uid, size) {
                    if uid > after_uid {
                        listed.push((UidSize { uid, size }, id));
                    }
                }
            })
            .await?;
        if self.tracker.exists == 0 && listed.is_empty() {
            return Ok(listed); // some servers answer BAD to `n:*` in an empty folder
        }
        tagged.into_result("UID FETCH (listing)", "examine a folder first")?;
        listed.sort_unstable_by_key(|(u, _)| u.uid);
        listed.dedup_by_key(|(u, _)| u.uid);
        Ok(listed)
    }
}

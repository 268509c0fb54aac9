//! Attachment metadata (name, content type, decoded size); the content itself is not kept.

use super::headers::clean_header_text;
use super::AttachmentInfo;
use mail_parser::{Message, MimeHeaders, PartType};

/// Metadata of every attachment mail-parser found at the top level.
pub(super) fn attachments(message: &Message<'_>) -> Vec<AttachmentInfo> {
    message
        .attachments
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .map(|part| {
            let content_type = match part.content_type() {
                Some(ct) => match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                },
                None => match &part.body {
                    PartType::Text(_) => "text/plain".to_string(),
                    PartType::Html(_) => "text/html".to_string(),
                    PartType::Message(_) => "message/rfc822".to_string(),
                    _ => "application/octet-stream".to_string(),
                },
            };
            let bytes: &[u8] = match &part.body {
                PartType::Text(t) | PartType::Html(t) => t.as_bytes(),
                PartType::Binary(b) | PartType::InlineBinary(b) => b,
                PartType::Message(m) => m
                    .parts
                    .first()
                    .and_then(|p| {
                        m.raw_message
                            .get(p.offset_header as usize..p.offset_end as usize)
                    })
                    .unwrap_or_default(),
                PartType::Multipart(_) => &[],
            };
            let size = match part.encoding {
                mail_parser::Encoding::Base64 => bytes.len(),
                _ => bytes.len() - bytes.windows(2).filter(|w| w == b"\r\n").count(),
            };
            AttachmentInfo {
                name: part
                    .attachment_name()
                    .map(clean_header_text)
                    .filter(|n| !n.is_empty()),
                content_type: content_type.to_ascii_lowercase(),
                size,
            }
        })
        .collect()
}

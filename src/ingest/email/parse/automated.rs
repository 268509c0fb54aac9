//! Machine-generated mail detection: delivery reports, mail-system senders, auto-replies
//! (RFC 3834 and vendor headers), null return paths, mailing lists and bulk precedence.

use super::headers::clean_header_text;
use super::{Automated, Mailbox};
use mail_parser::{HeaderName, HeaderValue, Message, MimeHeaders};

/// The first reason the message looks machine-generated: bounces first, then auto-replies,
/// then list and bulk mail.
pub(super) fn automated(message: &Message<'_>, from: Option<&Mailbox>) -> Option<Automated> {
    if let Some(ct) = message.content_type() {
        let is_report = ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"));
        if is_report {
            return Some(Automated::DeliveryReport {
                report_type: ct.attribute("report-type").map(|r| r.to_ascii_lowercase()),
            });
        }
    }
    let local = from
        .map(|f| f.address.as_str().split('@').next().unwrap_or_default())
        .unwrap_or_default();
    if local == "mailer-daemon" || local == "postmaster" {
        return Some(Automated::MailSystemSender);
    }
    let text = |name: HeaderName<'_>| {
        message
            .header(name)
            .and_then(HeaderValue::as_text)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if let Some(value) = text(HeaderName::AutoSubmitted) {
        let kind = value.split(';').next().unwrap_or_default().trim();
        if !kind.is_empty() && kind != "no" {
            return Some(Automated::AutoSubmitted { value });
        }
    }
    for header in message.headers() {
        let name = header.name.as_str();
        if ["x-autoreply", "x-autorespond", "x-autoresponder"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            return Some(Automated::AutoReplyHeader {
                header: name.to_string(),
            });
        }
    }
    let null_return_path = message
        .header_raw(HeaderName::ReturnPath)
        .is_some_and(|raw| raw.chars().filter(|c| !c.is_whitespace()).eq("<>".chars()));
    if null_return_path {
        return Some(Automated::NullReturnPath);
    }
    if message.header(HeaderName::ListId).is_some()
        || message.header(HeaderName::ListUnsubscribe).is_some()
    {
        let list_id = message.header_raw(HeaderName::ListId).and_then(|raw| {
            let raw = raw.trim();
            let id = match (raw.rfind('<'), raw.rfind('>')) {
                (Some(open), Some(close)) if open < close => &raw[open + 1..close],
                _ => raw,
            };
            let id = clean_header_text(id).to_ascii_lowercase();
            (!id.is_empty()).then_some(id)
        });
        return Some(Automated::MailingList { list_id });
    }
    if let Some(value) = text(HeaderName::Other("Precedence".into())) {
        if ["bulk", "junk", "list", "auto_reply"].contains(&value.as_str()) {
            return Some(Automated::Precedence { value });
        }
    }
    None
}

//! Building the MIME message: headers, alternative and mixed parts, attachments.

use lettre::message::{
    header::{ContentType, HeaderName, HeaderValue},
    Attachment as MimeAttachment, Body, Mailbox, MultiPart, SinglePart,
};
use lettre::Message;

use super::{Attachment, OutboundMessage, SmtpError};

/// Headers the builder sets itself; callers may not supply them.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "subject",
    "message-id",
    "date",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

fn invalid(reason: impl Into<String>) -> SmtpError {
    SmtpError::InvalidMessage {
        reason: reason.into(),
    }
}

/// Builds the MIME message: text, or text+HTML as `multipart/alternative`, inside
/// `multipart/mixed` when there are attachments.
pub(super) fn build_message(
    from: &Mailbox,
    message: &OutboundMessage,
) -> Result<Message, SmtpError> {
    let id = message.message_id.as_str();
    let id_ok = id.is_ascii()
        && id.contains('@')
        && !id.starts_with('@')
        && !id.ends_with('@')
        && !id.contains(|c: char| {
            c.is_ascii_whitespace() || c.is_ascii_control() || "<>".contains(c)
        });
    if !id_ok {
        return Err(invalid(format!(
            "Message-ID {id:?} must look like local@domain, without angle brackets or spaces"
        )));
    }
    if message.to.is_empty() {
        return Err(invalid("it has no recipients"));
    }
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(message.subject.clone())
        .message_id(Some(format!("<{id}>")));
    for address in &message.to {
        let mailbox: Mailbox = address
            .parse()
            .map_err(
                |e: lettre::address::AddressError| SmtpError::InvalidAddress {
                    address: address.clone(),
                    reason: e.to_string(),
                },
            )?;
        builder = builder.to(mailbox);
    }
    let mut auto_submitted = false;
    let mut suppress = false;
    for (name, value) in &message.headers {
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(invalid(format!("header {name} is set by Tidings itself")));
        }
        if value.contains(['\r', '\n']) {
            return Err(invalid(format!("header {name} contains a line break")));
        }
        if lower == "auto-submitted" {
            if !value.trim().to_ascii_lowercase().starts_with("auto-") {
                return Err(invalid(
                    "Auto-Submitted must be an auto-… value; Tidings never sends as a person",
                ));
            }
            auto_submitted = true;
        }
        suppress |= lower == "x-auto-response-suppress";
        let header_name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| invalid(format!("{name:?} is not a valid header name")))?;
        builder = builder.raw_header(HeaderValue::new(header_name, value.clone()));
    }
    if !auto_submitted {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    }
    if !suppress {
        // Asks Exchange not to answer with out-of-office replies.
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Auto-Response-Suppress"),
            "All".to_owned(),
        ));
    }

    let plain = SinglePart::plain(message.text.clone());
    let body = message.html.as_ref().map(|html| {
        MultiPart::alternative()
            .singlepart(plain.clone())
            .singlepart(SinglePart::html(html.clone()))
    });
    let built = if message.attachments.is_empty() {
        match body {
            Some(alternative) => builder.multipart(alternative),
            None => builder.singlepart(plain),
        }
    } else {
        let mut mixed = match body {
            Some(alternative) => MultiPart::mixed().multipart(alternative),
            None => MultiPart::mixed().singlepart(plain),
        };
        for attachment in &message.attachments {
            mixed = mixed.singlepart(attachment_part(attachment)?);
        }
        builder.multipart(mixed)
    };
    built.map_err(|e| invalid(e.to_string()))
}

fn attachment_part(attachment: &Attachment) -> Result<SinglePart, SmtpError> {
    let content_type = ContentType::parse(&attachment.content_type).map_err(|_| {
        invalid(format!(
            "attachment {:?} has an invalid content type {:?}",
            attachment.filename, attachment.content_type
        ))
    })?;
    let is_message = attachment
        .content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("message/rfc822");
    let body = if is_message {
        message_body(&attachment.bytes)
    } else {
        Body::new(attachment.bytes.clone())
    };
    Ok(MimeAttachment::new(attachment.filename.clone()).body(body, content_type))
}

/// A `message/rfc822` part must stay readable as a message (RFC 2046 §5.2.1): 7bit, else
/// 8bit, with CRLF line ends; base64 only if it cannot be either.
fn message_body(bytes: &[u8]) -> Body {
    use lettre::message::header::ContentTransferEncoding as Cte;
    let crlf = to_crlf(bytes);
    Body::new_with_encoding(crlf.clone(), Cte::SevenBit)
        .or_else(|crlf| Body::new_with_encoding(crlf, Cte::EightBit))
        .unwrap_or_else(|_| Body::new(crlf))
}

fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut previous = 0u8;
    for &byte in bytes {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> OutboundMessage {
        OutboundMessage {
            message_id: "digest-1@tidings.example.org".to_owned(),
            to: vec!["Jo Manager <jo@example.org>".to_owned()],
            subject: "Weekly digest".to_owned(),
            text: "Hello".to_owned(),
            html: None,
            attachments: vec![],
            headers: vec![],
        }
    }

    fn formatted(message: &OutboundMessage) -> String {
        let from: Mailbox = match "Tidings <tidings@example.org>".parse() {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        };
        match build_message(&from, message) {
            Ok(m) => String::from_utf8_lossy(&m.formatted()).into_owned(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn sets_message_id_and_auto_submitted() {
        let text = formatted(&message());
        assert!(text.contains("Message-ID: <digest-1@tidings.example.org>\r\n"));
        assert!(text.contains("Auto-Submitted: auto-generated\r\n"));
        assert!(text.contains("X-Auto-Response-Suppress: All\r\n"));
        assert!(!text.contains("multipart"));
    }

    #[test]
    fn html_makes_alternative_and_attachments_mixed() {
        let mut m = message();
        m.html = Some("<p>Hello</p>".to_owned());
        assert!(formatted(&m).contains("multipart/alternative"));
        m.attachments.push(Attachment {
            filename: "original.eml".to_owned(),
            content_type: "message/rfc822".to_owned(),
            bytes: b"From: a@example.org\nSubject: hi\n\nbody\n".to_vec(),
        });
        let text = formatted(&m);
        assert!(text.contains("multipart/mixed"));
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("Content-Type: message/rfc822"));
        assert!(text.contains("From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"));
    }

    #[test]
    fn caller_headers_are_checked() {
        let mut m = message();
        m.headers = vec![("Auto-Submitted".to_owned(), "auto-replied".to_owned())];
        let text = formatted(&m);
        assert!(text.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(!text.contains("auto-generated"));
        for (name, value) in [
            ("Auto-Submitted", "no"),
            ("Message-ID", "<x@y>"),
            ("X-Note", "a\r\nBcc: evil@example.org"),
            ("Bad Name", "x"),
        ] {
            m.headers = vec![(name.to_owned(), value.to_owned())];
            let from: Mailbox = "t@example.org".parse().expect("test setup");
            assert!(matches!(
                build_message(&from, &m),
                Err(SmtpError::InvalidMessage { .. })
            ));
        }
    }

    #[test]
    fn bad_ids_and_addresses_are_permanent() {
        let from: Mailbox = "t@example.org".parse().expect("test setup");
        for id in ["<a@b>", "no-at-sign", "a b@c", ""] {
            let mut m = message();
            m.message_id = id.to_owned();
            let e = build_message(&from, &m).expect_err("should fail");
            assert!(!e.is_transient(), "{id}");
        }
        let mut m = message();
        m.to = vec!["not an address".to_owned()];
        let e = build_message(&from, &m).expect_err("should fail");
        assert!(matches!(e, SmtpError::InvalidAddress { .. }));
        assert!(!e.is_transient());
    }
}

//! What routing needs to know about one inbound message, read from its original bytes once:
//! the sender, the subject, the customer's own words, and every sign that the message is
//! machine-generated or Tidings' own (so it must never be forwarded). Pure: bytes in, values
//! out. Header values come from the parser, decoded and whitespace-collapsed, so no CR or LF
//! from the original can reach a header Tidings writes.

use crate::domain::EmailAddress;
use crate::ingest::email::{parse_email, Automated, ParseLimits};
use mail_parser::{HeaderName, MessageParser};

/// Why a message is machine-generated, in routing's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineMail {
    /// A delivery report, read receipt or mail-system sender (bounces and reports).
    BounceOrReport,
    /// `Return-Path: <>`.
    EmptyReturnPath,
    /// An auto-reply: RFC 3834 `Auto-Submitted`, `X-Autoreply` and kin, `Precedence:
    /// bulk|junk|list|auto_reply`, or `X-Auto-Response-Suppress`.
    AutoReply,
    /// Mailing-list mail (`List-Id`, `List-Unsubscribe`).
    MailingList,
}

/// The facts of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageFacts {
    /// The sender's checked address.
    pub from: Option<EmailAddress>,
    /// The sender's display name, decoded (no line breaks).
    pub from_name: Option<String>,
    /// The subject, decoded and whitespace-collapsed.
    pub subject: Option<String>,
    /// The readable body text.
    pub text: String,
    /// Why it is machine-generated, if it is.
    pub machine: Option<MachineMail>,
    /// Sent or forwarded by Tidings itself (its own Message-ID domain or `X-Loop`).
    pub own_mail: bool,
}

/// How Tidings recognises its own mail: the domain of its Message-IDs and its `X-Loop` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnMarks {
    /// The domain after `@` in every Message-ID Tidings writes.
    pub message_id_domain: String,
    /// The `X-Loop` value Tidings writes (its sending address).
    pub x_loop: String,
}

/// Reads the facts of a message. Unreadable bytes give facts with no sender, which routing
/// never forwards.
pub fn message_facts(bytes: &[u8], own: &OwnMarks) -> MessageFacts {
    let mut facts = MessageFacts {
        from: None,
        from_name: None,
        subject: None,
        text: String::new(),
        machine: None,
        own_mail: false,
    };
    if let Ok(parsed) = parse_email(bytes, &ParseLimits::default()) {
        facts.machine = parsed.automated.as_ref().map(|a| match a {
            Automated::DeliveryReport { .. } | Automated::MailSystemSender => {
                MachineMail::BounceOrReport
            }
            Automated::NullReturnPath => MachineMail::EmptyReturnPath,
            Automated::AutoSubmitted { .. }
            | Automated::AutoReplyHeader { .. }
            | Automated::Precedence { .. } => MachineMail::AutoReply,
            Automated::MailingList { .. } => MachineMail::MailingList,
        });
        facts.own_mail = parsed.message_id.as_deref().is_some_and(|id| {
            id.rsplit_once('@')
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&own.message_id_domain))
        });
        facts.from_name = parsed
            .from
            .as_ref()
            .and_then(|f| f.name.as_deref())
            .map(one_line);
        facts.from = parsed.from.map(|f| f.address);
        facts.subject = parsed.subject.map(|s| one_line(&s));
        facts.text = parsed.text;
    }
    let headers = std::panic::catch_unwind(|| {
        let parser = MessageParser::default();
        parser.parse_headers(bytes).map(|m| {
            let mut loop_ours = false;
            let mut suppress = false;
            for header in m.headers() {
                let name = header.name.as_str();
                if name.eq_ignore_ascii_case("x-loop") {
                    let value = header.value.as_text().unwrap_or_default();
                    loop_ours |= value.trim().eq_ignore_ascii_case(own.x_loop.trim());
                }
                suppress |= name.eq_ignore_ascii_case("x-auto-response-suppress");
            }
            let return_path_empty = m
                .header_raw(HeaderName::ReturnPath)
                .is_some_and(|raw| raw.chars().filter(|c| !c.is_whitespace()).eq("<>".chars()));
            (loop_ours, suppress, return_path_empty)
        })
    });
    if let Ok(Some((loop_ours, suppress, return_path_empty))) = headers {
        facts.own_mail |= loop_ours;
        if facts.machine.is_none() && return_path_empty {
            facts.machine = Some(MachineMail::EmptyReturnPath);
        }
        if facts.machine.is_none() && suppress {
            facts.machine = Some(MachineMail::AutoReply);
        }
    }
    facts
}

/// `text` with every control character (CR and LF included) turned into a space and runs of
/// whitespace collapsed: safe to put in a header Tidings builds.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> OwnMarks {
        OwnMarks {
            message_id_domain: "fire.example".to_owned(),
            x_loop: "tidings@fire.example".to_owned(),
        }
    }

    fn facts(headers: &str) -> MessageFacts {
        let text = format!("{headers}\r\n\r\nHello\r\n");
        message_facts(text.as_bytes(), &own())
    }

    #[test]
    fn an_ordinary_message_from_a_customer_is_not_machine_mail() {
        let f = facts(
            "From: Ann <ann@home.example>\r\nSubject: Hydrant\r\nMessage-ID: <1@home.example>",
        );
        assert_eq!(
            f.from.as_ref().map(EmailAddress::as_str),
            Some("ann@home.example")
        );
        assert_eq!(f.machine, None);
        assert!(!f.own_mail);
    }

    #[test]
    fn auto_replies_bounces_and_lists_are_machine_mail() {
        for (headers, want) in [
            ("Auto-Submitted: auto-replied", MachineMail::AutoReply),
            ("Precedence: bulk", MachineMail::AutoReply),
            ("Precedence: junk", MachineMail::AutoReply),
            ("Precedence: list", MachineMail::AutoReply),
            ("X-Autoreply: yes", MachineMail::AutoReply),
            ("X-Auto-Response-Suppress: All", MachineMail::AutoReply),
            ("Return-Path: <>", MachineMail::EmptyReturnPath),
            (
                "List-Id: <residents.lists.example>",
                MachineMail::MailingList,
            ),
            (
                "Content-Type: multipart/report; report-type=delivery-status; boundary=x",
                MachineMail::BounceOrReport,
            ),
        ] {
            let f = facts(&format!(
                "From: ann@home.example\r\nSubject: s\r\n{headers}"
            ));
            assert_eq!(f.machine, Some(want), "{headers}");
        }
        let f = facts("From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered");
        assert_eq!(f.machine, Some(MachineMail::BounceOrReport));
        let f = facts("From: ann@home.example\r\nAuto-Submitted: no");
        assert_eq!(f.machine, None);
    }

    #[test]
    fn tidings_recognises_its_own_mail_by_message_id_domain_and_x_loop() {
        let f = facts("From: ann@home.example\r\nMessage-ID: <route-1-fwd@fire.example>");
        assert!(f.own_mail);
        let f = facts("From: ann@home.example\r\nX-Loop: tidings@fire.example");
        assert!(f.own_mail);
        let f = facts("From: ann@home.example\r\nX-Loop: someone@else.example");
        assert!(!f.own_mail);
    }

    #[test]
    fn encoded_line_breaks_in_subject_and_name_are_flattened() {
        let f = facts(
            "From: =?utf-8?q?Ann=0D=0ABcc=3A_x=40evil=2Eexample?= <ann@home.example>\r\n\
             Subject: =?utf-8?q?Help=0D=0ABcc=3A_x=40evil=2Eexample?=",
        );
        let subject = f.subject.expect("subject");
        assert!(!subject.contains(['\r', '\n']), "{subject:?}");
        let name = f.from_name.expect("name");
        assert!(!name.contains(['\r', '\n']), "{name:?}");
        assert_eq!(one_line("a\r\nb\tc"), "a b c");
    }
}

//! Email a person sends or is the subject of: direct mail (with and without signatures, from
//! personal, work and shared addresses), staff replies copied to a shared mailbox, web-form
//! relays, staff forwards (inline and attached), mail without a usable From, and a little
//! malformed mail. Every message is RFC 5322 with CRLF line endings and a Message-ID.

use super::config::SHARED_MAILBOXES;
use super::names::{SENTENCES, STAFF, SUBJECTS};
use super::people::written_phone;
use super::{Corpus, Draw, Person, Population, Who};
use crate::domain::UnixTime;

/// A message being built: header fields in order, and the body (lines joined with CRLF).
#[derive(Clone, Debug, Default)]
pub struct Message {
    /// `(name, value)` header fields, written in order.
    pub headers: Vec<(&'static str, String)>,
    /// The body, CRLF line endings.
    pub body: String,
}

impl Message {
    /// Adds a header field.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the body from lines.
    pub fn lines(mut self, lines: &[String]) -> Self {
        self.body = lines.join("\r\n") + "\r\n";
        self
    }

    /// The message's bytes.
    pub fn render(&self) -> Vec<u8> {
        let mut out = String::new();
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.headers.iter().any(|(n, _)| *n == "Content-Type") {
            out.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n");
        }
        out.push_str("\r\n");
        out.push_str(&self.body);
        out.into_bytes()
    }
}

/// Numbers messages and writes them to `mail/`.
#[derive(Clone, Debug)]
pub struct Mailer {
    seed: u64,
    next: usize,
}

/// The RFC 5322 date of a moment.
pub fn date(at: UnixTime) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc2822()
}

/// A staff member: (address, display name).
pub fn staff(draw: &mut Draw) -> (String, String) {
    let s = draw.pick(&STAFF[..STAFF.len() - 1]);
    (format!("{}@fire.example", s.local), s.name.to_string())
}

/// A few body sentences.
pub fn sentences(draw: &mut Draw, count: usize) -> Vec<String> {
    (0..count)
        .map(|_| draw.pick(SENTENCES).to_string())
        .collect()
}

impl Mailer {
    /// A mailer whose Message-IDs carry the seed.
    pub fn new(seed: u64) -> Self {
        Self { seed, next: 0 }
    }

    /// A fresh Message-ID (without `<>`) at `domain`.
    pub fn message_id(&mut self, domain: &str) -> String {
        self.next += 1;
        format!("m{}.s{}@mail.{domain}", self.next, self.seed)
    }

    /// Writes `message` (which must carry `id` as its Message-ID) and its truth line.
    pub fn send(
        &mut self,
        corpus: &mut Corpus,
        id: &str,
        message: &Message,
        who: Who<'_>,
        note: &str,
    ) {
        corpus.add(format!("mail/{:05}.eml", self.next), message.render());
        corpus.truth(id.to_string(), "email", who, note);
    }

    /// One item of email for `person`, in one of the situations above.
    pub fn person(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        pop: &Population,
        person: &Person,
    ) {
        let at = draw.moment();
        if person.all_emails().is_empty() {
            if draw.chance(85) {
                self.form_relay(corpus, draw, person, at, false);
            } else {
                self.without_from(corpus, draw, person, at);
            }
            return;
        }
        match draw.below(100) {
            0..=6 => {
                let with_email = draw.chance(75);
                self.form_relay(corpus, draw, person, at, with_email)
            }
            7..=10 => self.forward(corpus, draw, pop, person, at, false),
            11..=13 => self.forward(corpus, draw, pop, person, at, true),
            14 => self.without_from(corpus, draw, person, at),
            15..=17 => self.malformed(corpus, draw, pop, person, at),
            _ => self.direct(corpus, draw, pop, person, at),
        }
    }

    /// Mail from one of the person's addresses to the service; sometimes answered by staff
    /// with the shared mailbox copied.
    fn direct(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        pop: &Population,
        person: &Person,
        at: UnixTime,
    ) {
        let (from, who, note) = sender(draw, pop, person);
        let to = recipient(draw);
        let subject = draw.pick(SUBJECTS).to_string();
        let id = self.message_id(domain(&from));
        let mut lines = vec!["Hello,".to_string(), String::new()];
        let count = 2 + draw.below(3);
        lines.extend(sentences(draw, count));
        lines.push(String::new());
        let signed = draw.chance(45);
        lines.extend(if signed {
            signature(draw, person)
        } else {
            vec![person.first.clone()]
        });
        let message = Message::default()
            .header("From", from_header(draw, person, &from))
            .header("To", to)
            .header("Subject", subject.clone())
            .header("Date", date(at))
            .header("Message-ID", format!("<{id}>"))
            .lines(&lines);
        let note = if signed {
            format!("{note}, signed")
        } else {
            note.to_string()
        };
        self.send(corpus, &id, &message, who, &note);
        if draw.chance(35) {
            self.reply(corpus, draw, person, who, (&from, &subject, &id), at);
        }
    }

    /// A staff member's answer to `original` (from, subject, id), copied to a shared mailbox.
    fn reply(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        person: &Person,
        who: Who<'_>,
        original: (&str, &str, &str),
        at: UnixTime,
    ) {
        let (staff, staff_name) = staff(draw);
        let id = self.message_id("fire.example");
        let mut lines = vec![format!("Dear {},", person.first), String::new()];
        lines.push("Thank you for your email. A member of the team will be in touch.".into());
        lines.extend(["".into(), "Kind regards,".into(), staff_name.clone()]);
        lines.push("Northshire Fire and Rescue Service".into());
        let message = Message::default()
            .header("From", format!("{staff_name} <{staff}>"))
            .header("To", original.0.to_string())
            .header("Cc", SHARED_MAILBOXES[0].to_string())
            .header("Subject", format!("Re: {}", original.1))
            .header("Date", date(at + 3600 + draw.below(48 * 3600) as UnixTime))
            .header("Message-ID", format!("<{id}>"))
            .header("In-Reply-To", format!("<{}>", original.2))
            .lines(&lines);
        self.send(
            corpus,
            &id,
            &message,
            who,
            "staff reply copied to shared mailbox",
        );
    }

    /// The website's contact form relays the enquiry; Reply-To is the person when they gave
    /// an email address.
    fn form_relay(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        person: &Person,
        at: UnixTime,
        with_email: bool,
    ) {
        let relay = if draw.chance(50) {
            "noreply@fire.example"
        } else {
            "forms@fire.example"
        };
        let id = self.message_id("fire.example");
        let email = person
            .emails
            .first()
            .or(person.work_email.as_ref())
            .filter(|_| with_email);
        let mut lines = vec![
            "A new enquiry was submitted through the website contact form.".to_string(),
            String::new(),
            format!("Name: {}", person.full_name()),
        ];
        if let Some(e) = email {
            lines.push(format!("Email: {e}"));
        }
        if let Some(p) = person.phones.first() {
            lines.push(format!("Phone: {}", written_phone(p, draw.below(4))));
        }
        lines.push(format!("Address: {}", person.address.lines.join(", ")));
        lines.push(format!("Postcode: {}", person.address.postcode));
        lines.push(format!("Subject: {}", draw.pick(SUBJECTS)));
        lines.push(format!("Message: {}", sentences(draw, 2).join(" ")));
        let mut message = Message::default()
            .header("From", format!("Website forms <{relay}>"))
            .header("To", SHARED_MAILBOXES[0].to_string())
            .header("Subject", "Website enquiry")
            .header("Date", date(at))
            .header("Message-ID", format!("<{id}>"));
        if let Some(e) = email {
            message = message.header("Reply-To", format!("{} <{e}>", person.full_name()));
        }
        let note = if email.is_some() {
            "web-form relay"
        } else {
            "web-form relay without email"
        };
        self.send(
            corpus,
            &id,
            &message.lines(&lines),
            Who::person(person),
            note,
        );
    }

    /// A member of staff passes on the person's mail, inline or as an attached message.
    fn forward(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        pop: &Population,
        person: &Person,
        at: UnixTime,
        attached: bool,
    ) {
        let (from, who, _) = sender(draw, pop, person);
        let (staff, staff_name) = staff(draw);
        let subject = draw.pick(SUBJECTS).to_string();
        let original_id = self.message_id(domain(&from));
        let body = sentences(draw, 3);
        let id = self.message_id("fire.example");
        let to = SHARED_MAILBOXES[draw.below(2)].to_string();
        let head = Message::default()
            .header("From", format!("{staff_name} <{staff}>"))
            .header("To", to)
            .header("Subject", format!("Fwd: {subject}"))
            .header("Date", date(at + 7200))
            .header("Message-ID", format!("<{id}>"));
        let original_from = from_header(draw, person, &from);
        let message = if attached {
            let inner = Message::default()
                .header("From", original_from)
                .header("To", staff)
                .header("Subject", subject)
                .header("Date", date(at))
                .header("Message-ID", format!("<{original_id}>"))
                .lines(&body);
            let inner = String::from_utf8_lossy(&inner.render()).to_string();
            let mut m = head
                .header("MIME-Version", "1.0")
                .header("Content-Type", "multipart/mixed; boundary=\"fwd-part\"");
            m.body = format!(
                "--fwd-part\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nForwarding the message below for the record.\r\n\r\n{staff_name}\r\n\
                 --fwd-part\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n{inner}\r\n--fwd-part--\r\n"
            );
            m
        } else {
            let mut lines = vec![
                "Passing this on for the contact log.".to_string(),
                String::new(),
                "---------- Forwarded message ---------".to_string(),
                format!("From: {original_from}"),
                format!("Date: {}", date(at)),
                format!("Subject: {subject}"),
                format!("To: <{staff}>"),
                String::new(),
            ];
            lines.extend(body);
            head.lines(&lines)
        };
        let note = if attached {
            "staff forward, attached message"
        } else {
            "staff forward, inline"
        };
        self.send(corpus, &id, &message, who, note);
    }

    /// No usable From: the only identity is the signature in the body.
    fn without_from(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        person: &Person,
        at: UnixTime,
    ) {
        let id = self.message_id("btinternet.example");
        let mut lines = vec!["Dear Sir or Madam,".to_string(), String::new()];
        lines.extend(sentences(draw, 3));
        lines.push(String::new());
        lines.extend(signature(draw, person));
        let message = Message::default()
            .header("From", "undisclosed-recipients:;")
            .header("To", SHARED_MAILBOXES[0].to_string())
            .header("Subject", draw.pick(SUBJECTS).to_string())
            .header("Date", date(at))
            .header("Message-ID", format!("<{id}>"))
            .lines(&lines);
        self.send(
            corpus,
            &id,
            &message,
            Who::person(person),
            "no usable From, signature in body",
        );
    }

    /// A bad Date header, or MIME whose boundary never appears.
    fn malformed(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        pop: &Population,
        person: &Person,
        at: UnixTime,
    ) {
        let (from, who, _) = sender(draw, pop, person);
        let id = self.message_id(domain(&from));
        let broken_mime = draw.chance(50);
        let mut message = Message::default()
            .header("From", from_header(draw, person, &from))
            .header("To", recipient(draw))
            .header("Subject", draw.pick(SUBJECTS).to_string())
            .header(
                "Date",
                if broken_mime {
                    date(at)
                } else {
                    "Tuesday last week, about 3pm".into()
                },
            )
            .header("Message-ID", format!("<{id}>"));
        let mut lines = sentences(draw, 2);
        lines.push(person.full_name());
        if broken_mime {
            message = message.header("MIME-Version", "1.0").header(
                "Content-Type",
                "multipart/alternative; boundary=\"never-used\"",
            );
            lines.insert(0, "--some-other-boundary".into());
        }
        let note = if broken_mime {
            "malformed: boundary missing"
        } else {
            "malformed: bad date"
        };
        self.send(corpus, &id, &message.lines(&lines), who, note);
    }
}

/// Which of the person's addresses a message comes from, whom it belongs to, and a note.
fn sender<'a>(
    draw: &mut Draw,
    pop: &'a Population,
    person: &'a Person,
) -> (String, Who<'a>, &'static str) {
    if let Some(org) = person.organisation.map(|o| &pop.organisations[o]) {
        if draw.chance(30) {
            return (
                org.shared.clone(),
                Who::for_org(person, pop),
                "shared company mailbox",
            );
        }
        if let Some(work) = person
            .work_email
            .as_ref()
            .filter(|_| person.emails.is_empty() || draw.chance(50))
        {
            return (work.clone(), Who::for_org(person, pop), "work address");
        }
    }
    let personal = &person.emails;
    // The first address is the one mostly used.
    let address = if personal.len() > 1 && draw.chance(30) {
        &personal[1]
    } else {
        &personal[0]
    };
    let note = if personal.len() > 1 {
        "personal address, one of several"
    } else {
        "personal address"
    };
    (address.clone(), Who::person(person), note)
}

/// Where a customer writes to: a shared mailbox or a member of staff.
fn recipient(draw: &mut Draw) -> String {
    match draw.below(100) {
        0..=44 => SHARED_MAILBOXES[0].to_string(),
        45..=64 => SHARED_MAILBOXES[1].to_string(),
        _ => staff(draw).0,
    }
}

fn domain(address: &str) -> &str {
    address.rsplit('@').next().unwrap_or("example")
}

/// The From field as mail programs write it, with the name in one of several forms.
pub fn from_header(draw: &mut Draw, person: &Person, address: &str) -> String {
    match draw.below(10) {
        0..=4 => format!("{} <{address}>", person.full_name()),
        5 => format!("\"{}, {}\" <{address}>", person.surname, person.first),
        6 => format!("{} <{address}>", person.full_name().to_uppercase()),
        7 => format!("{} <{address}>", person.first),
        8 => format!("{}. {} <{address}>", &person.first[..1], person.surname),
        _ => address.to_string(),
    }
}

/// A sign-off with the name and, often, a phone number and the postal address.
pub fn signature(draw: &mut Draw, person: &Person) -> Vec<String> {
    let mut lines = vec!["Kind regards,".to_string(), person.full_name()];
    if let Some(p) = person.phones.get(draw.below(person.phones.len().max(1))) {
        if draw.chance(70) {
            let label = *draw.pick(&["", "Tel: ", "Mobile: ", "Phone: "]);
            lines.push(format!("{label}{}", written_phone(p, draw.below(4))));
        }
    }
    if draw.chance(50) {
        lines.push(format!(
            "{} {}",
            person.address.lines.join(", "),
            person.address.postcode
        ));
    }
    lines
}

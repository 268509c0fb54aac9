//! Mail that belongs to no customer: delivery failures, auto-replies (also from customers'
//! own addresses), newsletters, no-reply notifications and staff writing to each other.
//! Each has `person: null` in the truth.

use super::config::SHARED_MAILBOXES;
use super::mail::{date, sentences, staff, Mailer, Message};
use super::{Corpus, Draw, Population, Who};

/// Writes the population's share of non-customer mail.
pub fn background(corpus: &mut Corpus, mailer: &mut Mailer, draw: &mut Draw, pop: &Population) {
    let n = pop.people.len();
    for _ in 0..(n / 25).max(1) {
        bounce(corpus, mailer, draw, pop);
    }
    for _ in 0..(n / 25).max(1) {
        auto_reply(corpus, mailer, draw, pop);
    }
    for _ in 0..(n / 15).max(1) {
        newsletter(corpus, mailer, draw);
    }
    for _ in 0..(n / 20).max(1) {
        no_reply(corpus, mailer, draw);
    }
    for _ in 0..(n / 15).max(1) {
        internal(corpus, mailer, draw);
    }
}

/// A customer's address, for mail that mentions one without being from them.
fn some_address(draw: &mut Draw, pop: &Population) -> String {
    for _ in 0..50 {
        let p = draw.pick(&pop.people);
        if let Some(a) = p.all_emails().first() {
            return (*a).to_string();
        }
    }
    "someone@gmail.example".into()
}

fn bounce(corpus: &mut Corpus, mailer: &mut Mailer, draw: &mut Draw, pop: &Population) {
    let at = draw.moment();
    let (staff, _) = staff(draw);
    let failed = some_address(draw, pop).replace('@', "-old@");
    let id = mailer.message_id("mx.fire.example");
    let mut m = Message::default()
        .header(
            "From",
            "Mail Delivery System <MAILER-DAEMON@mx.fire.example>",
        )
        .header("To", staff.clone())
        .header("Subject", "Undelivered Mail Returned to Sender")
        .header("Date", date(at))
        .header("Message-ID", format!("<{id}>"))
        .header("Auto-Submitted", "auto-replied")
        .header("MIME-Version", "1.0")
        .header(
            "Content-Type",
            "multipart/report; report-type=delivery-status; boundary=\"dsn\"",
        );
    m.body = format!(
        "--dsn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         This is the mail system at host mx.fire.example.\r\n\
         Your message could not be delivered to one or more recipients.\r\n\r\n<{failed}>: host not found\r\n\
         --dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.fire.example\r\n\r\n\
         Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.2\r\n\
         --dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {staff}\r\nTo: {failed}\r\nSubject: Your enquiry\r\n\
         --dsn--\r\n"
    );
    mailer.send(corpus, &id, &m, Who::nobody(), "bounce");
}

fn auto_reply(corpus: &mut Corpus, mailer: &mut Mailer, draw: &mut Draw, pop: &Population) {
    let at = draw.moment();
    let (staff, _) = staff(draw);
    let from = some_address(draw, pop);
    let id = mailer.message_id(from.rsplit('@').next().unwrap_or("example"));
    let m = Message::default()
        .header("From", from)
        .header("To", staff)
        .header("Subject", "Automatic reply: Your enquiry")
        .header("Date", date(at))
        .header("Message-ID", format!("<{id}>"))
        .header("Auto-Submitted", "auto-replied")
        .lines(&["I am away until next week and will reply when I return.".into()]);
    mailer.send(
        corpus,
        &id,
        &m,
        Who::nobody(),
        "auto-reply from a customer's address",
    );
}

fn newsletter(corpus: &mut Corpus, mailer: &mut Mailer, draw: &mut Draw) {
    let at = draw.moment();
    let (sender, name) = *draw.pick(&[
        ("news@safercommunities.example", "Safer Communities News"),
        ("bulletin@localgov.example", "Local Government Bulletin"),
        ("updates@firekit.example", "FireKit Supplies"),
    ]);
    let id = mailer.message_id(sender.rsplit('@').next().unwrap_or("example"));
    let mut lines = vec!["This month's news and events.".to_string(), String::new()];
    lines.extend(sentences(draw, 3));
    lines.push("To stop receiving these emails, unsubscribe at any time.".into());
    let m = Message::default()
        .header("From", format!("{name} <{sender}>"))
        .header("To", SHARED_MAILBOXES[1].to_string())
        .header("Subject", "Monthly newsletter")
        .header("Date", date(at))
        .header("Message-ID", format!("<{id}>"))
        .header(
            "List-Unsubscribe",
            format!(
                "<mailto:unsubscribe@{}>",
                &sender[sender.find('@').map_or(0, |i| i + 1)..]
            ),
        )
        .header("Precedence", "bulk")
        .lines(&lines);
    mailer.send(corpus, &id, &m, Who::nobody(), "newsletter");
}

fn no_reply(corpus: &mut Corpus, mailer: &mut Mailer, draw: &mut Draw) {
    let at = draw.moment();
    let (staff, _) = staff(draw);
    let sender = *draw.pick(&[
        "no-reply@parcels.example",
        "noreply@council.example",
        "donotreply@booking.example",
    ]);
    let id = mailer.message_id(sender.rsplit('@').next().unwrap_or("example"));
    let m = Message::default()
        .header("From", sender)
        .header("To", staff)
        .header("Subject", "Your booking is confirmed")
        .header("Date", date(at))
        .header("Message-ID", format!("<{id}>"))
        .lines(&["This is an automated message; replies to this address are not read.".into()]);
    mailer.send(corpus, &id, &m, Who::nobody(), "no-reply sender");
}

fn internal(corpus: &mut Corpus, mailer: &mut Mailer, draw: &mut Draw) {
    let at = draw.moment();
    let (from, from_name) = staff(draw);
    let (to, _) = staff(draw);
    let id = mailer.message_id("fire.example");
    let subject = *draw.pick(&[
        "Rota for next week",
        "Training on Thursday",
        "Van booking",
        "Team meeting notes",
    ]);
    let mut lines = vec!["Hi,".to_string(), String::new()];
    lines.extend(sentences(draw, 2));
    lines.push(from_name.clone());
    let m = Message::default()
        .header("From", format!("{from_name} <{from}>"))
        .header("To", to)
        .header("Subject", subject)
        .header("Date", date(at))
        .header("Message-ID", format!("<{id}>"))
        .lines(&lines);
    mailer.send(corpus, &id, &m, Who::nobody(), "internal staff mail");
}

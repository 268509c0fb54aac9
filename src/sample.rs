//! Generated sample mail: the bundled demo inbox and the benchmarks' typical messages.
//! Deterministic for a given seed; dates relative to a given "now".

use crate::domain::UnixTime;

/// Fixed topics for generated messages.
const TOPICS: &[&str] = &[
    "Home fire safety visit",
    "Smoke alarm fitted last week",
    "Bonfire near the allotments",
    "Fire hydrant marker missing",
    "Question about a fire risk assessment",
    "Thank you to the crew",
    "Access for fire engines on our road",
    "Complaint about response time",
];

/// Plain paragraphs used to make messages of typical size (about 2.5 KB).
const PARAGRAPH: &str = "I am writing about the matter below and would be grateful for an update \
when you have a moment. I have included the details I have so far, and I am happy to provide more \
information if that would help. Please let me know the best way to arrange a visit, and whether \
anything is needed from me before then.";

/// A small xorshift generator: deterministic, no dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// One generated message.
#[derive(Clone, Debug)]
pub struct SampleMessage {
    /// File name for a drop folder or Maildir.
    pub file_name: String,
    /// RFC 5322 bytes with CRLF line endings.
    pub bytes: Vec<u8>,
}

/// Builds one message from `from` to `to`.
pub fn message(
    n: usize,
    from: (&str, &str),
    to: &str,
    subject: &str,
    at: UnixTime,
    paragraphs: usize,
) -> SampleMessage {
    let date = chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc2822();
    let mut body = String::new();
    for _ in 0..paragraphs {
        body.push_str(PARAGRAPH);
        body.push_str("\r\n\r\n");
    }
    let text = format!(
        "From: {name} <{addr}>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <sample-{n}-{at}@tidings.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Dear team,\r\n\r\n{body}Kind regards,\r\n{name}\r\n",
        name = from.0,
        addr = from.1,
    );
    SampleMessage {
        file_name: format!("{n:06}.eml"),
        bytes: text.into_bytes(),
    }
}

/// A message carrying a base64 attachment of about `attachment_bytes`, as a scanned
/// document sent by a resident would.
pub fn with_attachment(n: usize, at: UnixTime, attachment_bytes: usize) -> SampleMessage {
    let date = chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc2822();
    let line =
        "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+CnN0\r\n";
    let mut text = format!(
        "From: Resident Large {n} <large{n}@mail.example.net>\r\nTo: enquiries@example.org\r\n\
         Subject: Scanned documents\r\nDate: {date}\r\nMessage-ID: <large-{n}-{at}@tidings.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find the documents attached.\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"scan.pdf\"\r\n\r\n"
    );
    text.reserve(attachment_bytes + 64);
    while text.len() < attachment_bytes {
        text.push_str(line);
    }
    text.push_str("--b1--\r\n");
    SampleMessage {
        file_name: format!("large-{n:06}.eml"),
        bytes: text.into_bytes(),
    }
}

/// `count` typical messages from a population of senders to a few staff, spread over the
/// 20 days before `now`.
pub fn typical(count: usize, now: UnixTime, seed: u64) -> impl Iterator<Item = SampleMessage> {
    let mut rng = Rng::new(seed);
    (0..count).map(move |n| {
        let sender = rng.below(5000);
        let topic = TOPICS[rng.below(TOPICS.len() as u64) as usize];
        let staff = rng.below(12);
        let at = now - rng.below(20 * 86_400) as i64;
        message(
            n,
            (
                &format!("Resident {sender}"),
                &format!("resident{sender}@mail.example.net"),
            ),
            &format!("officer{staff}@example.org"),
            topic,
            at,
            5,
        )
    })
}

/// The demo inbox: 30 residents writing once or twice over three weeks, and one writing
/// about the same topic to several staff 15 times in 10 days — a contact-volume pattern.
pub fn demo_inbox(now: UnixTime) -> Vec<SampleMessage> {
    let mut rng = Rng::new(7);
    let mut out = Vec::new();
    let mut n = 0;
    for resident in 0..30 {
        let messages = 1 + rng.below(2);
        for _ in 0..messages {
            let topic = TOPICS[rng.below(TOPICS.len() as u64) as usize];
            let at = now - 3600 - rng.below(21 * 86_400) as i64;
            let name = format!("Resident {resident}");
            let addr = format!("resident{resident}@mail.example.net");
            out.push(message(
                n,
                (&name, &addr),
                "enquiries@example.org",
                topic,
                at,
                2,
            ));
            n += 1;
        }
    }
    for i in 0..15 {
        let at = now - 3600 - (i as i64) * 16 * 3600;
        let to = [
            "enquiries@example.org",
            "station.manager@example.org",
            "community.safety@example.org",
        ][i % 3];
        let subject = if i == 0 {
            "Hydrant outside number 12".to_string()
        } else {
            format!("Re: Hydrant outside number 12 ({i})")
        };
        out.push(message(
            n,
            ("Sam Example", "sam.example@mail.example.net"),
            to,
            &subject,
            at,
            1,
        ));
        n += 1;
    }
    out
}

/// A generic headed call-log export (`Call ID,Start Time,Direction,Caller,Called,Agent,
/// Extension,Duration,Result`) of `count` calls from a population of residents over the 20
/// days before `now`: mostly answered inbound calls, some missed, a few withheld, some staff
/// calling back. Numbers are from Ofcom's drama ranges. Times are UTC (ISO 8601 with `Z`).
pub fn call_log(count: usize, now: UnixTime, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(count * 110 + 100);
    out.push_str("Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n");
    for n in 0..count {
        let resident = rng.below(1000);
        let number = format!("0151 496 {:04}", resident);
        let ext = 2000 + rng.below(12);
        let at = chrono::DateTime::from_timestamp(now - rng.below(20 * 86_400) as i64, 0)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%SZ");
        let (direction, caller, called) = match rng.below(10) {
            0 => ("outbound", ext.to_string(), number),
            1 => ("inbound", "Withheld".to_string(), ext.to_string()),
            _ => ("inbound", number, ext.to_string()),
        };
        let (duration, result) = match rng.below(6) {
            0 => (0, "missed"),
            _ => (30 + rng.below(600), "answered"),
        };
        out.push_str(&format!(
            "demo-{seed}-{n},{at},{direction},{caller},{called},Officer {ext},{ext},{duration},{result}\n"
        ));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_call_log_reads_as_calls() {
        let log = call_log(200, 1_800_000_000, 3);
        let parsed = crate::ingest::calls::parse_call_log(
            &log,
            "demo.csv",
            crate::ingest::calls::FormatChoice::Auto,
            &crate::ingest::calls::CallContext::default(),
        )
        .expect("a known shape");
        assert_eq!(parsed.rows.len(), 200);
        assert!(
            parsed.rows.iter().all(Result::is_ok),
            "{:?}",
            parsed.rows.iter().find(|r| r.is_err())
        );
    }

    #[test]
    fn typical_messages_are_typical_size() {
        let sizes: Vec<usize> = typical(50, 1_800_000_000, 1)
            .map(|m| m.bytes.len())
            .collect();
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        assert!((1500..4000).contains(&mean), "{mean}");
    }

    #[test]
    fn demo_inbox_has_one_high_volume_sender() {
        let inbox = demo_inbox(1_800_000_000);
        let sam = inbox
            .iter()
            .filter(|m| String::from_utf8_lossy(&m.bytes).contains("sam.example@"))
            .count();
        assert_eq!(sam, 15);
        assert!(inbox.len() > 45);
    }
}

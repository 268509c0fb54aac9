//! A labelled flags corpus: ordinary residents writing now and then, the messages of the
//! signal layer's labelled set (`src/signals/labelled.toml`, each with the kinds a reviewer
//! expects) sent by residents of their own, and customers whose contact forms — or nearly
//! forms — each pattern: a burst of contacts, one topic raised with several staff, a topic
//! raised again after a staff reply. Written as a mail drop folder with `flags-truth.jsonl`
//! saying which flags a reviewer expects. Owns generation only.

use super::{config, names::STAFF, Draw, FIRST_DAY};
use crate::domain::UnixTime;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One line of `flags-truth.jsonl`: a flag a reviewer expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagTruth {
    /// The kind.
    pub kind: String,
    /// For an item kind the item's reference; for a pattern kind the customer's address.
    pub subject: String,
}

/// What a flags corpus holds: files relative to its folder, and the truth.
#[derive(Clone, Debug, Default)]
pub struct FlagsCorpus {
    /// `(relative path, bytes)`.
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// The flags a reviewer expects.
    pub truth: Vec<FlagTruth>,
}

struct Writer {
    corpus: FlagsCorpus,
    n: usize,
}

impl Writer {
    /// Writes one email; returns its item reference (the Message-ID).
    fn mail(&mut self, from: &str, to: &str, subject: &str, at: UnixTime, body: &str) -> String {
        self.n += 1;
        let id = format!("fc-{}@corpus.example", self.n);
        let date = chrono::DateTime::from_timestamp(at, 0)
            .unwrap_or_default()
            .to_rfc2822();
        let text = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
            body.replace('\n', "\r\n")
        );
        self.corpus.files.push((
            PathBuf::from(format!("mail/{:05}.eml", self.n)),
            text.into_bytes(),
        ));
        id
    }

    fn expect(&mut self, kind: &str, subject: &str) {
        self.corpus.truth.push(FlagTruth {
            kind: kind.to_string(),
            subject: subject.to_string(),
        });
    }
}

const ORDINARY: &[(&str, &str)] = &[
    ("Smoke alarm fitting", "Could you let me know when someone can fit a smoke alarm for my mother? She lives on her own."),
    ("Open day", "Is the station open day still going ahead this summer, and can children visit the engines?"),
    ("Bonfire advice", "We are planning a small bonfire for the school fair. Is there any advice we should follow?"),
    ("Hydrant marker", "The yellow hydrant marker on our street has been painted over by the council."),
    ("Thank you", "Thank you to the crew who came out on Tuesday, they were very kind to my son."),
    ("Home safety visit", "I would like to book a home fire safety visit for my flat when convenient."),
    ("Volunteering", "I am interested in volunteering with the community safety team. Who should I talk to?"),
    ("Car fire", "There was a burnt out car on the corner last week. Has it been reported to the council?"),
];

fn staff(i: usize) -> String {
    let ordinary: Vec<&str> = STAFF
        .iter()
        .filter(|s| !s.senior)
        .map(|s| s.local)
        .collect();
    format!("{}@fire.example", ordinary[i % ordinary.len()])
}

fn day(d: i64, hour: i64) -> UnixTime {
    FIRST_DAY + d * 86_400 + hour * 3600
}

/// Generates the flags corpus for `seed` into memory; `dir` is where it will be written.
pub fn generate(dir: &Path, seed: u64) -> Result<FlagsCorpus, crate::signals::EvalError> {
    let mut draw = Draw::new(seed);
    let mut w = Writer {
        corpus: FlagsCorpus::default(),
        n: 0,
    };
    w.corpus.files.push((
        "tidings.toml".into(),
        config::tidings_toml(dir).into_bytes(),
    ));
    w.corpus
        .files
        .push(("staff.csv".into(), config::staff_csv().into_bytes()));
    // Ordinary residents: one to three contacts over four months.
    for r in 0..120 {
        let from = format!("resident{r}@mail.example.net");
        for _ in 0..1 + draw.below(3) {
            let (subject, body) = *draw.pick(ORDINARY);
            w.mail(
                &from,
                &staff(draw.below(8)),
                subject,
                day(draw.below(120) as i64, 9 + draw.below(8) as i64),
                body,
            );
        }
    }
    // The signal layer's labelled messages, each from a resident of its own.
    for (i, case) in crate::signals::labelled_set()?.into_iter().enumerate() {
        let from = format!("writer{i}@mail.example.net");
        let id = w.mail(
            &from,
            &staff(i),
            "My enquiry",
            day(draw.below(120) as i64, 11),
            &case.text,
        );
        for kind in &case.kinds {
            w.expect(kind, &id);
        }
    }
    for p in 0..4 {
        let start = 10 + p * 25;
        // contact-volume: ten to thirteen contacts in four days to one staff member.
        let from = format!("burst{p}@mail.example.net");
        for i in 0..10 + p {
            w.mail(&from, &staff(p as usize), &format!("Fence repair, part {i}"), day(start + i / 3, 9 + i % 3), "The fence at the back of the station is still broken and the gap is getting bigger.");
        }
        w.expect("contact-volume", &from);
        // Near miss: five contacts in six days.
        let from = format!("steady{p}@mail.example.net");
        for i in 0..5 {
            w.mail(
                &from,
                &staff(p as usize),
                &format!("Parking, note {i}"),
                day(start + i, 10),
                "Fire engines are blocked by parked cars on our road in the evenings.",
            );
        }
        // staff-spread: one topic to four different staff members in three weeks.
        let from = format!("spread{p}@mail.example.net");
        let subject = format!("Hydrant outside number {}", 10 + p);
        for i in 0..4 {
            w.mail(&from, &staff(p as usize + i as usize), &subject, day(start + i * 6, 14), "The hydrant outside my house has been leaking for weeks and the pavement is flooded every morning.");
        }
        w.expect("staff-spread", &from);
        // Near miss: the same topic with two staff members.
        let from = format!("pair{p}@mail.example.net");
        for i in 0..3 {
            w.mail(
                &from,
                &staff(i as usize % 2),
                "Alarm battery",
                day(start + i * 5, 15),
                "How often should I change the battery in the alarm your crew fitted last year?",
            );
        }
        // repeat-topic: a reply from staff, then three more contacts on the topic.
        let from = format!("again{p}@mail.example.net");
        let subject = format!("Blocked access at {} Mill Lane", 3 + p);
        let to = staff(p as usize + 3);
        w.mail(&from, &to, &subject, day(start, 9), "The access road behind Mill Lane is blocked by skips and an engine could not get through.");
        w.mail(
            &to,
            &from,
            &format!("Re: {subject}"),
            day(start + 2, 12),
            "Thank you, we have asked the council to move the skips and will check next week.",
        );
        for i in 0..3 {
            w.mail(
                &from,
                &to,
                &format!("Re: {subject}"),
                day(start + 10 + i * 7, 9),
                "The skips behind Mill Lane are still there and the access road is still blocked.",
            );
        }
        w.expect("repeat-topic", &from);
        // Near miss: one follow-up after the reply.
        let from = format!("once{p}@mail.example.net");
        w.mail(&from, &to, "Leaflets", day(start, 10), "Could you send some fire safety leaflets in large print for our residents' association?");
        w.mail(
            &to,
            &from,
            "Re: Leaflets",
            day(start + 1, 10),
            "Of course, they are in the post today.",
        );
        w.mail(
            &from,
            &to,
            "Re: Leaflets",
            day(start + 6, 10),
            "Thank you, the leaflets arrived and people found them useful.",
        );
    }
    let truth: String = w
        .corpus
        .truth
        .iter()
        .map(|t| serde_json::to_string(t).unwrap_or_default() + "\n")
        .collect();
    w.corpus
        .files
        .push(("flags-truth.jsonl".into(), truth.into_bytes()));
    Ok(w.corpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_expects_every_kind_and_is_deterministic() {
        let a = generate(Path::new("/corpus"), 3).expect("the labelled set parses");
        let b = generate(Path::new("/corpus"), 3).expect("the labelled set parses");
        assert_eq!(a.files, b.files);
        for kind in [
            "contact-volume",
            "staff-spread",
            "repeat-topic",
            "language-review",
            "safety",
        ] {
            assert!(a.truth.iter().any(|t| t.kind == kind), "{kind}");
        }
    }
}

//! Letters a person posts: the sender's block (name, address, postcode, sometimes a phone
//! number or email address) top right, the date, the service's address block, "Dear …",
//! a subject line, the body, the close and the signature name — written as one-page PDFs
//! with a text layer. Some people write on their organisation's behalf from its address.

use super::mail::sentences;
use super::names::{STAFF, SUBJECTS};
use super::pdf::{one_page, Line};
use super::people::written_phone;
use super::{Corpus, Draw, Person, Population, Who};

/// Line spacing in points.
const LEADING: u32 = 15;

/// Numbers letters.
#[derive(Clone, Debug, Default)]
pub struct Letters {
    next: usize,
}

impl Letters {
    /// One letter from `person`.
    pub fn person(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        pop: &Population,
        person: &Person,
    ) {
        self.next += 1;
        let name = format!("letter-{:04}.pdf", self.next);
        let org = person
            .organisation
            .map(|o| &pop.organisations[o])
            .filter(|_| draw.chance(40));
        let sender_name = match draw.below(10) {
            0 => format!("{} {}", &person.first[..1], person.surname),
            1 => format!("{}. {}", &person.first[..1], person.surname),
            _ => person.full_name(),
        };
        let mut right = vec![sender_name];
        let (address, who, mut note) = match org {
            Some(o) => {
                right.push(o.name.clone());
                (
                    &o.address,
                    Who::for_org(person, pop),
                    "letter on organisation's behalf".to_string(),
                )
            }
            None => (
                &person.address,
                Who::person(person),
                "letter from home address".to_string(),
            ),
        };
        right.extend(address.lines.iter().cloned());
        right.push(address.postcode.clone());
        if let Some(p) = person.phones.first().filter(|_| draw.chance(40)) {
            let label = *draw.pick(&["Tel: ", "Telephone: ", "Mobile: ", ""]);
            right.push(format!("{label}{}", written_phone(p, draw.below(4))));
            note.push_str(", phone");
        }
        if let Some(e) = person.all_emails().first().filter(|_| draw.chance(25)) {
            right.push((*e).to_string());
            note.push_str(", email");
        }
        let at = chrono::DateTime::from_timestamp(draw.moment(), 0).unwrap_or_default();
        let letter_date = match draw.below(3) {
            0 => at.format("%d/%m/%Y").to_string(),
            _ => at.format("%-d %B %Y").to_string(),
        };
        let mut lines = Vec::new();
        let mut y = 780;
        for text in right {
            lines.push(Line { x: 360, y, text });
            y -= LEADING;
        }
        y -= LEADING;
        lines.push(Line {
            x: 360,
            y,
            text: letter_date,
        });
        y -= 2 * LEADING;
        for text in [
            "Customer Relations Team",
            "Northshire Fire and Rescue Service",
            "1 Dock Road",
            "Birkenhead",
            "CH41 1FD",
        ] {
            lines.push(Line {
                x: 72,
                y,
                text: text.into(),
            });
            y -= LEADING;
        }
        y -= LEADING;
        let dear = if draw.chance(60) {
            "Dear Sir or Madam,".to_string()
        } else {
            format!("Dear {},", draw.pick(&STAFF[..STAFF.len() - 1]).name)
        };
        let formal = dear.contains("Sir");
        let mut push = |text: String, gap: u32| {
            lines.push(Line { x: 72, y, text });
            y -= gap;
        };
        push(dear, 2 * LEADING);
        push(format!("Re: {}", draw.pick(SUBJECTS)), 2 * LEADING);
        let count = 3 + draw.below(4);
        for sentence in sentences(draw, count) {
            push(sentence, LEADING);
        }
        y -= LEADING;
        let close = if formal {
            "Yours faithfully,"
        } else {
            "Yours sincerely,"
        };
        let mut push = |text: String, gap: u32| {
            lines.push(Line { x: 72, y, text });
            y -= gap;
        };
        push(close.into(), 4 * LEADING);
        push(person.full_name(), LEADING);
        corpus.add(format!("letters/{name}"), one_page(&lines));
        corpus.truth(name, "letter", who, &note);
    }
}

#[cfg(test)]
mod tests {
    use super::super::generate;
    use crate::ingest::letters::extract_letter;
    use std::path::Path;

    #[test]
    fn a_generated_letter_reads_back_with_its_sender_and_postcode() {
        let corpus = generate(Path::new("/corpus"), 60, 4);
        let (path, bytes) = corpus
            .files
            .iter()
            .find(|(p, _)| p.starts_with("letters"))
            .expect("some letters");
        let dir = tempfile::tempdir().expect("a temp dir");
        let file = dir.path().join("l.pdf");
        std::fs::write(&file, bytes).expect("written");
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", &file.display().to_string(), "-"])
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        let text = String::from_utf8_lossy(&out.stdout);
        let fields = extract_letter(&text, "GB");
        assert!(fields.postcode.is_some(), "{}: {text}", path.display());
        assert!(fields.sender_name.is_some(), "{}: {text}", path.display());
        assert_ne!(
            fields.postcode.map(|p| p.to_string()).as_deref(),
            Some("CH41 1FD")
        );
    }
}

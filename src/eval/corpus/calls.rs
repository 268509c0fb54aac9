//! Telephone calls: people ringing in from their numbers (a household's shared landline
//! included), staff calling them back, and a few withheld numbers. Written as generic headed
//! call-log exports (`Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,
//! Result`, times ISO 8601 UTC), each file writing numbers in its own style as telephone
//! systems do.

use super::names::STAFF;
use super::people::written_phone;
use super::{Corpus, Draw, Person, Population, Who};
use crate::domain::UnixTime;

/// Rows per exported file.
const ROWS_PER_FILE: usize = 80;

/// One call row; numbers as national digits (the file's style is applied when writing).
#[derive(Clone, Debug)]
struct Row {
    id: String,
    at: UnixTime,
    outbound: bool,
    /// The customer's number, `None` when withheld.
    number: Option<String>,
    staff: usize,
    duration: usize,
}

/// Calls gathered until [`CallLog::finish`] writes them.
#[derive(Clone, Debug)]
pub struct CallLog {
    seed: u64,
    rows: Vec<Row>,
}

impl CallLog {
    /// An empty log whose Call IDs carry the seed.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            rows: Vec::new(),
        }
    }

    /// One call with `person` (who has at least one number).
    pub fn person(
        &mut self,
        corpus: &mut Corpus,
        draw: &mut Draw,
        pop: &Population,
        person: &Person,
    ) {
        let id = format!("c{}-{}", self.seed, self.rows.len() + 1);
        let number = draw.pick(&person.phones).clone();
        let shared = pop
            .people
            .iter()
            .filter(|p| p.phones.contains(&number))
            .count()
            > 1;
        let (outbound, number, note) = match draw.below(100) {
            0..=6 => (false, None, "withheld number"),
            7..=28 => (true, Some(number), "staff call back"),
            _ if shared => (false, Some(number), "household landline"),
            _ => (false, Some(number), "inbound from own number"),
        };
        let missed = !outbound && draw.chance(15);
        self.rows.push(Row {
            id: id.clone(),
            at: draw.moment(),
            outbound,
            number,
            staff: draw.below(STAFF.len()),
            duration: if missed { 0 } else { 20 + draw.below(900) },
        });
        corpus.truth(id, "call", Who::person(person), note);
    }

    /// Writes the calls, oldest first, as several export files.
    pub fn finish(mut self, corpus: &mut Corpus, draw: &mut Draw) {
        self.rows.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        for (k, chunk) in self.rows.chunks(ROWS_PER_FILE).enumerate() {
            let style = draw.below(4);
            let mut out = String::from(
                "Call ID,Start Time,Direction,Caller,Called,Agent,Extension,Duration,Result\n",
            );
            for r in chunk {
                let (agent, ext) = (STAFF[r.staff].name, STAFF[r.staff].extension);
                let number = r
                    .number
                    .as_ref()
                    .map_or_else(|| "Withheld".to_string(), |n| written_phone(n, style));
                let (direction, caller, called) = if r.outbound {
                    ("outbound", ext.to_string(), number)
                } else {
                    ("inbound", number, ext.to_string())
                };
                let at = chrono::DateTime::from_timestamp(r.at, 0)
                    .unwrap_or_default()
                    .format("%Y-%m-%dT%H:%M:%SZ");
                let result = if r.duration == 0 {
                    "missed"
                } else {
                    "answered"
                };
                out.push_str(&format!(
                    "{},{at},{direction},{},{},{agent},{ext},{},{result}\n",
                    r.id,
                    csv_cell(&caller),
                    csv_cell(&called),
                    r.duration
                ));
            }
            corpus.add(format!("calls/export-{k:03}.csv"), out.into_bytes());
        }
    }
}

/// Quotes a cell holding a comma or a quote, as CSV writers do.
fn csv_cell(s: &str) -> String {
    if s.contains(',') || s.contains('"') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::generate;
    use std::path::Path;

    #[test]
    fn generated_call_logs_read_as_calls_with_every_row_valid() {
        let corpus = generate(Path::new("/corpus"), 80, 3);
        let mut rows = 0;
        for (path, bytes) in corpus.files.iter().filter(|(p, _)| p.starts_with("calls")) {
            let parsed = crate::ingest::calls::parse_call_log(
                bytes,
                &path.display().to_string(),
                crate::ingest::calls::FormatChoice::Auto,
                &crate::ingest::calls::CallContext::default(),
            )
            .expect("a known shape");
            assert!(
                parsed.rows.iter().all(Result::is_ok),
                "{:?}",
                parsed.rows.iter().find(|r| r.is_err())
            );
            rows += parsed.rows.len();
        }
        let truth = corpus.truth.iter().filter(|t| t.channel == "call").count();
        assert_eq!(rows, truth);
    }
}

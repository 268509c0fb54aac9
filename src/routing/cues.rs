//! Complaint cues: words and phrases (`[routing] complaint_cues`) that make a message read as
//! a complaint, so a copy goes to the complaints mailbox. Matched case-insensitively on whole
//! words in the subject and the customer's own words (quoted replies excluded). Pure.

/// A compiled list of complaint cues.
#[derive(Clone, Debug)]
pub struct ComplaintCues {
    cues: Vec<String>,
    set: regex::RegexSet,
}

impl Default for ComplaintCues {
    fn default() -> Self {
        Self::new(&[])
    }
}

/// The pattern for one cue: its words in order, separated by anything that is not a word
/// character, on word boundaries; `word*` matches any word starting with `word`.
fn pattern(cue: &str) -> Option<String> {
    let words: Vec<String> = cue
        .split_whitespace()
        .filter_map(|w| {
            let star = w.ends_with('*');
            let clean: String = w
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect();
            (!clean.is_empty()).then(|| {
                let escaped = regex::escape(&clean);
                if star {
                    format!("{escaped}\\w*")
                } else {
                    escaped
                }
            })
        })
        .collect();
    (!words.is_empty()).then(|| format!("(?i)\\b{}\\b", words.join("\\W+")))
}

impl ComplaintCues {
    /// Compiles cue phrases; a cue matches when its words appear in order, next to each
    /// other, case-insensitively. A word ending in `*` matches any word starting with it
    /// (`complain*`).
    pub fn new(cues: &[String]) -> Self {
        let (cues, patterns): (Vec<String>, Vec<String>) = cues
            .iter()
            .filter_map(|c| pattern(c).map(|p| (c.trim().to_owned(), p)))
            .unzip();
        let set = regex::RegexSet::new(&patterns).unwrap_or_else(|_| regex::RegexSet::empty());
        Self { cues, set }
    }

    /// The first cue (in configured order) found in `subject` or `own_words`.
    pub fn find(&self, subject: Option<&str>, own_words: &str) -> Option<String> {
        [subject.unwrap_or_default(), own_words]
            .iter()
            .find_map(|text| {
                self.set
                    .matches(text)
                    .iter()
                    .next()
                    .map(|i| self.cues[i].clone())
            })
    }
}

/// The default cues: English and Welsh words for complaining, the ombudsman, and asking for
/// the complaints procedure.
pub fn default_cues() -> Vec<String> {
    [
        "complain*",
        "formal complaint",
        "ombudsman",
        "professional standards",
        "stage 2",
        "stage two",
        "escalate",
        "not happy with the service",
        "dissatisfied",
        "cwyn*",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues() -> ComplaintCues {
        ComplaintCues::new(&default_cues())
    }

    #[test]
    fn a_message_that_says_it_is_a_complaint_reads_as_one() {
        assert_eq!(
            cues().find(Some("Formal complaint about the crew"), ""),
            Some("complain*".to_owned())
        );
        assert!(cues()
            .find(None, "I wish to complain about the delay.")
            .is_some());
        assert!(cues()
            .find(None, "I will take this to the Ombudsman")
            .is_some());
        assert!(cues().find(None, "Dw i eisiau gwneud cwyn").is_some());
    }

    #[test]
    fn ordinary_requests_do_not_read_as_complaints() {
        assert_eq!(
            cues().find(Some("Hydrant outside number 12"), "Please check it."),
            None
        );
        assert_eq!(cues().find(None, "The stage 1 report is attached"), None);
    }

    #[test]
    fn phrases_match_whole_words_in_order() {
        let c = ComplaintCues::new(&["stage 2".to_owned()]);
        assert!(c.find(None, "move it to Stage 2 please").is_some());
        assert!(c.find(None, "stage 22").is_none());
        assert!(c.find(None, "2 stage").is_none());
    }
}

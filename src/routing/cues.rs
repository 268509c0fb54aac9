//! Complaint cues: words and phrases (`[routing] complaint_cues`) that make a message read as
//! a complaint, so a copy goes to the complaints mailbox. Matched case-insensitively on whole
//! words in the subject and the customer's own words (quoted replies excluded). Pure.

/// A compiled list of complaint cues.
#[derive(Clone, Debug, Default)]
pub struct ComplaintCues {
    cues: Vec<Vec<String>>,
}

/// Splits lower-cased text into words of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl ComplaintCues {
    /// Compiles cue phrases; a cue matches when its words appear in order, next to each
    /// other. A word ending in `*` matches any word starting with it (`complain*`).
    pub fn new(cues: &[String]) -> Self {
        Self {
            cues: cues
                .iter()
                .map(|c| words_with_stars(c))
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    /// The first cue found in `subject` or `own_words`, as configured.
    pub fn find(&self, subject: Option<&str>, own_words: &str) -> Option<String> {
        for text in [subject.unwrap_or_default(), own_words] {
            let words = words(text);
            for cue in &self.cues {
                let hit = words.windows(cue.len()).any(|window| {
                    window
                        .iter()
                        .zip(cue)
                        .all(|(word, want)| match want.strip_suffix('*') {
                            Some(prefix) => word.starts_with(prefix),
                            None => word == want,
                        })
                });
                if hit {
                    return Some(cue.join(" "));
                }
            }
        }
        None
    }
}

fn words_with_stars(cue: &str) -> Vec<String> {
    cue.split_whitespace()
        .map(|w| {
            let star = w.ends_with('*');
            let mut clean: String = words(w).join("");
            if star {
                clean.push('*');
            }
            clean
        })
        .filter(|w| !w.is_empty() && w != "*")
        .collect()
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

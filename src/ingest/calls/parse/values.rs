//! Cell values shared by the presets: durations, results, directions, recordings and the
//! header-name normalisation used to match columns.

use crate::domain::{CallResult, Direction};

/// A duration as `h:mm:ss`, `mm:ss` or whole seconds (a decimal part is dropped). Empty is 0.
pub(crate) fn parse_duration(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    let whole = text.split_once('.').map_or(text, |(w, _)| w);
    let mut total: u32 = 0;
    let mut parts = 0;
    for part in whole.split(':') {
        parts += 1;
        if parts > 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = part.parse().ok()?;
        if parts > 1 && n > 59 {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(n)?;
    }
    Some(total)
}

/// The message for a duration that could not be read.
pub(crate) fn duration_error(column: &str, raw: &str) -> String {
    format!("column `{column}` {raw:?} is not a duration (write h:mm:ss, mm:ss or seconds)")
}

/// A result word as call logs write it.
pub(crate) fn result_word(text: &str) -> Option<CallResult> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "answered" | "answer" | "connected" | "completed" | "ok" | "success" | "talking" => {
            CallResult::Answered
        }
        "missed" | "no answer" | "noanswer" | "no_answer" | "unanswered" | "abandoned"
        | "not answered" | "cancelled" | "canceled" => CallResult::Missed,
        "busy" | "engaged" => CallResult::Busy,
        "voicemail" | "voice mail" | "vm" | "voicemail left" => CallResult::Voicemail,
        "failed" | "failure" | "congestion" | "error" | "rejected" => CallResult::Failed,
        _ => return None,
    })
}

/// A direction word as call logs write it.
pub(crate) fn direction_word(text: &str) -> Option<Direction> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "inbound" | "in" | "incoming" | "inbound call" | "received" => Direction::Inbound,
        "outbound" | "out" | "outgoing" | "outbound call" | "dialled" | "dialed" => {
            Direction::Outbound
        }
        "internal" | "int" | "local" | "extension" => Direction::Internal,
        _ => return None,
    })
}

/// A recording reference if the cell looks like one (a path, URL or audio file name).
pub(crate) fn recording(text: &str) -> Option<&str> {
    let t = text.trim();
    let lower_ends =
        |ext: &str| t.len() > ext.len() && t[t.len() - ext.len()..].eq_ignore_ascii_case(ext);
    (t.contains('/')
        || t.contains('\\')
        || [".wav", ".mp3", ".gsm", ".ogg", ".m4a", ".opus"]
            .iter()
            .any(|e| lower_ends(e)))
    .then_some(t)
    .filter(|t| !t.is_empty())
}

/// A header name compared ignoring case, spaces, underscores and hyphens (`Call_ID`,
/// `call id` and `CallID` are all `callid`).
pub(crate) fn header_key(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '"'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The position of the first header whose key is one of `aliases`.
pub(crate) fn find(keys: &[String], aliases: &[&str]) -> Option<usize> {
    aliases
        .iter()
        .find_map(|alias| keys.iter().position(|k| k == alias))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_all_three_forms() {
        assert_eq!(parse_duration("1:02:03"), Some(3723));
        assert_eq!(parse_duration("02:03"), Some(123));
        assert_eq!(parse_duration("123"), Some(123));
        assert_eq!(parse_duration("45.6"), Some(45));
        assert_eq!(parse_duration(""), Some(0));
        for bad in ["1:75", "abc", "1::2", "-5", "1:2:3:4"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn result_and_direction_words() {
        assert_eq!(result_word("NO ANSWER"), Some(CallResult::Missed));
        assert_eq!(result_word("Voicemail"), Some(CallResult::Voicemail));
        assert_eq!(result_word("maybe"), None);
        assert_eq!(direction_word("Incoming"), Some(Direction::Inbound));
        assert_eq!(direction_word("OUT"), Some(Direction::Outbound));
        assert_eq!(direction_word("sideways"), None);
    }

    #[test]
    fn recordings_are_paths_urls_or_audio_files() {
        assert_eq!(
            recording("/var/spool/rec/1.wav"),
            Some("/var/spool/rec/1.wav")
        );
        assert_eq!(recording("call-1.MP3"), Some("call-1.MP3"));
        assert_eq!(
            recording("https://rec.example.org/1"),
            Some("https://rec.example.org/1")
        );
        assert_eq!(recording("priority customer"), None);
        assert_eq!(recording(""), None);
    }

    #[test]
    fn header_keys_ignore_case_spaces_underscores_and_hyphens() {
        assert_eq!(header_key(" Call_ID "), "callid");
        assert_eq!(header_key("time-start"), "timestart");
        assert_eq!(header_key("Date/Time"), "date/time");
    }
}

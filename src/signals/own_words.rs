//! The customer's own words of an email body or a letter: what they wrote in this item, without
//! the quoted replies, forwarded messages, signatures and disclaimers around it. Signals and
//! context cues read only these words, so a member of staff's quoted text or a mail system's
//! footer never raises a flag against the sender.

use std::sync::LazyLock;

use regex::Regex;

/// Only the customer's own words of `text` (an email body or a letter's text).
///
/// Removes, in this order:
/// - quoted lines (starting with `>`);
/// - everything from a reply header: "On <date>, <name> wrote:" (also split over two lines
///   and in the other languages Tidings ships), "-----Original Message-----", an Outlook
///   "From: … Sent: … To: … Subject:" block (with its `____` rule), "---------- Forwarded
///   message ---------" and "Begin forwarded message:";
/// - everything from a signature separator (`-- `) or a disclaimer ("This email and any
///   attachments …", "If you are not the intended recipient …");
/// - device lines ("Sent from my iPhone");
/// - a closing valediction ("Kind regards", "Yours sincerely", "Thanks", …) when at most four
///   short lines (name, role, phone) follow it and something comes before it.
///
/// Line endings become `\n`; the remaining text is otherwise kept as written.
pub fn own_words(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let end = cut_at(&lines);
    let mut kept: Vec<&str> = lines[..end]
        .iter()
        .copied()
        .filter(|line| !line.trim_start().starts_with('>') && !DEVICE.is_match(line.trim()))
        .collect();
    drop_valediction(&mut kept);
    while kept.last().is_some_and(|line| line.trim().is_empty()) {
        kept.pop();
    }
    while kept.first().is_some_and(|line| line.trim().is_empty()) {
        kept.remove(0);
    }
    kept.join("\n")
}

/// Where the customer's own words end: the first line that starts quoted or forwarded
/// material, a signature or a disclaimer (or the number of lines when none does).
fn cut_at(lines: &[&str]) -> usize {
    for (at, line) in lines.iter().enumerate() {
        let line = line.trim();
        let next = lines.get(at + 1).map_or("", |l| l.trim());
        if CUT.is_match(line) || lines[at] == "-- " || line == "--" {
            return at;
        }
        if ATTRIBUTION_START.is_match(line)
            && (ATTRIBUTION_END.is_match(line) || ATTRIBUTION_END.is_match(next))
        {
            return at;
        }
        if OUTLOOK_RULE.is_match(line) && HEADER_FROM.is_match(next) {
            return at;
        }
        if HEADER_FROM.is_match(line) && is_header_block(&lines[at..]) {
            return at;
        }
    }
    lines.len()
}

/// An Outlook-style header block: a `From:` line followed, within six lines, by a `Sent:` or
/// `Date:` line and a `Subject:` or `To:` line.
fn is_header_block(lines: &[&str]) -> bool {
    let window = &lines[1..lines.len().min(7)];
    let dated = window.iter().any(|l| HEADER_SENT.is_match(l.trim()));
    let addressed = window.iter().any(|l| HEADER_TO.is_match(l.trim()));
    dated && addressed
}

/// Drops a closing valediction and the short lines after it (a name, a role, a number).
fn drop_valediction(lines: &mut Vec<&str>) {
    let mut trailing = 0;
    for at in (0..lines.len()).rev() {
        let line = lines[at].trim();
        if line.is_empty() {
            continue;
        }
        if VALEDICTION.is_match(line) {
            // A valediction with nothing before it is the whole message ("Thanks.").
            if lines[..at].iter().any(|l| !l.trim().is_empty()) {
                lines.truncate(at);
            }
            return;
        }
        trailing += 1;
        if trailing > 4 || line.chars().count() > 60 {
            return;
        }
    }
}

/// Lines that start quoted, forwarded or boilerplate material (the line and all after it go).
static CUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            -{2,}\s*original\s+message\s*-{2,}
          | -{2,}\s*forwarded\s+message\s*-{2,}
          | begin\s+forwarded\s+message:?
          | -{2,}\s*(?:nachricht|message|mensaje|mensagem|wiadomość)\s+\S+.*-{2,}
          | this\s+e-?mail(?:\s+message)?\s+(?:and|\(and)\s+any\s+(?:files|attachments?)
          | this\s+e-?mail(?:\s+message)?(?:\s+and\s+any\s+attachments?)?\s+(?:is|are|may\s+be|contains?)
            \s+(?:strictly\s+)?(?:confidential|privileged|intended|protected|information)
          | this\s+e-?mail\s+(?:has\s+been|was)\s+(?:scanned|checked|swept)
          | the\s+information\s+(?:contained\s+)?in\s+this\s+(?:e-?mail|message)\s+(?:is|and)
          | if\s+you\s+(?:are\s+not|have\s+received\s+this)\b.*\b(?:recipient|in\s+error)
          | confidentiality\s+(?:notice|statement)
          | disclaimer\s*(?::|$)
        )",
    )
    .expect("own-words patterns are constants, compiled in a unit test")
});

/// The start of a reply attribution, in the languages Tidings ships.
static ATTRIBUTION_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:on|le|am|el|em|w\s+dniu|în|la|ar|op)\s+\S")
        .expect("own-words patterns are constants, compiled in a unit test")
});

/// The end of a reply attribution ("wrote:", "a écrit :", "schrieb:", "escribió:", …).
static ATTRIBUTION_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:wrote|a\s+écrit|schrieb|escribió|escreveu|napisał\(a\)|napisał|napisała|a\s+scris|ysgrifennodd|schreef)\s*:\s*$|\bschrieb\s+.{1,80}:\s*$",
    )
    .expect("own-words patterns are constants, compiled in a unit test")
});

/// Outlook's rule above a header block.
static OUTLOOK_RULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^_{10,}$").expect("own-words patterns are constants, compiled in a unit test")
});

static HEADER_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\*?(?:from|von|de|od|oddi\s+wrth)\s*:\*?\s*\S")
        .expect("own-words patterns are constants, compiled in a unit test")
});

static HEADER_SENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\*?(?:sent|date|gesendet|envoyé|enviado|wysłano|data|anfon)\s*:")
        .expect("own-words patterns are constants, compiled in a unit test")
});

static HEADER_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\*?(?:to|subject|an|betreff|à|objet|para|asunto|assunto|do|temat|at|pwnc)\s*:",
    )
    .expect("own-words patterns are constants, compiled in a unit test")
});

/// Lines a mail client adds.
static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:sent\s+from\s+my\s+\w+|get\s+outlook\s+for\s+\w+|sent\s+from\s+(?:outlook|mail)\s+for\s+\w+)\b.{0,30}$")
        .expect("own-words patterns are constants, compiled in a unit test")
});

/// A closing valediction as a whole line, optionally followed by a name on the same line
/// ("Thanks, Jane"): capitalised words only, so "Thanks for nothing" is not a valediction.
static VALEDICTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            (?:kind|best|warm|warmest|many|with\s+kind)?\s*regards
          | yours\s+(?:sincerely|faithfully|truly)
          | sincerely(?:\s+yours)?
          | (?:many\s+)?thanks(?:\s+again|\s+in\s+advance)?
          | thank\s+you(?:\s+again|\s+in\s+advance)?
          | best(?:\s+wishes)? | all\s+the\s+best | cheers | respectfully
          | cofion(?:\s+cynnes)? | yn\s+gywir | diolch
          | mit\s+freundlichen\s+grüßen | viele\s+grüße
          | cordialement | bien\s+à\s+vous
          | saludos(?:\s+cordiales)? | atentamente
          | cumprimentos | atenciosamente
          | z\s+poważaniem | pozdrawiam
          | cu\s+stimă | cu\s+respect
        )[,.!]?(?:\s+(?-i:\p{Lu})[\p{L}'.-]*){0,3}[,.]?$",
    )
    .expect("own-words patterns are constants, compiled in a unit test")
});

#[cfg(test)]
#[path = "tests/own_words.rs"]
mod tests;

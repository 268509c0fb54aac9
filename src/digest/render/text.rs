//! The plain-text part: header lines, the explanation wrapped at 72 columns, and one block
//! per flag with a sparkline chart.

use super::chart::Chart;
use super::wording::{
    count, customer, date_range, day, footer, greeting, kind_title, open_line, totals_line, ABOUT,
};
use super::{DigestFlag, DigestView};

pub(super) fn text(view: &DigestView) -> String {
    let mut lines = vec![
        format!("{} weekly digest", view.organisation.trim()),
        date_range(view.period_start, view.period_end),
        String::new(),
        greeting(view),
        String::new(),
    ];
    if view.new_flags.is_empty() {
        lines.push("No new flags were raised in this period.".to_owned());
    } else {
        lines.extend(wrap(ABOUT, 72));
        lines.push(String::new());
        lines.push(format!(
            "This period: {} for review.",
            count(view.new_flags.len(), "new flag", "new flags")
        ));
    }
    lines.push(open_line(view));
    lines.push(totals_line(&view.totals));
    for (n, flag) in view.new_flags.iter().enumerate() {
        lines.push(String::new());
        lines.push("─".repeat(60));
        flag_text(&mut lines, n + 1, flag);
    }
    lines.push(String::new());
    lines.push(footer(view));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn flag_text(lines: &mut Vec<String>, n: usize, flag: &DigestFlag) {
    lines.push(format!(
        "{n}. {} — {}",
        kind_title(&flag.kind),
        customer(flag)
    ));
    lines.push(format!("   {}", flag.summary));
    lines.push(format!(
        "   Flag #{} · {} · {}",
        flag.flag_id, flag.kind, flag.state
    ));
    lines.push(format!(
        "   Window:     {}",
        date_range(flag.window_start, flag.window_end)
    ));
    lines.push(format!("   Threshold:  {}", flag.threshold));
    if !flag.figures.is_empty() {
        lines.push("   Figures:".to_owned());
        let width = flag
            .figures
            .iter()
            .map(|(label, _)| label.chars().count())
            .max()
            .unwrap_or(0);
        for (label, value) in &flag.figures {
            lines.push(format!("     {label:<width$}  {value}"));
        }
    }
    if let Some(sentence) = &flag.sentence {
        lines.push(format!("   Sentence:   \"{sentence}\""));
    }
    if !flag.counter_evidence.is_empty() {
        lines.push("   Our replies:".to_owned());
        for line in &flag.counter_evidence {
            lines.push(format!("     - {line}"));
        }
    }
    if let Some(chart) = Chart::new(flag) {
        lines.push(format!("   Contacts per day: {}", chart.caption()));
        lines.push(format!("     {}", chart.sparkline()));
    }
    if flag.context.is_empty() {
        lines.push("   Context:    none recorded".to_owned());
    } else {
        lines.push("   Context:".to_owned());
        for note in &flag.context {
            lines.push(format!("     - {note}"));
        }
    }
    lines.push(format!(
        "   Raised {}; expires {}",
        day(flag.raised_at),
        day(flag.expires_at)
    ));
    if let Some(url) = &flag.review_url {
        lines.push(format!("   Review:     {url}"));
    }
}

/// Wraps `text` at word boundaries to lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

//! The HTML part: inline-CSS layout, one table per flag, and `esc`, which every interpolated
//! string goes through.

use super::chart::Chart;
use super::wording::{
    count, customer, date_range, day, footer, greeting, kind_title, open_line, totals_line, ABOUT,
};
use super::{subject, DigestFlag, DigestView};

pub(super) fn html(view: &DigestView) -> String {
    let mut h = String::with_capacity(4096 + view.new_flags.len() * 4096);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!("<title>{}</title></head>\n", esc(&subject(view))));
    h.push_str("<body style=\"margin:0;padding:0;background:#f4f5f7;\">\n");
    h.push_str(
        "<div style=\"max-width:680px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,\
         sans-serif;font-size:15px;line-height:1.5;color:#1f2933;\">\n",
    );
    h.push_str(&format!(
        "<h1 style=\"font-size:20px;margin:0 0 4px;\">{} weekly digest</h1>\n",
        esc(view.organisation.trim())
    ));
    h.push_str(&format!(
        "<p style=\"margin:0 0 16px;color:#52606d;\">{}</p>\n",
        esc(&date_range(view.period_start, view.period_end))
    ));
    h.push_str(&format!("<p>{}</p>\n", esc(&greeting(view))));
    if view.new_flags.is_empty() {
        h.push_str("<p><strong>No new flags were raised in this period.</strong></p>\n");
    } else {
        h.push_str(&format!(
            "<div style=\"background:#e8f0fe;border-left:4px solid #3b6ea5;padding:12px 16px;\
             margin:16px 0;\">{}</div>\n",
            esc(ABOUT)
        ));
        h.push_str(&format!(
            "<p>This period: <strong>{}</strong> for review.</p>\n",
            esc(&count(view.new_flags.len(), "new flag", "new flags"))
        ));
    }
    h.push_str(&format!(
        "<p style=\"color:#52606d;\">{}<br>{}</p>\n",
        esc(&open_line(view)),
        esc(&totals_line(&view.totals))
    ));
    for (n, flag) in view.new_flags.iter().enumerate() {
        flag_html(&mut h, n + 1, flag);
    }
    h.push_str(&format!(
        "<p style=\"margin-top:24px;font-size:13px;color:#7b8794;\">{}</p>\n",
        esc(&footer(view))
    ));
    h.push_str("</div>\n</body></html>\n");
    h
}

const TH: &str = "text-align:left;vertical-align:top;padding:6px 12px;width:34%;\
                  color:#52606d;font-weight:normal;border-top:1px solid #e4e7eb;";
const TD: &str = "vertical-align:top;padding:6px 12px;border-top:1px solid #e4e7eb;";

fn row(h: &mut String, label: &str, value_html: &str) {
    h.push_str(&format!(
        "<tr><th scope=\"row\" style=\"{TH}\">{}</th><td style=\"{TD}\">{value_html}</td></tr>\n",
        esc(label)
    ));
}

fn flag_html(h: &mut String, n: usize, flag: &DigestFlag) {
    h.push_str(
        "<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;\
         background:#ffffff;border:1px solid #d9e2ec;margin:0 0 20px;\">\n",
    );
    h.push_str(&format!(
        "<tr><th colspan=\"2\" style=\"text-align:left;background:#f0f4f8;padding:10px 12px;\
         font-size:16px;\">{n}. {} — {}</th></tr>\n",
        esc(&kind_title(&flag.kind)),
        esc(&customer(flag))
    ));
    h.push_str(&format!(
        "<tr><td colspan=\"2\" style=\"padding:10px 12px;font-weight:bold;\">{}</td></tr>\n",
        esc(&flag.summary)
    ));
    let id = format!("#{} · {} · {}", flag.flag_id, flag.kind, flag.state);
    row(h, "Flag", &esc(&id));
    row(
        h,
        "Window",
        &esc(&date_range(flag.window_start, flag.window_end)),
    );
    row(h, "Threshold", &esc(&flag.threshold));
    for (label, value) in &flag.figures {
        row(h, label, &format!("<strong>{}</strong>", esc(value)));
    }
    if let Some(sentence) = &flag.sentence {
        row(h, "Sentence", &format!("&ldquo;{}&rdquo;", esc(sentence)));
    }
    if !flag.counter_evidence.is_empty() {
        let lines: Vec<String> = flag.counter_evidence.iter().map(|l| esc(l)).collect();
        row(h, "Our replies", &lines.join("<br>"));
    }
    if let Some(chart) = Chart::new(flag) {
        row(h, "Contacts per day", &chart.html());
    }
    let context = if flag.context.is_empty() {
        "none recorded".to_owned()
    } else {
        flag.context
            .iter()
            .map(|note| esc(note))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    row(h, "Context", &context);
    row(h, "Raised", &esc(&day(flag.raised_at)));
    row(h, "Expires", &esc(&day(flag.expires_at)));
    if let Some(url) = &flag.review_url {
        let link = if is_web_url(url) {
            format!(
                "<a href=\"{0}\" style=\"color:#3b6ea5;\">Review this flag</a>",
                esc(url)
            )
        } else {
            esc(url)
        };
        row(h, "Review", &link);
    }
    h.push_str("</table>\n");
}

fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::digest::render::render;
    use crate::digest::render::tests::{flag, view};

    #[test]
    fn html_escapes_every_interpolated_string() {
        let mut f = flag();
        f.customer_name = Some("<script>alert('x')</script>".to_owned());
        f.summary = "a & b".to_owned();
        f.figures = vec![("<b>".to_owned(), "\"1\"".to_owned())];
        f.context = vec!["<img src=x>".to_owned()];
        f.review_url = Some("javascript:alert(1)".to_owned());
        let mut v = view(vec![f]);
        v.organisation = "O'Brien & <Co>".to_owned();
        v.recipient_name = Some("<i>Jo</i>".to_owned());
        let d = render(&v);
        assert!(!d.html.contains("<script>"));
        assert!(!d.html.contains("<img"));
        assert!(!d.html.contains("<i>Jo"));
        assert!(!d.html.contains("<b>"));
        assert!(!d.html.contains("href=\"javascript"));
        assert!(d
            .html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(d.html.contains("a &amp; b"));
        assert!(d.html.contains("&quot;1&quot;"));
        assert!(d
            .html
            .contains("O&#39;Brien &amp; &lt;Co&gt; weekly digest"));
        assert!(d.text.contains("<script>"), "plain text is not escaped");
    }
}

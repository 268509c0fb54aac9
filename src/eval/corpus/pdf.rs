//! A minimal one-page PDF with a text layer: Helvetica, one `Tj` per line at a given
//! position, as a word processor's "save as PDF" of a letter would give `pdftotext`.

/// One line of text at `(x, y)` points from the page's bottom left (A4 is 595 × 842).
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Distance from the left edge.
    pub x: u32,
    /// Distance from the bottom edge.
    pub y: u32,
    /// The text (ASCII; other characters are written as `?`).
    pub text: String,
}

/// The PDF bytes for one A4 page holding `lines` in 11 pt Helvetica.
pub fn one_page(lines: &[Line]) -> Vec<u8> {
    let mut content = String::from("BT /F1 11 Tf\n");
    for l in lines {
        content.push_str(&format!(
            "1 0 0 1 {} {} Tm ({}) Tj\n",
            l.x,
            l.y,
            escape(&l.text)
        ));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// A PDF literal string's content: `\`, `(` and `)` escaped, non-ASCII replaced.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\\' | '(' | ')' => format!("\\{c}"),
            c if c.is_ascii() && !c.is_ascii_control() => c.to_string(),
            _ => "?".to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdftotext_reads_the_lines_back() {
        let lines = [
            Line {
                x: 360,
                y: 780,
                text: "Jane Smith".into(),
            },
            Line {
                x: 72,
                y: 600,
                text: "Re: Smoke alarm (kitchen) \\ hall".into(),
            },
        ];
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, one_page(&lines)).expect("written");
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", &path.display().to_string(), "-"])
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("Jane Smith"), "{text}");
        assert!(text.contains("Re: Smoke alarm (kitchen) \\ hall"), "{text}");
    }
}

//! The per-day contact chart of a flag: grouped into at most [`MAX_BARS`] marks, drawn as a
//! sparkline in text and as a bar table in HTML.

use super::html::esc;
use super::wording::count_u64;
use super::DigestFlag;
use chrono::{Duration, NaiveDate};

/// Most marks in a chart; longer windows are grouped into several days per mark.
const MAX_BARS: usize = 60;
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A per-day contact chart, grouped so that it has at most [`MAX_BARS`] marks.
pub(super) struct Chart {
    bars: Vec<u32>,
    days_per_bar: usize,
    first_day: NaiveDate,
    max: u32,
    total: u64,
}

impl Chart {
    pub(super) fn new(flag: &DigestFlag) -> Option<Self> {
        if flag.daily_counts.is_empty() {
            return None;
        }
        let days_per_bar = flag.daily_counts.len().div_ceil(MAX_BARS);
        let bars: Vec<u32> = flag
            .daily_counts
            .chunks(days_per_bar)
            .map(|chunk| chunk.iter().fold(0u32, |sum, c| sum.saturating_add(*c)))
            .collect();
        Some(Self {
            max: bars.iter().copied().max().unwrap_or(0),
            total: flag.daily_counts.iter().map(|c| u64::from(*c)).sum(),
            bars,
            days_per_bar,
            first_day: flag.window_start.date_naive(),
        })
    }

    pub(super) fn caption(&self) -> String {
        let unit = if self.days_per_bar == 1 {
            "each mark is one day".to_owned()
        } else {
            format!("each mark is {} days", self.days_per_bar)
        };
        format!(
            "{} in total, highest {} ({unit})",
            count_u64(self.total, "contact", "contacts"),
            self.max
        )
    }

    pub(super) fn sparkline(&self) -> String {
        self.bars
            .iter()
            .map(|&v| {
                if v == 0 || self.max == 0 {
                    '·'
                } else {
                    let level = (u64::from(v) * 8).div_ceil(u64::from(self.max));
                    let index = usize::try_from(level.saturating_sub(1)).unwrap_or(7).min(7);
                    SPARKS[index]
                }
            })
            .collect()
    }

    fn bar_label(&self, index: usize, value: u32) -> String {
        let offset = i64::try_from(index * self.days_per_bar).unwrap_or(0);
        let start = self.first_day + Duration::days(offset);
        let days = i64::try_from(self.days_per_bar).unwrap_or(1);
        let when = if days == 1 {
            start.format("%-d %b").to_string()
        } else {
            let end = start + Duration::days(days - 1);
            format!("{}–{}", start.format("%-d %b"), end.format("%-d %b"))
        };
        format!(
            "{when}: {}",
            count_u64(u64::from(value), "contact", "contacts")
        )
    }

    pub(super) fn html(&self) -> String {
        const HEIGHT: u32 = 40;
        let mut h = format!(
            "<table role=\"img\" aria-label=\"{}\" style=\"border-collapse:collapse;\"><tr>",
            esc(&format!("Contacts per day: {}", self.caption()))
        );
        for (i, &v) in self.bars.iter().enumerate() {
            let (px, colour) = if v == 0 || self.max == 0 {
                (1, "#d9e2ec")
            } else {
                ((v.saturating_mul(HEIGHT) / self.max).max(2), "#3b6ea5")
            };
            h.push_str(&format!(
                "<td title=\"{}\" style=\"vertical-align:bottom;height:{HEIGHT}px;padding:0 1px 0 0;\">\
                 <div style=\"width:6px;height:{px}px;background:{colour};\"></div></td>",
                esc(&self.bar_label(i, v))
            ));
        }
        h.push_str(&format!(
            "</tr></table><div style=\"font-size:12px;color:#7b8794;\">{}</div>",
            esc(&self.caption())
        ));
        h
    }
}

#[cfg(test)]
mod tests {
    use super::Chart;
    use crate::digest::render::render;
    use crate::digest::render::tests::{flag, view};

    #[test]
    fn chart_scales_to_the_highest_day() {
        let d = render(&view(vec![flag()]));
        assert!(d.text.contains("·▁▂▄█"), "{}", d.text);
        assert!(d
            .text
            .contains("15 contacts in total, highest 8 (each mark is one day)"));
        assert_eq!(d.html.matches("vertical-align:bottom").count(), 5);
        assert!(d.html.contains("height:40px;background:#3b6ea5"));
        assert!(d.html.contains("title=\"6 Nov: 8 contacts\""));

        let mut long = flag();
        long.daily_counts = vec![1; 90];
        let chart = Chart::new(&long).expect("non-empty counts");
        assert_eq!(chart.days_per_bar, 2);
        assert_eq!(chart.bars.len(), 45);
        assert!(chart.caption().contains("each mark is 2 days"));
        long.daily_counts.clear();
        assert!(Chart::new(&long).is_none());
    }
}

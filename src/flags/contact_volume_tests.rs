//! `contact-volume` as a specification.

use super::*;
use crate::flags::testing::{inbound, utc};
use crate::flags::windows::{Window, DAY};

fn rule() -> Rule {
    Rule {
        windows: vec![(7, 6), (30, 12)],
        percentile: 95.0,
    }
}

/// Twenty customers writing once each on days 100, 140 and 200, and `extra`.
fn population(extra: Vec<Contact>) -> Vec<Contact> {
    let mut out = extra;
    for c in 0..20 {
        for (n, day) in [100, 140, 200].into_iter().enumerate() {
            out.push(inbound(1000 * (n as i64 + 1) + c, 100 + c, day, 1, &[]));
        }
    }
    out
}

fn burst(customer: i64, first_day: i64, n: i64, per_day: i64) -> Vec<Contact> {
    (0..n)
        .map(|i| {
            inbound(
                customer * 100 + i,
                customer,
                first_day + i / per_day,
                i % per_day,
                &[i % 3],
            )
        })
        .collect()
}

#[test]
fn a_burst_above_threshold_and_percentile_is_raised_with_its_own_past_window() {
    let d = drafts(&population(burst(1, 100, 10, 2)), &rule(), &utc());
    assert_eq!(d.len(), 1, "{d:?}");
    let flag = &d[0];
    assert_eq!(flag.customer_id, 1);
    assert_eq!(flag.kind, KIND);
    // The window is the first 7-day window holding all ten, days 98..105, not one ending now.
    assert_eq!(
        flag.window,
        Window {
            start: 98 * DAY,
            end: 105 * DAY
        }
    );
    assert_eq!(flag.figures["contacts"], 10);
    assert_eq!(flag.figures["distinct_staff"], 3);
    assert_eq!(flag.figures["window_days"], 7);
    assert_eq!(flag.evidence.len(), 10);
    assert!(flag.evidence.iter().all(|id| (100..110).contains(id)));
}

#[test]
fn evidence_is_exactly_the_contacts_counted() {
    let mut contacts = population(burst(1, 100, 10, 2));
    // Two more from the same customer long before: not in the window, not evidence.
    contacts.push(inbound(9001, 1, 10, 0, &[]));
    contacts.push(inbound(9002, 1, 11, 0, &[]));
    let d = drafts(&contacts, &rule(), &utc());
    assert_eq!(
        d[0].evidence.len() as i64,
        d[0].figures["contacts"]
            .as_i64()
            .expect("the test input is valid")
    );
    assert!(!d[0].evidence.contains(&9001));
}

#[test]
fn everyone_busy_raises_nothing() {
    // Thirty customers each writing ten times in a week: above the absolute threshold, but
    // nobody is above the 95th percentile.
    let contacts: Vec<Contact> = (1..=30).flat_map(|c| burst(c, 100, 10, 2)).collect();
    assert!(drafts(&contacts, &rule(), &utc()).is_empty());
}

#[test]
fn below_the_absolute_threshold_raises_nothing() {
    assert!(drafts(&population(burst(1, 100, 5, 2)), &rule(), &utc()).is_empty());
}

#[test]
fn outbound_contact_does_not_count() {
    let mut contacts = population(Vec::new());
    contacts.extend(burst(1, 100, 10, 2).into_iter().map(|c| Contact {
        inbound: false,
        ..c
    }));
    assert!(drafts(&contacts, &rule(), &utc()).is_empty());
}

#[test]
fn the_shortest_window_showing_the_pattern_is_raised_once() {
    // Fifteen contacts in a week also fill a 30-day window above its threshold.
    let d = drafts(&population(burst(1, 100, 15, 3)), &rule(), &utc());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].figures["window_days"], 7);
}

#[test]
fn sustained_contact_is_raised_over_the_longer_window() {
    // One contact every two days for 30 days: never 6 in a week, but 15 in 30 days.
    let contacts: Vec<Contact> = (0..15)
        .map(|i| inbound(100 + i, 1, 100 + 2 * i, 0, &[]))
        .collect();
    let d = drafts(&population(contacts), &rule(), &utc());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].figures["window_days"], 30);
    assert_eq!(d[0].figures["contacts"], 15);
}

#[test]
fn two_bursts_months_apart_are_two_patterns() {
    let mut contacts = burst(1, 100, 10, 2);
    contacts.extend(burst(2, 200, 10, 2).into_iter().map(|c| Contact {
        customer_id: 1,
        ..c
    }));
    let d = drafts(&population(contacts), &rule(), &utc());
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].window.end < d[1].window.start);
}

#[test]
fn windows_without_new_contacts_are_not_judged_again() {
    let contacts: Vec<Contact> = population(burst(1, 100, 10, 2))
        .into_iter()
        .map(|c| Contact { is_new: false, ..c })
        .collect();
    assert!(drafts(&contacts, &rule(), &utc()).is_empty());
}

#[test]
fn describe_says_figures_and_threshold_in_words() {
    let d = drafts(&population(burst(1, 100, 10, 2)), &rule(), &utc());
    let words =
        crate::flags::describe(KIND, &d[0].figures.to_string()).expect("the test input is valid");
    assert_eq!(words.title, "Contact volume");
    assert!(
        words
            .summary
            .starts_with("10 contacts in 7 days, reaching 3 staff members"),
        "{}",
        words.summary
    );
    assert!(
        words.threshold.contains("at least 6 contacts in 7 days"),
        "{}",
        words.threshold
    );
    assert!(
        words.threshold.contains("95th percentile"),
        "{}",
        words.threshold
    );
    assert_eq!(words.strength, 10);
}

#[test]
fn windows_are_the_organisations_calendar_days() {
    use chrono::TimeZone;
    let utc_at = |d: u32, h: u32, m: u32| {
        chrono::Utc
            .with_ymd_and_hms(2026, 7, d, h, m, 0)
            .single()
            .expect("valid test time")
            .timestamp()
    };
    let at = |item_id: i64, customer: i64, t: i64| Contact {
        at: t,
        ..inbound(item_id, customer, 0, 0, &[])
    };
    // Five contacts at noon on 9–13 July, and one at 00:30 BST on 15 July (23:30 UTC on
    // the 14th), with twenty other customers writing once on 10 July.
    let mut contacts: Vec<Contact> = (0..5)
        .map(|i| at(i, 1, utc_at(9 + i as u32, 11, 0)))
        .collect();
    contacts.push(at(5, 1, utc_at(14, 23, 30)));
    contacts.extend((0..20).map(|c| at(100 + c, 100 + c, utc_at(10, 9, 0))));
    let rule = Rule {
        windows: vec![(7, 6)],
        percentile: 95.0,
    };

    let london = drafts(&contacts, &rule, &Calendar::new(chrono_tz::Europe::London));
    assert_eq!(london.len(), 1, "{london:?}");
    // 9–15 July as London counts them: from midnight BST on the 9th to midnight on the 16th.
    assert_eq!(
        london[0].window,
        Window {
            start: utc_at(8, 23, 0),
            end: utc_at(15, 23, 0)
        }
    );
    assert_eq!(london[0].figures["contacts"], 6);

    // The same contacts on UTC days: the last one falls on the 14th.
    let utc_days = drafts(&contacts, &rule, &utc());
    assert_eq!(
        utc_days[0].window,
        Window {
            start: utc_at(8, 0, 0),
            end: utc_at(15, 0, 0)
        }
    );
}

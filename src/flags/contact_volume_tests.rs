//! `contact-volume` as a specification.

use super::*;
use crate::flags::testing::{inbound, utc};
use crate::flags::windows::{Window, DAY};

/// The rule over `contacts`, with populations counted from the same contacts: a full pass.
fn judge(contacts: &[Contact], rule: &Rule, calendar: &Calendar) -> Vec<PatternDraft> {
    let lengths: Vec<u32> = rule.windows.iter().map(|w| w.0).collect();
    drafts(
        contacts,
        &Populations::of(contacts, &lengths, rule.percentile, calendar),
        rule,
        calendar,
    )
}

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
    let d = judge(&population(burst(1, 100, 10, 2)), &rule(), &utc());
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
    let d = judge(&contacts, &rule(), &utc());
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
    assert!(judge(&contacts, &rule(), &utc()).is_empty());
}

#[test]
fn below_the_absolute_threshold_raises_nothing() {
    assert!(judge(&population(burst(1, 100, 5, 2)), &rule(), &utc()).is_empty());
}

#[test]
fn outbound_contact_does_not_count() {
    let mut contacts = population(Vec::new());
    contacts.extend(burst(1, 100, 10, 2).into_iter().map(|c| Contact {
        inbound: false,
        ..c
    }));
    assert!(judge(&contacts, &rule(), &utc()).is_empty());
}

#[test]
fn the_shortest_window_showing_the_pattern_is_raised_once() {
    // Fifteen contacts in a week also fill a 30-day window above its threshold.
    let d = judge(&population(burst(1, 100, 15, 3)), &rule(), &utc());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].figures["window_days"], 7);
}

#[test]
fn sustained_contact_is_raised_over_the_longer_window() {
    // One contact every two days for 30 days: never 6 in a week, but 15 in 30 days.
    let contacts: Vec<Contact> = (0..15)
        .map(|i| inbound(100 + i, 1, 100 + 2 * i, 0, &[]))
        .collect();
    let d = judge(&population(contacts), &rule(), &utc());
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
    let d = judge(&population(contacts), &rule(), &utc());
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].window.end < d[1].window.start);
}

#[test]
fn windows_without_new_contacts_are_not_judged_again() {
    let contacts: Vec<Contact> = population(burst(1, 100, 10, 2))
        .into_iter()
        .map(|c| Contact { is_new: false, ..c })
        .collect();
    assert!(judge(&contacts, &rule(), &utc()).is_empty());
}

#[test]
fn describe_says_figures_and_threshold_in_words() {
    let d = judge(&population(burst(1, 100, 10, 2)), &rule(), &utc());
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

    let london = judge(&contacts, &rule, &Calendar::new(chrono_tz::Europe::London));
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
    let utc_days = judge(&contacts, &rule, &utc());
    assert_eq!(
        utc_days[0].window,
        Window {
            start: utc_at(8, 0, 0),
            end: utc_at(15, 0, 0)
        }
    );
}

/// A deterministic history: 80 customers, a few of them in bursts, items in id order.
fn mixed_history() -> Vec<Contact> {
    let mut state = 11u64;
    let mut next = move |n: i64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as i64 % n
    };
    let mut out = Vec::new();
    for customer in 1..=80 {
        let calls = if customer % 9 == 0 { 40 } else { 1 + next(5) };
        let start = 100 + next(100);
        for _ in 0..calls {
            let day = if customer % 9 == 0 {
                start + next(20)
            } else {
                100 + next(200)
            };
            out.push(inbound(0, customer, day, next(24), &[next(4)]));
        }
    }
    out.sort_by_key(|c| c.at);
    for (i, c) in out.iter_mut().enumerate() {
        c.item_id = i as i64 + 1;
    }
    out
}

#[test]
fn judging_only_the_customers_with_new_contacts_gives_the_drafts_of_judging_everyone() {
    let cal = utc();
    let rule = Rule {
        windows: vec![(7, 6), (30, 12), (90, 25)],
        percentile: 95.0,
    };
    let lengths = [7, 30, 90];
    // New contacts spread over the whole history, as an import of another mailbox gives,
    // and the newest days too.
    let mut all = mixed_history();
    let newest = all.len() as i64 - 5;
    for c in &mut all {
        c.is_new = c.item_id % 4 == 0 || c.item_id > newest;
    }
    let everyone = judge(&all, &rule, &cal);
    assert!(
        !everyone.is_empty(),
        "the history has bursts among the new contacts"
    );

    // What an incremental pass has: the populations of the old contacts, told the new ones,
    // and the contacts of the customers the new items belong to.
    let old: Vec<Contact> = all.iter().filter(|c| !c.is_new).cloned().collect();
    let mut populations = Populations::of(&old, &lengths, rule.percentile, &cal);
    let new: Vec<(i64, i64)> = all
        .iter()
        .filter(|c| c.is_new)
        .map(|c| (c.customer_id, cal.day_number(c.at)))
        .collect();
    populations.add(&new);
    let touched: HashSet<i64> = new.iter().map(|n| n.0).collect();
    let theirs: Vec<Contact> = all
        .iter()
        .filter(|c| touched.contains(&c.customer_id))
        .cloned()
        .collect();
    let mut some = drafts(&theirs, &populations, &rule, &cal);
    let mut everyone = everyone;
    for list in [&mut some, &mut everyone] {
        list.sort_by_key(|d| (d.customer_id, d.window));
    }
    assert_eq!(some, everyone);
}

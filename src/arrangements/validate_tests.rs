//! The policy's rules for recording an arrangement, as examples.

use super::*;

const DIRECTORY: &str = "email,name,role,extensions,direct_dials,senior,service_area\n\
    priya.shah@fire.example,Priya Shah,Director of Prevention and Protection,,,yes,Prevention\n\
    jane.smith@fire.example,Jane Smith,Station Manager,,,no,Prevention\n\
    sam.lee@fire.example,Sam Lee,Customer Contact Adviser,,,no,Customer Contact\n";

fn directory() -> StaffDirectory {
    StaffDirectory::from_csv(DIRECTORY, "staff.csv", "GB").expect("test directory")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

fn request() -> ArrangementRequest {
    ArrangementRequest {
        kind: "single-point-of-contact".to_owned(),
        nominated: Some("jane.smith@fire.example".to_owned()),
        deputy: Some("sam.lee@fire.example".to_owned()),
        authorised_by: "priya.shah@fire.example".to_owned(),
        decided_on: "2026-11-20".to_owned(),
        attendees: "priya.shah@fire.example, jane.smith@fire.example".to_owned(),
        reasons: "Fourteen emails in seven days to five staff about one hydrant".to_owned(),
        told_on: "2026-11-24".to_owned(),
        review_on: None,
        frequency_days: None,
    }
}

#[test]
fn a_complete_request_is_reviewed_three_months_after_the_case_conference() {
    let a = validate(&request(), &directory(), today()).expect("valid");
    assert_eq!(a.kind, ArrangementKind::SinglePointOfContact);
    assert_eq!(
        a.review_on,
        NaiveDate::from_ymd_opt(2027, 2, 20).expect("date")
    );
    assert_eq!(a.service_areas, vec!["Prevention".to_owned()]);
    assert_eq!(a.attendees.len(), 2);
}

#[test]
fn only_a_director_in_the_staff_directory_may_authorise() {
    let mut r = request();
    r.authorised_by = "jane.smith@fire.example".to_owned();
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::NotDirector { .. })
    ));
    r.authorised_by = "someone@elsewhere.example".to_owned();
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::NotStaff { .. })
    ));
    assert_eq!(
        validate(&request(), &StaffDirectory::default(), today()),
        Err(ArrangementError::NoDirectory)
    );
}

#[test]
fn reasons_must_describe_behaviour_not_label_the_customer() {
    let mut r = request();
    r.reasons = "Customer is vexatious".to_owned();
    let e = validate(&r, &directory(), today()).expect_err("a label");
    assert!(matches!(e, ArrangementError::Label(_)));
    assert!(e.to_string().contains("Describe the behaviour"), "{e}");
    r.reasons = "  ".to_owned();
    assert_eq!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::NoReasons)
    );
}

#[test]
fn a_single_point_of_contact_needs_a_nominated_member_of_staff_and_a_different_deputy() {
    let mut r = request();
    r.nominated = None;
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::NominatedMissing { .. })
    ));
    let mut r = request();
    r.deputy = r.nominated.clone();
    assert_eq!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::DeputyIsNominated)
    );
}

#[test]
fn proactive_contact_needs_a_frequency_and_other_kinds_refuse_one() {
    let mut r = request();
    r.kind = "proactive-contact".to_owned();
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::Frequency { .. })
    ));
    r.frequency_days = Some(14);
    assert_eq!(
        validate(&r, &directory(), today())
            .expect("valid")
            .frequency_days,
        Some(14)
    );
    let mut r = request();
    r.frequency_days = Some(14);
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::Frequency { .. })
    ));
}

#[test]
fn the_customer_is_told_after_the_decision_and_the_review_is_at_most_a_quarter_ahead() {
    let mut r = request();
    r.told_on = "2026-11-19".to_owned();
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::Dates { .. })
    ));
    let mut r = request();
    r.review_on = Some("2027-03-01".to_owned());
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::Dates { .. })
    ));
    r.review_on = Some("2026-12-01".to_owned());
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::Dates { .. })
    ));
    r.review_on = Some("1 March".to_owned());
    assert!(matches!(
        validate(&r, &directory(), today()),
        Err(ArrangementError::BadDate { .. })
    ));
}

#[test]
fn unknown_kinds_list_the_kinds_there_are() {
    let mut r = request();
    r.kind = "marker".to_owned();
    let e = validate(&r, &directory(), today()).expect_err("unknown");
    assert!(e.to_string().contains("contact-suspended"), "{e}");
}

#[test]
fn a_renewal_needs_a_director_and_reasons_and_defaults_to_a_quarter() {
    let renewal = validate_renewal(
        &directory(),
        "priya.shah@fire.example",
        "Contact is now weekly and on one topic; continue for a quarter",
        None,
        today(),
    )
    .expect("valid");
    assert_eq!(
        renewal.review_on,
        NaiveDate::from_ymd_opt(2027, 3, 1).expect("date")
    );
    assert!(validate_renewal(&directory(), "sam.lee@fire.example", "x", None, today()).is_err());
    assert!(validate_end("").is_err());
}

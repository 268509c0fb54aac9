//! The staff directory: what the CSV must look like and how people are found in it.

use super::*;

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).expect("test address is valid")
}

fn example() -> StaffDirectory {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/staff.csv"))
        .expect("config/staff.csv is readable");
    StaffDirectory::from_csv(&text, "config/staff.csv", "GB").expect("the example directory loads")
}

fn load_err(text: &str) -> String {
    StaffDirectory::from_csv(text, "staff.csv", "GB")
        .expect_err("the directory should be rejected")
        .to_string()
}

const HEADER: &str = "email,name,role,extensions,direct_dials,senior,service_area\n";

#[test]
fn the_example_directory_loads_with_every_field() {
    let dir = example();
    assert_eq!(dir.members().len(), 6);
    let jane = dir
        .by_email(&email("Jane.Smith@FIRE.example"))
        .expect("Jane is listed");
    assert_eq!(jane.name, "Jane A. Smith");
    assert_eq!(jane.role, "Station Manager");
    assert_eq!(jane.extensions, vec!["2101", "2102"]);
    assert_eq!(jane.direct_dials[0].as_str(), "+441514960101");
    assert!(!jane.senior);
    assert_eq!(jane.service_areas, vec!["Prevention"]);
    let priya = dir.by_extension("2002").expect("extension 2002 is listed");
    assert_eq!(priya.service_areas, vec!["Prevention", "Protection"]);
}

#[test]
fn people_are_found_by_extension_and_direct_dial() {
    let dir = example();
    assert_eq!(
        dir.by_extension(" 2102 ").map(|m| m.name.as_str()),
        Some("Jane A. Smith")
    );
    assert!(dir.by_extension("9999").is_none());
    let dial = PhoneNumber::parse("+44 (0)113 496 0301", "GB").expect("valid number");
    assert_eq!(
        dir.by_phone(&dial).map(|m| m.name.as_str()),
        Some("Rhiannon Evans")
    );
}

#[test]
fn names_match_in_either_order_with_titles_case_and_spacing() {
    let dir = example();
    for written in [
        "Alex Morgan",
        "Morgan, Alex",
        "MORGAN, Dr Alex",
        "  alex   morgan ",
        "Mx. Alex Morgan",
    ] {
        assert_eq!(
            dir.by_name(written).map(|m| m.email.as_str()),
            Some("alex.morgan@fire.example"),
            "{written}"
        );
    }
    assert_eq!(
        dir.by_name("Smith, Jane").map(|m| m.email.as_str()),
        Some("jane.smith@fire.example"),
        "a middle initial may be left out"
    );
    assert!(dir.by_name("Alex Smith").is_none());
}

#[test]
fn a_name_shared_by_two_people_finds_neither() {
    let dir = StaffDirectory::from_csv(
        &format!("{HEADER}a.lee@fire.example,Sam Lee,,,,no,\nb.lee@fire.example,Sam Lee,,,,no,\n"),
        "staff.csv",
        "GB",
    )
    .expect("loads");
    assert!(dir.by_name("Sam Lee").is_none());
}

#[test]
fn roles_seniors_and_directors() {
    let dir = example();
    let cfo = dir.by_role("chief  FIRE officer");
    assert_eq!(cfo.len(), 1);
    assert_eq!(cfo[0].name, "Alex Morgan");
    assert!(
        dir.by_role("Chief").is_empty(),
        "roles match whole, not in part"
    );
    assert_eq!(dir.seniors().count(), 3);
    let directors: Vec<&str> = dir.directors().map(|m| m.name.as_str()).collect();
    assert_eq!(directors, vec!["Priya Shah", "Tom Okafor"]);
}

#[test]
fn an_empty_directory_finds_nobody() {
    let dir = StaffDirectory::default();
    assert!(dir.is_empty());
    assert!(dir.by_extension("2001").is_none());
    assert!(!example().is_empty());
    let header_only = StaffDirectory::from_csv(HEADER, "staff.csv", "GB").expect("loads");
    assert!(header_only.is_empty());
}

#[test]
fn header_columns_may_be_reordered_and_differently_cased() {
    let dir = StaffDirectory::from_csv(
        "Name,Email,Senior,Role,Extensions,Direct_Dials,Service Areas,Notes\nSam Lee,sam.lee@fire.example,YES,Adviser,2201,,Contact,ignored\n",
        "staff.csv",
        "GB",
    )
    .expect("loads");
    let sam = dir.by_extension("2201").expect("listed");
    assert!(sam.senior);
    assert_eq!(sam.service_areas, vec!["Contact"]);
}

#[test]
fn a_bad_email_names_file_line_and_column() {
    let err = load_err(&format!(
        "{HEADER}sam.lee@fire.example,Sam Lee,,,,no,\nnot-an-address,Jo Bloggs,,,,no,\n"
    ));
    assert!(err.starts_with("staff.csv line 3, column `email`"), "{err}");
    assert!(err.contains("not-an-address"), "{err}");
}

#[test]
fn an_unparseable_direct_dial_says_how_to_write_one() {
    let err = load_err(&format!(
        "{HEADER}sam.lee@fire.example,Sam Lee,,,0151 496 0123;call me,no,\n"
    ));
    assert!(
        err.starts_with("staff.csv line 2, column `direct_dials`"),
        "{err}"
    );
    assert!(err.contains("\"call me\""), "{err}");
    assert!(err.contains("0151 496 0123 or +44"), "{err}");
}

#[test]
fn senior_must_be_yes_or_no() {
    let err = load_err(&format!("{HEADER}sam.lee@fire.example,Sam Lee,,,,maybe,\n"));
    assert!(
        err.starts_with("staff.csv line 2, column `senior`"),
        "{err}"
    );
    assert!(err.contains("not yes or no"), "{err}");
}

#[test]
fn a_missing_column_is_named() {
    let err = load_err("email,name,role,extensions,senior,service_area\n");
    assert!(err.contains("no `direct_dials` column"), "{err}");
}

#[test]
fn duplicates_name_both_lines() {
    let err = load_err(&format!(
        "{HEADER}sam.lee@fire.example,Sam Lee,,,,no,\nSAM.LEE@fire.example,Sam Lee,,,,no,\n"
    ));
    assert!(err.contains("line 3, column `email`"), "{err}");
    assert!(err.contains("already listed on line 2"), "{err}");
    let err = load_err(&format!(
        "{HEADER}a@fire.example,Ann Ash,,2001,,no,\nb@fire.example,Bo Birch,,2001,,no,\n"
    ));
    assert!(
        err.contains("column `extensions`: 2001 is already listed on line 2"),
        "{err}"
    );
}

#[test]
fn a_row_with_missing_cells_is_a_csv_error_with_its_line() {
    let err = load_err(&format!("{HEADER}sam.lee@fire.example,Sam Lee\n"));
    assert!(err.starts_with("staff.csv line 2:"), "{err}");
}

#[test]
fn a_missing_file_names_the_path() {
    let err = StaffDirectory::load("/nonexistent/staff.csv", "GB")
        .expect_err("no such file")
        .to_string();
    assert!(err.contains("/nonexistent/staff.csv"), "{err}");
}

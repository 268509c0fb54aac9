//! The corpus's `tidings.toml` (absolute paths into the corpus folder) and `staff.csv`.

use super::names::{STAFF, WEBMAIL};
use std::path::Path;

/// The service's shared mailboxes.
pub const SHARED_MAILBOXES: [&str; 2] = ["enquiries@fire.example", "info@fire.example"];

/// A config that reads the corpus's drop folders into `DIR/t.db`.
pub fn tidings_toml(dir: &Path) -> String {
    let p = |name: &str| toml_string(&dir.join(name).display().to_string());
    format!(
        "# Reads the generated corpus in this folder (`tidings eval corpus`).\n\
         [store]\nurl = {db}\n\n\
         [http]\nenabled = false\n\n\
         [organisation]\nstaff_domains = [\"fire.example\"]\nstaff_directory = {staff}\n\
         shared_mailboxes = [\"{m0}\", \"{m1}\"]\nown_numbers = [\"0151 496 0000\"]\n\
         webmail_domains = [{webmail}]\n\n\
         [dropfolder]\npath = {mail}\nstable_secs = 0\n\n\
         [calls]\npath = {calls}\nstable_secs = 0\n\n\
         [letters]\npath = {letters}\nstable_secs = 0\n",
        db = toml_string(&format!("sqlite://{}", dir.join("t.db").display())),
        staff = p("staff.csv"),
        m0 = SHARED_MAILBOXES[0],
        m1 = SHARED_MAILBOXES[1],
        // The corpus's people write from its own fictional providers.
        webmail = WEBMAIL
            .iter()
            .map(|d| toml_string(d))
            .collect::<Vec<_>>()
            .join(", "),
        mail = p("mail"),
        calls = p("calls"),
        letters = p("letters"),
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The staff directory in the documented columns.
pub fn staff_csv() -> String {
    let mut out = String::from("email,name,role,extensions,direct_dials,senior,service_area\n");
    for s in STAFF {
        let name = if s.listed.contains(',') {
            format!("\"{}\"", s.listed)
        } else {
            s.listed.to_string()
        };
        out.push_str(&format!(
            "{}@fire.example,{name},{},{},0151 496 09{:02},{},{}\n",
            s.local,
            s.role,
            s.extension,
            s.dial,
            if s.senior { "yes" } else { "no" },
            s.area
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_loads_and_names_the_corpus_folders() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("tidings.toml");
        std::fs::write(&path, tidings_toml(dir.path())).expect("written");
        std::fs::write(dir.path().join("staff.csv"), staff_csv()).expect("written");
        let config = crate::config::load(Some(&path), std::iter::empty()).expect("loads");
        assert_eq!(config.calls.path, dir.path().join("calls"));
        assert_eq!(config.letters.path, dir.path().join("letters"));
        assert_eq!(config.dropfolder.path, dir.path().join("mail"));
        assert!(config.store.url.ends_with("/t.db"));
        assert!(!config.http.enabled);
    }

    #[test]
    fn the_staff_directory_loads() {
        let dir = crate::organisation::StaffDirectory::from_csv(&staff_csv(), "staff.csv", "GB")
            .expect("a valid directory");
        assert_eq!(dir.seniors().count(), 1);
    }
}

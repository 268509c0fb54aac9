//! The staff directory: a headed CSV (`email,name,role,extensions,direct_dials,senior,
//! service_area`) read once into [`StaffDirectory`], with case-insensitive lookups by email,
//! extension, direct dial, name and role.

use super::names::{name_keys, role_key};
use crate::domain::{EmailAddress, PhoneNumber};
use std::collections::HashMap;
use std::path::Path;

/// The columns every directory file must have, in the documented order.
const COLUMNS: [&str; 7] = [
    "email",
    "name",
    "role",
    "extensions",
    "direct_dials",
    "senior",
    "service_area",
];

/// One member of staff as listed in the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    /// Their work email address (unique in the directory).
    pub email: EmailAddress,
    /// Their name as written in the directory.
    pub name: String,
    /// Their role as written ("Director of Prevention", "Station Manager").
    pub role: String,
    /// Telephone extensions as the telephone system writes them.
    pub extensions: Vec<String>,
    /// Direct-dial numbers, E.164.
    pub direct_dials: Vec<PhoneNumber>,
    /// Whether they are a senior officer (requests to reach them are noted).
    pub senior: bool,
    /// The service areas they work in or manage.
    pub service_areas: Vec<String>,
}

/// Why the staff directory could not be loaded. Each message names the file, the line and
/// the column, and says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The file could not be read.
    #[error("cannot read the staff directory {origin}: {source}; check `[organisation] staff_directory` points at a readable CSV file")]
    Read {
        /// The path given.
        origin: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The header lacks a required column.
    #[error("{origin} line 1: the header has no `{column}` column; the first line must name the columns email,name,role,extensions,direct_dials,senior,service_area")]
    MissingColumn {
        /// The file.
        origin: String,
        /// The missing column.
        column: &'static str,
    },
    /// The CSV itself is malformed (unbalanced quotes, a row with the wrong number of cells).
    #[error("{origin} line {line}: {reason}; every row needs one cell per header column (leave a cell empty rather than leaving it out)")]
    Csv {
        /// The file.
        origin: String,
        /// The line the problem is on.
        line: u64,
        /// What the CSV reader reported.
        reason: String,
    },
    /// A cell could not be read as its column's type.
    #[error("{origin} line {line}, column `{column}`: {value:?} {problem}")]
    BadCell {
        /// The file.
        origin: String,
        /// The line.
        line: u64,
        /// The column.
        column: &'static str,
        /// The cell as written.
        value: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// An email address, extension or direct dial is listed for two rows.
    #[error("{origin} line {line}, column `{column}`: {value} is already listed on line {first_line}; each person, extension and direct dial appears once (merge the rows, or list a shared line such as a switchboard under `[calls] own_numbers`)")]
    Duplicate {
        /// The file.
        origin: String,
        /// The line of the second listing.
        line: u64,
        /// The column.
        column: &'static str,
        /// The repeated value.
        value: String,
        /// The line of the first listing.
        first_line: u64,
    },
}

/// The organisation's staff, indexed for lookups. `StaffDirectory::default()` is empty.
#[derive(Clone, Debug, Default)]
pub struct StaffDirectory {
    members: Vec<StaffMember>,
    by_email: HashMap<String, usize>,
    by_extension: HashMap<String, usize>,
    by_phone: HashMap<String, usize>,
    /// Name key → members with it (several people can share a name).
    by_name: HashMap<String, Vec<usize>>,
}

/// Where each value was first listed, for duplicate errors.
#[derive(Default)]
struct FirstSeen {
    lines: HashMap<(&'static str, String), u64>,
}

impl FirstSeen {
    fn check(
        &mut self,
        origin: &str,
        line: u64,
        column: &'static str,
        value: &str,
    ) -> Result<(), DirectoryError> {
        match self.lines.insert((column, value.to_string()), line) {
            Some(first_line) => Err(DirectoryError::Duplicate {
                origin: origin.to_string(),
                line,
                column,
                value: value.to_string(),
                first_line,
            }),
            None => Ok(()),
        }
    }
}

fn list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

impl StaffDirectory {
    /// Reads the directory file at `path`; direct dials written nationally are read in
    /// `region` (an ISO 3166 code such as `GB`).
    pub fn load(path: impl AsRef<Path>, region: &str) -> Result<Self, DirectoryError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DirectoryError::Read {
            origin: origin.clone(),
            source,
        })?;
        Self::from_csv(&text, &origin, region)
    }

    /// Parses a headed directory CSV. `origin` names the file in error messages. Header names
    /// are case-insensitive and may come in any order; extra columns are ignored. Lists
    /// (extensions, direct dials, service areas) are `;`-separated; `senior` is `yes` or `no`
    /// (an empty cell is `no`).
    pub fn from_csv(text: &str, origin: &str, region: &str) -> Result<Self, DirectoryError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let csv_error = |e: &csv::Error| DirectoryError::Csv {
            origin: origin.to_string(),
            line: e.position().map_or(1, csv::Position::line),
            reason: e.to_string(),
        };
        let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
        let mut index = [0usize; COLUMNS.len()];
        for (slot, column) in index.iter_mut().zip(COLUMNS) {
            *slot = headers
                .iter()
                .position(|h| {
                    let h = h.trim().to_ascii_lowercase().replace([' ', '-'], "_");
                    h == column || (column == "service_area" && h == "service_areas")
                })
                .ok_or_else(|| DirectoryError::MissingColumn {
                    origin: origin.to_string(),
                    column,
                })?;
        }
        let mut directory = Self::default();
        let mut seen = FirstSeen::default();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&e))?;
            let line = record.position().map_or(0, csv::Position::line);
            let cell = |i: usize| record.get(index[i]).unwrap_or("");
            if record.iter().all(str::is_empty) {
                continue;
            }
            let bad =
                |column: &'static str, value: &str, problem: String| DirectoryError::BadCell {
                    origin: origin.to_string(),
                    line,
                    column,
                    value: value.to_string(),
                    problem,
                };
            let email = EmailAddress::parse(cell(0)).map_err(|e| {
                bad(
                    "email",
                    cell(0),
                    format!("is not a usable email address ({e}); write the person's work address such as jane.smith@fire.example"),
                )
            })?;
            seen.check(origin, line, "email", email.as_str())?;
            let name = cell(1).to_string();
            if name_keys(&name).is_empty() {
                return Err(bad(
                    "name",
                    &name,
                    "has no name in it; write the person's name such as Jane Smith".to_string(),
                ));
            }
            let mut extensions = Vec::new();
            for ext in list(cell(3)) {
                seen.check(origin, line, "extensions", &ext.to_lowercase())?;
                extensions.push(ext.to_string());
            }
            let mut direct_dials = Vec::new();
            for dial in list(cell(4)) {
                let phone = PhoneNumber::parse(dial, region).map_err(|e| {
                    bad(
                        "direct_dials",
                        dial,
                        format!("is not a telephone number ({e}); write it as dialled from outside, such as 0151 496 0123 or +44 151 496 0123, and separate several with `;`"),
                    )
                })?;
                seen.check(origin, line, "direct_dials", phone.as_str())?;
                direct_dials.push(phone);
            }
            let senior = match cell(5).to_ascii_lowercase().as_str() {
                "yes" | "y" | "true" => true,
                "no" | "n" | "false" | "" => false,
                other => {
                    return Err(bad(
                        "senior",
                        other,
                        "is not yes or no; write `yes` for a senior officer, otherwise `no`"
                            .to_string(),
                    ))
                }
            };
            directory.push(StaffMember {
                email,
                name,
                role: cell(2).to_string(),
                extensions,
                direct_dials,
                senior,
                service_areas: list(cell(6)).map(str::to_string).collect(),
            });
        }
        Ok(directory)
    }

    fn push(&mut self, member: StaffMember) {
        let i = self.members.len();
        self.by_email.insert(member.email.as_str().to_string(), i);
        for ext in &member.extensions {
            self.by_extension.insert(ext.to_lowercase(), i);
        }
        for dial in &member.direct_dials {
            self.by_phone.insert(dial.as_str().to_string(), i);
        }
        for key in name_keys(&member.name) {
            let entry = self.by_name.entry(key).or_default();
            if !entry.contains(&i) {
                entry.push(i);
            }
        }
        self.members.push(member);
    }

    /// The member with this work address.
    pub fn by_email(&self, email: &EmailAddress) -> Option<&StaffMember> {
        self.by_email.get(email.as_str()).map(|&i| &self.members[i])
    }

    /// The member with this extension (compared case-insensitively, surrounding spaces
    /// ignored).
    pub fn by_extension(&self, extension: &str) -> Option<&StaffMember> {
        self.by_extension
            .get(&extension.trim().to_lowercase())
            .map(|&i| &self.members[i])
    }

    /// The member with this direct dial.
    pub fn by_phone(&self, phone: &PhoneNumber) -> Option<&StaffMember> {
        self.by_phone.get(phone.as_str()).map(|&i| &self.members[i])
    }

    /// The member with this name, written "First Surname" or "Surname, First", with or
    /// without a title (Mr, Mrs, Ms, Dr…), in any case and spacing; middle names may be left
    /// out. `None` when nobody has the name, or when two members share it (a name alone
    /// cannot say which one is meant).
    pub fn by_name(&self, name: &str) -> Option<&StaffMember> {
        let keys = name_keys(name);
        keys.iter()
            .find_map(|key| self.by_name.get(key))
            .and_then(|found| match found.as_slice() {
                [only] => Some(&self.members[*only]),
                _ => None,
            })
    }

    /// Members whose role is exactly this role, ignoring case and spacing ("chief fire
    /// officer" finds "Chief Fire Officer").
    pub fn by_role(&self, role: &str) -> Vec<&StaffMember> {
        let wanted = role_key(role);
        if wanted.is_empty() {
            return Vec::new();
        }
        self.members
            .iter()
            .filter(|m| role_key(&m.role) == wanted)
            .collect()
    }

    /// Every member, in file order.
    pub fn members(&self) -> &[StaffMember] {
        &self.members
    }

    /// Members marked `senior = yes`.
    pub fn seniors(&self) -> impl Iterator<Item = &StaffMember> {
        self.members.iter().filter(|m| m.senior)
    }

    /// Members whose role contains "director" (any case): the people who may authorise
    /// contact arrangements.
    pub fn directors(&self) -> impl Iterator<Item = &StaffMember> {
        self.members
            .iter()
            .filter(|m| m.role.to_lowercase().contains("director"))
    }

    /// Whether the directory lists nobody.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

#[cfg(test)]
#[path = "directory_tests.rs"]
mod tests;

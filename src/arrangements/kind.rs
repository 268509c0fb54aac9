//! The kinds of arrangement a case conference may decide, by their policy names.

/// What was decided. The names are the CLI's and the store's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArrangementKind {
    /// One nominated staff member handles all contact; inbound mail is forwarded to them.
    SinglePointOfContact,
    /// The nominated staff member contacts the customer at an agreed frequency.
    ProactiveContact,
    /// Regular meetings at an agreed frequency.
    RegularMeetings,
    /// Mediation.
    Mediation,
    /// Contact in writing only.
    WrittenContactOnly,
    /// Contact suspended while legal advice is sought.
    ContactSuspended,
    /// Enforcement.
    Enforcement,
}

impl ArrangementKind {
    /// Every kind, in the order the policy lists them.
    pub const ALL: [ArrangementKind; 7] = [
        ArrangementKind::SinglePointOfContact,
        ArrangementKind::ProactiveContact,
        ArrangementKind::RegularMeetings,
        ArrangementKind::Mediation,
        ArrangementKind::WrittenContactOnly,
        ArrangementKind::ContactSuspended,
        ArrangementKind::Enforcement,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ArrangementKind::SinglePointOfContact => "single-point-of-contact",
            ArrangementKind::ProactiveContact => "proactive-contact",
            ArrangementKind::RegularMeetings => "regular-meetings",
            ArrangementKind::Mediation => "mediation",
            ArrangementKind::WrittenContactOnly => "written-contact-only",
            ArrangementKind::ContactSuspended => "contact-suspended",
            ArrangementKind::Enforcement => "enforcement",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<ArrangementKind> {
        let name = name.trim().to_ascii_lowercase();
        ArrangementKind::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// Whether it names a staff member who handles or makes the contact.
    pub fn needs_nominated(self) -> bool {
        matches!(
            self,
            ArrangementKind::SinglePointOfContact | ArrangementKind::ProactiveContact
        )
    }

    /// Whether it has a contact frequency (`--frequency-days`).
    pub fn has_frequency(self) -> bool {
        matches!(
            self,
            ArrangementKind::ProactiveContact | ArrangementKind::RegularMeetings
        )
    }
}

impl std::fmt::Display for ArrangementKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ArrangementKind;

    #[test]
    fn every_kind_parses_from_its_own_name() {
        for kind in ArrangementKind::ALL {
            assert_eq!(ArrangementKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            ArrangementKind::parse(" Single-Point-Of-Contact "),
            Some(ArrangementKind::SinglePointOfContact)
        );
        assert_eq!(ArrangementKind::parse("spoc"), None);
    }
}

//! `EmailAddress`: a checked, lower-cased mailbox address (`local@domain`).

use super::DomainError;
use std::fmt;

/// An email address that has been checked for shape and normalised to lower case.
/// Made only by [`EmailAddress::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks and normalises an address. Surrounding whitespace and angle brackets are removed;
    /// the result is lower case (mailbox local parts are case-insensitive in practice).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        let invalid = |why: &str| DomainError::InvalidEmail {
            input: input.chars().take(120).collect(),
            why: why.to_string(),
        };
        if trimmed.len() > 254 {
            return Err(invalid("longer than 254 characters"));
        }
        let (local, domain) = trimmed
            .rsplit_once('@')
            .ok_or_else(|| invalid("it has no '@'"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(invalid("the part before '@' is empty or too long"));
        }
        if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid(
                "the part before '@' contains spaces or control characters",
            ));
        }
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            });
        if !domain_ok {
            return Err(invalid("the domain after '@' is not a valid host name"));
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, after the last `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_brackets() {
        let a = EmailAddress::parse(" <Alice.Smith@Example.ORG> ").expect("valid");
        assert_eq!(a.as_str(), "alice.smith@example.org");
        assert_eq!(a.domain(), "example.org");
    }

    #[test]
    fn rejects_addresses_without_at_or_domain() {
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.org",
            "a b@example.org",
            "a@exa mple.org",
            "a@.org",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn accepts_plus_tags_and_subdomains() {
        assert!(EmailAddress::parse("a+b@mail.example.co.uk").is_ok());
    }
}

//! What a typed-in value must look like before any rule sees it: one place, so the API,
//! the pages, mail intake and the command line refuse the same things in the same words.

use crate::error::DomainError;
use std::fmt;

/// The longest address SMTP can carry (RFC 5321's path limit less the angle brackets).
const MAX_EMAIL: usize = 254;

/// An email address Roadone can write to: `local@domain.tld`. Callers trim what a person
/// typed; a space left anywhere is refused.
///
/// Stricter than the standard on purpose: no display names, no quoted local parts, no
/// spaces, no bare host names (`ann@localhost`), no IP literals. Those are valid on paper
/// but are, in a helpdesk, always a typing mistake.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Reads `text`; the error says in plain words what is wrong with it.
    pub fn parse(text: &str) -> Result<EmailAddress, String> {
        if text.trim().is_empty() {
            return Err("is required".into());
        }
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
        };
        let plain = text.len() <= MAX_EMAIL
            && !text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"')
            && email_address::EmailAddress::parse_with_options(text, options).is_ok();
        if plain {
            Ok(EmailAddress(text.to_string()))
        } else {
            Err(format!("{text:?} is not an email address"))
        }
    }

    /// Reads `text` given as `field`, as a rule error naming the field.
    pub fn of_field(field: &str, text: &str) -> Result<EmailAddress, DomainError> {
        EmailAddress::parse(text).map_err(|message| DomainError::invalid(field, message))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
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
    fn addresses_people_type_are_taken_as_typed() {
        for ok in [
            "ann@example.com",
            "ann.lee+billing@mail.example.co.uk",
            "o'brien@example.ie",
            "zoë@exämple.de",
        ] {
            assert_eq!(
                EmailAddress::parse(ok).map(|e| e.to_string()),
                Ok(ok.to_string()),
                "{ok}"
            );
        }
    }

    #[test]
    fn typing_mistakes_are_refused_with_the_address_named() {
        for bad in [
            "x y",
            " ann@example.com",
            "ann@example .com",
            "ann",
            "ann@",
            "@example.com",
            "ann@localhost",
            "ann@@example.com",
            "ann@example.com\r\nBcc: eve@example.com",
            "Ann <ann@example.com>",
            "\"ann lee\"@example.com",
            "ann@[192.0.2.1]",
            "ann@.example.com",
            "ann@example.com.",
        ] {
            let error = EmailAddress::parse(bad).expect_err(bad);
            assert!(error.contains("is not an email address"), "{bad}: {error}");
        }
        assert_eq!(EmailAddress::parse("  "), Err("is required".to_string()));
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }
}

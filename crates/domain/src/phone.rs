//! Phone numbers as customers say them and as Roadone keeps them. A number is stored in
//! E.164 (`+447700900442`), whichever way it was typed (`07700 900442`, `+44 7700 900442`,
//! `(0)7700-900442`), so one caller is one customer; national forms are read in the
//! company's region. Lookups match on the end of the digits, so the last six digits a
//! caller reads out find them too.

use std::fmt;
use std::str::FromStr;

/// The country whose national numbers are understood without a `+` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegion(phonenumber::country::Id);

impl FromStr for PhoneRegion {
    type Err = String;

    fn from_str(text: &str) -> Result<PhoneRegion, String> {
        let code = text.trim().to_ascii_uppercase();
        if code.len() != 2 {
            return Err(format!(
                "\u{201c}{text}\u{201d} is not a country code: give two letters, such as GB, US or DE"
            ));
        }
        code.parse::<phonenumber::country::Id>()
            .map(PhoneRegion)
            .map_err(|_| format!("\u{201c}{text}\u{201d} is not a country code we know"))
    }
}

impl fmt::Display for PhoneRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

/// `text` in E.164, or why it is not a number anyone could call.
pub fn normalise(text: &str, region: Option<PhoneRegion>) -> Result<String, String> {
    let text = text.trim();
    let international = text.starts_with('+') || text.starts_with("00");
    let hint = match region {
        _ if international => {
            "check its digits: it is too short or too long for its country".to_string()
        }
        Some(region) => format!(
            "give it as the caller would dial it in {region}, or with its country code (+44 20 7946 0000)"
        ),
        None => "give it with its country code, such as +44 20 7946 0000 (or set the company's \
                 phone region under Rules to accept national numbers)"
            .to_string(),
    };
    let parsed = if region.is_none() && !international {
        None
    } else {
        phonenumber::parse(region.map(|r| r.0), text).ok()
    };
    match parsed {
        Some(number) if number.is_valid() || possible(&number) => {
            Ok(number.format().mode(phonenumber::Mode::E164).to_string())
        }
        _ => Err(format!(
            "\u{201c}{text}\u{201d} is not a phone number we can call: {hint}"
        )),
    }
}

/// Whether the number has a length its country's numbers can have. Weaker than valid on
/// purpose: the ranges kept for fiction and tests (+44 7700 900xxx) are reserved, not
/// invalid, and a number the metadata does not know yet may still ring.
fn possible(number: &phonenumber::PhoneNumber) -> bool {
    let digits = number.national().to_string().len() as u16;
    phonenumber::metadata::DATABASE
        .by_code(&number.code().value())
        .is_some_and(|regions| {
            // The general description's lengths are often left empty: ask each kind.
            regions.iter().any(|m| {
                let d = m.descriptors();
                [
                    d.fixed_line(),
                    d.mobile(),
                    d.toll_free(),
                    d.voip(),
                    d.personal_number(),
                ]
                .into_iter()
                .flatten()
                .chain([d.general()])
                .any(|kind| kind.possible_length().contains(&digits))
            })
        })
}

/// What a stored number is found by: its digits, last first, so that "ends with" is a
/// prefix match an index can serve.
pub fn key(stored: &str) -> String {
    stored.chars().rev().filter(char::is_ascii_digit).collect()
}

/// The keys whose prefixes a lookup for `text` matches, or none when `text` does not look
/// like (part of) a phone number. A whole number is read in `region` and matched exactly;
/// any run of at least four digits also matches as the end of a number (a leading trunk
/// `0` dropped, as in `07700 900442` against `+447700900442`).
pub fn lookup_keys(text: &str, region: Option<PhoneRegion>) -> Vec<String> {
    let text = text.trim();
    let number_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if !number_like || digits.len() < 4 {
        return Vec::new();
    }
    let mut keys = Vec::new();
    if let Ok(e164) = normalise(text, region) {
        keys.push(key(&e164));
    }
    for tail in [digits.as_str(), digits.trim_start_matches('0')] {
        let reversed = key(tail);
        if reversed.len() >= 4 && !keys.contains(&reversed) {
            keys.push(reversed);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gb() -> Option<PhoneRegion> {
        Some("gb".parse().unwrap())
    }

    #[test]
    fn every_way_of_typing_a_number_is_one_number() {
        for typed in [
            "+447700900442",
            "+44 7700 900442",
            "07700 900442",
            "(07700) 900-442",
            "0044 7700 900442",
        ] {
            assert_eq!(
                normalise(typed, gb()).as_deref(),
                Ok("+447700900442"),
                "{typed}"
            );
        }
        assert_eq!(
            normalise("+1 202 555 0143", gb()).as_deref(),
            Ok("+12025550143"),
            "another country's number keeps its code"
        );
    }

    #[test]
    fn what_nobody_can_call_is_refused_with_a_way_out() {
        let no_code = normalise("07700 900442", None).unwrap_err();
        assert!(no_code.contains("country code"), "{no_code}");
        assert!(normalise("+44 1", gb()).is_err());
        assert!(normalise("call me", gb()).is_err());
        assert!("G".parse::<PhoneRegion>().is_err());
        assert!("ZZ".parse::<PhoneRegion>().is_err());
    }

    #[test]
    fn the_end_of_a_number_finds_it() {
        let stored = key("+447700900442");
        for typed in ["+447700900442", "07700 900442", "900442", "0442"] {
            let keys = lookup_keys(typed, gb());
            assert!(
                keys.iter().any(|k| stored.starts_with(k.as_str())),
                "{typed}: {keys:?}"
            );
        }
        assert!(lookup_keys("ada", gb()).is_empty());
        assert!(
            lookup_keys("442", gb()).is_empty(),
            "too few digits to mean anything"
        );
    }

    proptest! {
        /// Any valid UK mobile number, typed with or without its country code and with any
        /// spacing, is stored as the same E.164 and found by its last six digits.
        #[test]
        fn a_number_is_the_same_however_it_is_spaced(
            rest in "[0-9]{6}",
            split in 1usize..9,
            international in any::<bool>(),
        ) {
            let national = format!("7700{rest}");
            let (a, b) = national.split_at(split.min(national.len()));
            let typed = if international { format!("+44 {a} {b}") } else { format!("0{a} {b}") };
            let stored = normalise(&typed, gb());
            let expected = format!("+44{national}");
            prop_assert_eq!(stored.as_deref(), Ok(expected.as_str()));
            let stored = key(&stored.unwrap());
            let last_six = &national[national.len() - 6..];
            prop_assert!(lookup_keys(last_six, gb()).iter().any(|k| stored.starts_with(k.as_str())));
        }
    }
}

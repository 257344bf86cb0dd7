//! The rules of the second factor, pure (no I/O; the time is passed in): RFC 6238 codes
//! (HMAC-SHA-1, 6 digits, 30-second steps, one step of skew either way), the refusal of a
//! code whose step was accepted already, and the shape of recovery codes.

use chrono::{DateTime, Utc};
use rand::Rng;
use totp_rs::{Algorithm, TOTP};

/// How long one code lasts.
pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: usize = 6;
/// A code of the step before or after the current one is accepted too: phones' clocks
/// drift, and a code typed at the end of its 30 seconds arrives in the next step.
pub const SKEW_STEPS: i64 = 1;
/// 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// How many recovery codes a person gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// A recovery code's characters (Crockford's base32: no i, l, o or u to misread).
const RECOVERY_ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters per recovery code: 50 bits, shown as two groups of five.
const RECOVERY_LENGTH: usize = 10;
/// The name an authenticator app shows above the code.
pub const ISSUER: &str = "Roadone";

/// A new random shared secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill(&mut secret[..]);
    secret
}

fn totp(secret: &[u8], account: &str) -> TOTP {
    // Unchecked: our secrets are always long enough, and an account name with a colon
    // is percent-encoded in the URL rather than refused.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        SKEW_STEPS as u8,
        STEP_SECONDS as u64,
        secret.to_vec(),
        Some(ISSUER.to_string()),
        account.to_string(),
    )
}

/// The time step `now` falls in.
pub fn step_at(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The code of `step` (what the person's app shows during it).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let seconds = u64::try_from(step.max(0) * STEP_SECONDS).unwrap_or(0);
    totp(secret, "").generate(seconds)
}

/// What a code typed at `now` comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right, for this step (which is now spent).
    Accepted {
        step: i64,
    },
    /// Right, but its step (or a later one) was accepted already: a code works once.
    Reused,
    Wrong,
}

/// Checks `code` against the steps around `now`, refusing a step at or before
/// `last_step`, the last one accepted.
pub fn check_code(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_step: Option<i64>,
) -> CodeCheck {
    let here = step_at(now);
    let matching: Vec<i64> = (here - SKEW_STEPS..=here + SKEW_STEPS)
        .filter(|step| crate::tokens::same_secret(&code_at(secret, *step), code))
        .collect();
    let fresh = matching
        .iter()
        .copied()
        .filter(|step| last_step.is_none_or(|last| *step > last))
        .max();
    match fresh {
        Some(step) => CodeCheck::Accepted { step },
        None if !matching.is_empty() => CodeCheck::Reused,
        None => CodeCheck::Wrong,
    }
}

/// The `otpauth://` link an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, account).get_url()
}

/// The secret as a person types it into an app by hand: base32 in groups of four.
pub fn secret_text(secret: &[u8]) -> String {
    let base32 = totp(secret, "").get_secret_base32();
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a person typed at the second step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Six digits: a code from the app.
    Code(String),
    /// A recovery code, in its one spelling (lower case, no dash).
    Recovery(String),
    /// Neither.
    Unreadable,
}

/// Reads an answer: spaces and dashes do not count, nor does case; in a recovery code `o`
/// reads as `0` and `i` or `l` as `1`, as Crockford's base32 has it.
pub fn read_answer(typed: &str) -> Answer {
    let kept: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if kept.len() == DIGITS && kept.bytes().all(|b| b.is_ascii_digit()) {
        return Answer::Code(kept);
    }
    let recovery: String = kept
        .to_ascii_lowercase()
        .chars()
        .map(|c| match c {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect();
    if recovery.len() == RECOVERY_LENGTH && recovery.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
    {
        Answer::Recovery(recovery)
    } else {
        Answer::Unreadable
    }
}

/// New recovery codes as shown to the person (`7kq2m-x9fpa`), once.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..RECOVERY_LENGTH)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// What the store keeps of a recovery code: the SHA-256 digest of its one spelling.
pub fn recovery_digest(code: &str) -> Option<Vec<u8>> {
    match read_answer(code) {
        Answer::Recovery(spelled) => Some(crate::tokens::digest(&spelled)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).single().unwrap()
    }

    #[test]
    fn the_codes_are_rfc_6238s() {
        // RFC 6238, appendix B: the SHA-1 secret, its 8-digit codes cut to 6.
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(code_at(secret, step_at(at(time))), eight[2..], "at {time}");
        }
    }

    #[test]
    fn a_code_works_in_its_step_and_the_next_and_the_one_before_never_twice() {
        let secret = new_secret();
        let t = at(1_750_000_005);
        let step = step_at(t);
        let code = code_at(&secret, step);
        assert_eq!(
            check_code(&secret, &code, t, None),
            CodeCheck::Accepted { step }
        );
        assert_eq!(check_code(&secret, &code, t, Some(step)), CodeCheck::Reused);
        assert_eq!(
            check_code(
                &secret,
                &code,
                t + chrono::Duration::seconds(30),
                Some(step - 1)
            ),
            CodeCheck::Accepted { step },
            "typed as the next step began"
        );
        assert_eq!(
            check_code(&secret, &code, t + chrono::Duration::seconds(90), None),
            CodeCheck::Wrong,
            "three steps later it is over"
        );
        let other = if code == "000000" { "000001" } else { "000000" };
        assert_eq!(check_code(&secret, other, t, None), CodeCheck::Wrong);
    }

    #[test]
    fn answers_are_read_as_people_type_them() {
        assert_eq!(read_answer(" 123 456 "), Answer::Code("123456".into()));
        assert_eq!(
            read_answer("7KQ2M-X9FPA"),
            Answer::Recovery("7kq2mx9fpa".into())
        );
        assert_eq!(
            read_answer("ok12l 9fpai"),
            Answer::Recovery("0k121 9fpa1".replace(' ', "")),
            "o, i and l read as Crockford's base32 has it"
        );
        assert_eq!(read_answer("12345"), Answer::Unreadable);
        assert_eq!(read_answer("1234567"), Answer::Unreadable);
        assert_eq!(read_answer("uuuuu-uuuuu"), Answer::Unreadable);
        assert_eq!(read_answer(""), Answer::Unreadable);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_readable_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let digests: std::collections::BTreeSet<Vec<u8>> = codes
            .iter()
            .map(|c| recovery_digest(c).expect("a code we made reads back"))
            .collect();
        assert_eq!(digests.len(), RECOVERY_CODES, "no two alike");
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(
                recovery_digest(&code.to_uppercase().replace('-', " ")),
                recovery_digest(code),
                "case and separators do not matter"
            );
        }
    }

    #[test]
    fn the_link_and_the_typed_secret_carry_the_same_secret() {
        let secret = b"12345678901234567890".to_vec();
        let url = otpauth_url(&secret, "ada@example.com");
        assert!(
            url.starts_with(
                "otpauth://totp/Roadone:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            ),
            "{url}"
        );
        assert!(url.contains("issuer=Roadone"), "{url}");
        assert_eq!(
            secret_text(&secret),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
    }

    proptest! {
        /// Whatever the secret and the time: the code of now, of the step before and of
        /// the step after is accepted once; a code of any step further off never is.
        #[test]
        fn the_window_is_one_step_either_way_and_each_step_works_once(
            secret in proptest::collection::vec(any::<u8>(), SECRET_BYTES),
            seconds in 0i64..4_000_000_000,
            offset in -5i64..=5,
        ) {
            let now = at(seconds);
            let step = step_at(now) + offset;
            let code = code_at(&secret, step);
            let first = check_code(&secret, &code, now, None);
            if offset.abs() <= SKEW_STEPS {
                match first {
                    CodeCheck::Accepted { step: accepted } => {
                        // Another step in the window may share the code (one in a
                        // million); then the latest of them is taken.
                        prop_assert!(accepted >= step);
                        prop_assert_eq!(
                            check_code(&secret, &code, now, Some(accepted)),
                            CodeCheck::Reused
                        );
                    }
                    other => prop_assert!(false, "refused within the window: {:?}", other),
                }
            } else {
                // A code far off matches a step in the window only by chance.
                let chance = (step_at(now) - SKEW_STEPS..=step_at(now) + SKEW_STEPS)
                    .any(|s| code_at(&secret, s) == code);
                prop_assert_eq!(first == CodeCheck::Wrong, !chance);
            }
        }

        /// After a step is accepted, no code of it or of an earlier step is, whenever typed.
        #[test]
        fn no_step_at_or_before_the_last_accepted_one_is_accepted(
            secret in proptest::collection::vec(any::<u8>(), SECRET_BYTES),
            seconds in 0i64..4_000_000_000,
            back in 0i64..=2,
        ) {
            let now = at(seconds);
            let last = step_at(now) + SKEW_STEPS;
            let code = code_at(&secret, last - back);
            let got = check_code(&secret, &code, now, Some(last));
            prop_assert!(!matches!(got, CodeCheck::Accepted { .. }), "{:?}", got);
        }
    }
}

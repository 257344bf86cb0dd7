//! The reply address of a case, `support+<token>@domain`, where the token is the case id
//! and an HMAC of it under the server's secret: a reply to it lands on that case, and a
//! token made up by someone else is recognised as forged.

use hmac::{Hmac, Mac};
use roadone_domain::CaseId;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Hex characters of the MAC kept in the address: 80 bits, short enough for a local part.
const MAC_HEX: usize = 20;

fn mac(secret: &[u8], case: CaseId) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(b"roadone reply address v1:");
    mac.update(case.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())[..MAC_HEX].to_string()
}

pub fn token(secret: &[u8], case: CaseId) -> String {
    format!("{case}-{}", mac(secret, case))
}

/// The case a token names, if the token is genuine.
pub fn verify(secret: &[u8], token: &str) -> Option<CaseId> {
    let (id, given) = token.split_once('-')?;
    let case: CaseId = id.parse().ok()?;
    let expected = mac(secret, case);
    // Constant-time comparison: the time taken says nothing about how much matched.
    let same = given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same.then_some(case)
}

/// `local+token@domain` from the configured sender `local@domain`.
pub fn address(mail_from: &str, secret: &[u8], case: CaseId) -> String {
    let (local, domain) = mail_from.rsplit_once('@').unwrap_or((mail_from, "localhost"));
    format!("{local}+{}@{domain}", token(secret, case))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_genuine_token_names_its_case_and_a_forged_one_nothing() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let t = token(secret, 42);
        assert_eq!(verify(secret, &t), Some(42));
        assert_eq!(verify(secret, &t.replacen("42-", "43-", 1)), None, "another case id with the same MAC");
        assert_eq!(verify(b"another secret", &t), None, "a token from another installation");
        assert_eq!(verify(secret, "42-00000000000000000000"), None);
        assert_eq!(verify(secret, "nonsense"), None);
        assert_eq!(address("support@example.com", secret, 42), format!("support+{t}@example.com"));
    }
}

//! The reply address of a case, `support+<token>@domain`, where the token is the case id
//! and an HMAC of it under the server's secret: a reply to it lands on that case, and a
//! token made up by someone else is recognised as forged.

use hmac::{Hmac, Mac};
use roadone_domain::CaseId;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Hex characters of the MAC kept in the address: 80 bits, short enough for a local part.
const MAC_HEX: usize = 20;

fn mac_of(secret: &[u8], label: &[u8], data: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(label);
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())[..MAC_HEX].to_string()
}

fn mac(secret: &[u8], case: CaseId) -> String {
    mac_of(secret, b"roadone reply address v1:", &case.to_string())
}

/// The Message-ID of outbox row `row` of `case`: `<roadone.CASE.ROW.MAC@domain>`. The MAC
/// lets a reply's In-Reply-To or References be checked without trusting the header.
pub fn message_id(secret: &[u8], case: CaseId, row: i64, domain: &str) -> String {
    let mac = mac_of(secret, b"roadone message id v1:", &format!("{case}.{row}"));
    format!("<roadone.{case}.{row}.{mac}@{domain}>")
}

/// The id every mail of `case` refers to (`In-Reply-To`, `References`), so that a mail
/// program shows them as one conversation. Row 0 is never an outbox row: the id names
/// the case itself, and a reply that quotes it still finds the case.
pub fn thread_id(secret: &[u8], case: CaseId, domain: &str) -> String {
    message_id(secret, case, 0, domain)
}

/// The case a Message-ID we sent belongs to; `None` for any other id, forged or foreign.
pub fn case_of_message_id(secret: &[u8], id: &str) -> Option<CaseId> {
    let inner = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _domain) = inner.split_once('@')?;
    let mut parts = local.strip_prefix("roadone.")?.splitn(3, '.');
    let (case, row, given) = (parts.next()?, parts.next()?, parts.next()?);
    let (case_id, _row): (CaseId, i64) = (case.parse().ok()?, row.parse().ok()?);
    let expected = mac_of(secret, b"roadone message id v1:", &format!("{case}.{row}"));
    crate::tokens::same_secret(given, &expected).then_some(case_id)
}

pub fn token(secret: &[u8], case: CaseId) -> String {
    format!("{case}-{}", mac(secret, case))
}

/// The case a token names, if the token is genuine.
pub fn verify(secret: &[u8], token: &str) -> Option<CaseId> {
    let (id, given) = token.split_once('-')?;
    let case: CaseId = id.parse().ok()?;
    crate::tokens::same_secret(given, &mac(secret, case)).then_some(case)
}

/// `local+token@domain` from the configured sender `local@domain`.
pub fn address(mail_from: &str, secret: &[u8], case: CaseId) -> String {
    let (local, domain) = mail_from
        .rsplit_once('@')
        .unwrap_or((mail_from, "localhost"));
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
        assert_eq!(
            verify(secret, &t.replacen("42-", "43-", 1)),
            None,
            "another case id with the same MAC"
        );
        assert_eq!(
            verify(b"another secret", &t),
            None,
            "a token from another installation"
        );
        assert_eq!(verify(secret, "42-00000000000000000000"), None);
        assert_eq!(verify(secret, "nonsense"), None);
        assert_eq!(
            address("support@example.com", secret, 42),
            format!("support+{t}@example.com")
        );
    }

    #[test]
    fn our_message_ids_name_their_case_and_others_do_not() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let id = message_id(secret, 7, 19, "example.com");
        assert_eq!(case_of_message_id(secret, &id), Some(7));
        assert_eq!(
            case_of_message_id(secret, &id.replace("<roadone.7.", "<roadone.8.")),
            None
        );
        assert_eq!(case_of_message_id(b"other", &id), None);
        assert_eq!(case_of_message_id(secret, "<CAF=abc@mail.gmail.com>"), None);
        assert_eq!(
            case_of_message_id(secret, "<roadone.7.19@example.com>"),
            None,
            "unsigned"
        );
    }
}

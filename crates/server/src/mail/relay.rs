//! The connection to the mail relay, described by one URL:
//!
//! - `smtp://host[:port]`: plain SMTP (port 25), for a relay on the same host or network;
//! - `smtp://host:587?tls=required`: STARTTLS, refusing to send if the relay cannot;
//! - `smtp://host:587?tls=opportunistic`: STARTTLS when offered;
//! - `smtps://host[:port]`: TLS from the first byte (port 465);
//! - `user:password@` before the host (percent-encoded) logs in with AUTH.
//!
//! Certificates are checked against the Mozilla roots, plus `smtp_relay_ca_file` when set
//! (a private CA or a self-signed relay).

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Plain,
    StartTlsRequired,
    StartTlsOpportunistic,
    Tls,
}

#[derive(Clone, PartialEq, Eq)]
pub struct RelayUrl {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
}

// Never print the password.
impl std::fmt::Debug for RelayUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish()
    }
}

impl RelayUrl {
    pub fn parse(text: &str) -> Result<RelayUrl, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| {
            format!(
                "{:?} is not a URL like smtp://host:port ({e})",
                redact(text)
            )
        })?;
        let shown = redact(text);
        let mut security = match url.scheme() {
            "smtp" => Security::Plain,
            "smtps" => Security::Tls,
            other => {
                return Err(format!(
                    "{shown:?}: the scheme must be smtp or smtps, not {other}"
                ))
            }
        };
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref(), security) {
                ("tls", "required", Security::Plain) => security = Security::StartTlsRequired,
                ("tls", "opportunistic", Security::Plain) => {
                    security = Security::StartTlsOpportunistic
                }
                ("tls", "none", Security::Plain) => {}
                ("tls", _, Security::Tls) => {
                    return Err(format!(
                        "{shown:?}: smtps:// is always TLS; `tls=` is for smtp:// (STARTTLS)"
                    ))
                }
                ("tls", other, _) => {
                    return Err(format!(
                        "{shown:?}: tls must be required, opportunistic or none, not {other:?}"
                    ))
                }
                (other, _, _) => return Err(format!("{shown:?}: unknown option {other:?}")),
            }
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("{shown:?}: the host is missing"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url.port().unwrap_or(match security {
            Security::Tls => 465,
            _ => 25,
        });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| format!("{shown:?}: the user or password is not valid UTF-8"))
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, Some(password)) if !user.is_empty() => Some((decode(user)?, decode(password)?)),
            _ => {
                return Err(format!(
                    "{shown:?}: give both user and password (user:password@host)"
                ))
            }
        };
        if credentials.is_some() && security == Security::Plain && !is_loopback(&host) {
            return Err(format!(
                "{shown:?}: a password would cross the network in clear text; use smtps:// or ?tls=required"
            ));
        }
        Ok(RelayUrl {
            host,
            port,
            security,
            credentials,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The URL with any password replaced, for messages and logs.
pub fn redact(text: &str) -> String {
    match url::Url::parse(text.trim()) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => text.to_string(),
    }
}

/// A transport to the relay at `url`; `ca_file` adds a trusted root in PEM.
pub fn transport(
    url: &str,
    ca_file: Option<&Path>,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let relay = RelayUrl::parse(url)?;
    let tls = || -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(relay.host.clone());
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("smtp_relay_ca_file {}: {e}", path.display()))?;
            let certificate = Certificate::from_pem(&pem).map_err(|e| {
                format!(
                    "smtp_relay_ca_file {}: not a PEM certificate ({e})",
                    path.display()
                )
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        builder
            .build()
            .map_err(|e| format!("TLS settings for the relay: {e}"))
    };
    let tls = match relay.security {
        Security::Plain => Tls::None,
        Security::StartTlsRequired => Tls::Required(tls()?),
        Security::StartTlsOpportunistic => Tls::Opportunistic(tls()?),
        Security::Tls => Tls::Wrapper(tls()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host.clone())
        .port(relay.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = relay.credentials {
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> RelayUrl {
        RelayUrl::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn plain_starttls_and_tls_relays_with_their_default_ports() {
        let r = parse("smtp://127.0.0.1:2525");
        assert_eq!(
            (r.host.as_str(), r.port, r.security),
            ("127.0.0.1", 2525, Security::Plain)
        );
        assert_eq!(parse("smtp://mail.example.com").port, 25);
        let r = parse("smtp://mail.example.com:587?tls=required");
        assert_eq!((r.port, r.security), (587, Security::StartTlsRequired));
        assert_eq!(
            parse("smtp://mail.example.com?tls=opportunistic").security,
            Security::StartTlsOpportunistic
        );
        let r = parse("smtps://mail.example.com");
        assert_eq!((r.port, r.security), (465, Security::Tls));
        assert_eq!(parse("smtp://[::1]:25").host, "::1");
    }

    #[test]
    fn credentials_are_decoded_and_never_shown() {
        let r = parse("smtps://support%40example.com:p%40ss%3Aword@mail.example.com");
        assert_eq!(
            r.credentials,
            Some(("support@example.com".into(), "p@ss:word".into()))
        );
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("p@ss") && !shown.contains("p%40ss"),
            "{shown}"
        );
        assert!(!redact("smtps://u:secret@h").contains("secret"));
    }

    #[test]
    fn mistakes_are_named() {
        let refused = |s: &str, says: &str| {
            let e = RelayUrl::parse(s).expect_err(s);
            assert!(e.contains(says), "{s}: {e}");
            assert!(!e.contains("hunter2"), "the password leaked: {e}");
        };
        refused("http://x:1", "scheme");
        refused("smtp://x:port", "not a URL");
        refused("smtp://x?tls=maybe", "tls must be");
        refused("smtps://x?tls=required", "always TLS");
        refused("smtp://x?foo=1", "unknown option");
        refused("smtp://u:hunter2@mail.example.com", "clear text");
        refused(
            "smtp://user@mail.example.com?tls=required",
            "both user and password",
        );
        // On the same machine a plain login is acceptable (a local relay).
        parse("smtp://u:pw@127.0.0.1:25");
    }
}

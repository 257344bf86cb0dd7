//! The administrator's rules and mail pages: the settings of `crate::settings`, each
//! shown with where its value comes from (the server's configuration, or a change made
//! here, by whom and when). The mail page also shows the relay and sends a test message.

use crate::app::AppState;
use crate::error::AppError;
use crate::mail::relay::{RelayUrl, Security};
use crate::settings::{check, Key, MAIL_KEYS, RULE_KEYS};
use crate::web::flash::Flashed;
use crate::web::pages::{html, WebError, WebResult};
use crate::web::staff::admin::{admin_form, admin_only, done_redirect};
use crate::web::staff::session::{Me, SignedIn};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// What the page says above its forms.
enum Said {
    Nothing,
    Done(Option<String>),
    Problem(StatusCode, String),
}

#[derive(Clone, Copy)]
enum Group {
    Rules,
    Mail,
}

impl Group {
    fn keys(self) -> &'static [Key] {
        match self {
            Group::Rules => RULE_KEYS,
            Group::Mail => MAIL_KEYS,
        }
    }
    fn slug(self) -> &'static str {
        match self {
            Group::Rules => "rules",
            Group::Mail => "mail",
        }
    }
}

/// What the relay URL says, in words, without its password.
fn relay_summary(state: &AppState) -> String {
    let Some(relay) = &state.config.smtp_relay else {
        return "not set: mail waits in the outbox until a relay is configured (smtp_relay)".into();
    };
    match RelayUrl::parse(relay) {
        Ok(url) => {
            let security = match url.security {
                Security::Plain => "plain SMTP",
                Security::StartTlsRequired => "STARTTLS required",
                Security::StartTlsOpportunistic => "STARTTLS when offered",
                Security::Tls => "TLS",
            };
            let login = url
                .credentials
                .map(|(user, _)| format!(", signs in as {user}"))
                .unwrap_or_default();
            format!("{}:{} ({security}{login})", url.host, url.port)
        }
        Err(e) => e,
    }
}

/// A setting as its page shows it: the value (as typed, when refused) and where it comes from.
#[derive(Debug)]
struct SettingRow {
    name: &'static str,
    label: &'static str,
    help: &'static str,
    value: String,
    configured: String,
    source: String,
    error: Option<String>,
}

/// A category the inbound mail may open its cases in.
#[derive(Debug)]
struct CategoryChoice<'a> {
    key: &'a str,
    name: &'a str,
}

/// What only the mail page shows: the relay, the listener and the categories.
#[derive(Debug)]
struct MailPart<'a> {
    relay: String,
    listener: Option<String>,
    categories: Vec<CategoryChoice<'a>>,
}

#[derive(askama::Template)]
#[template(path = "web/staff/admin_settings.html")]
struct SettingsPage<'a> {
    me: Me,
    csrf: String,
    current: &'static str,
    rows: Vec<SettingRow>,
    mail: Option<MailPart<'a>>,
    problem: Option<String>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    group: Group,
    typed: &HashMap<String, String>,
    errors: &HashMap<&'static str, String>,
    said: Said,
) -> WebResult<Response> {
    let snapshot = state.directory.snapshot();
    let settings = &snapshot.settings;
    let base = state.directory.base();
    let rows: Vec<SettingRow> = group
        .keys()
        .iter()
        .map(|k| {
            let saved = settings.saved.get(k.name).map(|r| {
                let by = snapshot.person_name(r.changed_by);
                format!("changed here by {by}, {}", me.zone.when(r.changed_at))
            });
            SettingRow {
                name: k.name,
                label: k.label,
                help: k.help,
                value: typed
                    .get(k.name)
                    .cloned()
                    .unwrap_or_else(|| settings.shown(k.name)),
                configured: base.shown(k.name),
                source: saved.unwrap_or_else(|| "from the server's configuration".into()),
                error: errors.get(k.name).cloned(),
            }
        })
        .collect();
    let mail = matches!(group, Group::Mail).then(|| {
        let mut categories: Vec<CategoryChoice> = snapshot
            .categories
            .values()
            .map(|c| CategoryChoice {
                key: &c.key,
                name: &c.name,
            })
            .collect();
        categories.sort_by_key(|c| (c.name, c.key));
        MailPart {
            relay: relay_summary(state),
            listener: state.config.smtp_listen.map(|a| a.to_string()),
            categories,
        }
    });
    let (status, problem, notice) = match said {
        _ if !errors.is_empty() => {
            let mut names: Vec<&str> = errors.keys().copied().collect();
            names.sort_unstable();
            let problem = format!(
                "nothing was changed: {} cannot be saved as typed",
                names.join(", ")
            );
            (StatusCode::UNPROCESSABLE_ENTITY, Some(problem), None)
        }
        Said::Nothing => (StatusCode::OK, None, None),
        Said::Done(notice) => (StatusCode::OK, None, notice),
        Said::Problem(status, problem) => (status, Some(problem), None),
    };
    let html = html(&SettingsPage {
        me: me.me(),
        csrf: me.csrf.clone(),
        current: group.slug(),
        rows,
        mail,
        problem,
        notice,
    })?;
    Ok((status, html).into_response())
}

async fn show(
    state: &AppState,
    me: &SignedIn,
    group: Group,
    done: Option<String>,
) -> WebResult<Response> {
    admin_only(me)?;
    let none = HashMap::new();
    page(state, me, group, &none, &HashMap::new(), Said::Done(done)).await
}

pub async fn rules(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    Ok(flash.shown(show(&state, &me, Group::Rules, flash.notice()).await?))
}

pub async fn mail(
    State(state): State<AppState>,
    me: SignedIn,
    flash: Flashed,
) -> WebResult<Response> {
    Ok(flash.shown(show(&state, &me, Group::Mail, flash.notice()).await?))
}

pub async fn save_rules(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    save(state, me, Group::Rules, request).await
}

pub async fn save_mail(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    save(state, me, Group::Mail, request).await
}

/// Checks every field of the group; saves all changes in one go, or none and says why.
/// A value equal to the configuration's clears the override, so the config file rules
/// again.
async fn save(
    state: AppState,
    me: SignedIn,
    group: Group,
    request: Request,
) -> WebResult<Response> {
    let form = admin_form(&state, &me, request).await?;
    let snapshot = state.directory.snapshot();
    let base = state.directory.base();
    let mut typed = HashMap::new();
    let mut errors = HashMap::new();
    let mut changes = Vec::new();
    for key in group.keys() {
        let Some(text) = form.text(key.name) else {
            continue;
        };
        typed.insert(key.name.to_string(), text.to_string());
        match check(key, text, &snapshot.categories, &snapshot.hierarchy) {
            Err(message) => {
                errors.insert(key.name, message);
            }
            Ok(value) => {
                let value = value.filter(|v| *v != base.shown(key.name));
                let saved = snapshot.settings.saved.get(key.name).map(|r| &r.value);
                if value.as_ref() != saved {
                    changes.push((key.name.to_string(), value));
                }
            }
        }
    }
    if !errors.is_empty() {
        return page(&state, &me, group, &typed, &errors, Said::Nothing).await;
    }
    let notice = if changes.is_empty() {
        "nothing changed".to_string()
    } else {
        let names: Vec<&str> = changes.iter().map(|(k, _)| k.as_str()).collect();
        let said = format!("saved: {}", names.join(", "));
        state.save_settings(changes, me.person.id).await?;
        tracing::info!("{} changed the settings ({said})", me.person.email);
        said
    };
    Ok(done_redirect(
        &state,
        &format!("/staff/admin/{}", group.slug()),
        &notice,
    ))
}

/// Sends a test message to the signed-in admin through the relay, and says how it went.
pub async fn test_mail(
    State(state): State<AppState>,
    me: SignedIn,
    request: Request,
) -> WebResult<Response> {
    admin_form(&state, &me, request).await?;
    let notice = match crate::mail::test_message::send(&state, &me.person).await {
        Ok(()) => format!(
            "a test message was handed to the relay for {}",
            me.person.email
        ),
        Err(AppError::Unavailable(why)) => {
            let problem = format!("the test message was not sent: {why}");
            let said = Said::Problem(StatusCode::BAD_GATEWAY, problem);
            return page(
                &state,
                &me,
                Group::Mail,
                &HashMap::new(),
                &HashMap::new(),
                said,
            )
            .await;
        }
        Err(e) => return Err(WebError(e)),
    };
    Ok(done_redirect(&state, "/staff/admin/mail", &notice))
}

//! Mail templates: built into the binary, each replaceable by a file of the same name in
//! `<data dir>/templates/mail/`. A template's first line is `Subject: …`, then a blank
//! line, then the plain-text body.
//!
//! Every template is rendered with a fixed set of variables, named below next to the code
//! that builds them. Rendering is strict: a variable nobody passes is an error, so a
//! misspelt name fails loudly instead of mailing a customer a blank where their
//! reference should be. An override that names a variable its mail does not have is
//! refused at start, with the file and the name.
//!
//! The customers' mails take their words from the language catalogs: `{{ t("mail-hello") }}`
//! is the catalog's message in the mail's language (`lang`, the customer's), and
//! `{{ t("mail-your-case", link=link) }}` fills in its values. An override may use them or
//! plain words of its own.

use crate::languages::Language;
use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::{Environment, ErrorKind, Value};
use std::collections::HashMap;
use std::path::Path;
use thiserror::Error;

/// What `mail::compose::compose` gives every case notification from the outbox.
const CASE_MAIL: &[&str] = &[
    "lang",
    "ref",
    "subject",
    "category",
    "customer_name",
    "owner_name",
    "actor_name",
    "sender_name",
    "reason",
    "message",
    "resolution",
    "score",
    "delighted_by",
    "would_recommend",
    "opened_at",
    "promised_by",
    "escalates_at",
    "escalate_after",
    "link",
    "staff_link",
];

/// What `mail::case_link::send_case_link` gives `case_link`.
const CASE_LINK: &[&str] = &[
    "lang",
    "ref",
    "subject",
    "customer_name",
    "sender_name",
    "link",
];

/// What `mail::sign_in::send_sign_in_link` gives `sign_in_link`.
const SIGN_IN: &[&str] = &["lang", "customer_name", "link", "minutes"];

/// What `mail::password_link` gives `staff_invite`.
const STAFF_INVITE: &[&str] = &[
    "person_name",
    "inviter_name",
    "sender_name",
    "link",
    "days",
    "sign_in",
];

/// What `mail::password_link` gives `password_reset`.
const PASSWORD_RESET: &[&str] = &["person_name", "sender_name", "link", "minutes"];

struct BuiltIn {
    name: &'static str,
    source: &'static str,
    /// The variables the code renders this template with.
    variables: &'static [&'static str],
}

macro_rules! built_in {
    ($name:literal, $variables:expr) => {
        BuiltIn {
            name: $name,
            source: include_str!(concat!("../../templates/mail/", $name, ".txt")),
            variables: $variables,
        }
    };
}

const BUILT_IN: &[BuiltIn] = &[
    built_in!("acknowledgment", CASE_MAIL),
    built_in!("staff_message", CASE_MAIL),
    built_in!("solved", CASE_MAIL),
    built_in!("escalated_status", CASE_MAIL),
    built_in!("passed_up_to_you", CASE_MAIL),
    built_in!("taken_from_you", CASE_MAIL),
    built_in!("upgraded_to_you", CASE_MAIL),
    built_in!("escalated_to_you", CASE_MAIL),
    built_in!("tickle_idle", CASE_MAIL),
    built_in!("tickle_deadline", CASE_MAIL),
    built_in!("customer_replied", CASE_MAIL),
    built_in!("reopened_to_you", CASE_MAIL),
    built_in!("junk_mark_undone", CASE_MAIL),
    built_in!("rated", CASE_MAIL),
    built_in!("sign_in_link", SIGN_IN),
    built_in!("case_link", CASE_LINK),
    built_in!("staff_invite", STAFF_INVITE),
    built_in!("password_reset", PASSWORD_RESET),
];

#[derive(Debug, Error)]
pub enum TemplateError {
    /// `origin` is the override's path, or `built in`.
    #[error("mail template {name} ({origin}): {message}")]
    Invalid {
        name: String,
        origin: String,
        message: String,
    },
    #[error("no mail template named {0}")]
    Unknown(String),
}

#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from, for the errors.
    origins: HashMap<&'static str, String>,
}

impl Templates {
    /// The built-in templates, with any overrides found in `dir`. A broken override, or one
    /// naming a variable its mail does not have, is refused at start, not discovered when
    /// the first customer is waiting for mail.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        // Strict, not SemiStrict: `{% if custmer_name %}` must fail too, not quietly
        // take the else branch for every customer.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.add_function("t", catalog_message);
        let mut origins = HashMap::new();
        for built_in in BUILT_IN {
            let name = built_in.name;
            let file = dir
                .map(|d| d.join(format!("{name}.txt")))
                .filter(|p| p.is_file());
            let origin = file
                .as_ref()
                .map_or_else(|| "built in".to_string(), |p| p.display().to_string());
            let invalid = |message: String| TemplateError::Invalid {
                name: name.to_string(),
                origin: origin.clone(),
                message,
            };
            let source = match &file {
                Some(path) => std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?,
                None => built_in.source.to_string(),
            };
            if !source.starts_with("Subject:") {
                return Err(invalid("must start with `Subject:`".into()));
            }
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| invalid(e.to_string()))?;
            let template = env.get_template(name).map_err(|e| invalid(e.to_string()))?;
            let mut unknown: Vec<String> = template
                .undeclared_variables(false)
                .into_iter()
                .filter(|v| !built_in.variables.contains(&v.as_str()) && !is_global(&env, v))
                .collect();
            if !unknown.is_empty() {
                unknown.sort();
                return Err(invalid(format!(
                    "names {}, which this mail is not given; it has {}",
                    quoted(&unknown),
                    quoted(built_in.variables)
                )));
            }
            origins.insert(name, origin);
        }
        if let Some(dir) = dir {
            warn_of_unused_files(dir);
        }
        Ok(Templates { env, origins })
    }

    /// Renders a template into its subject (one line, never a line break) and body.
    pub fn render(&self, name: &str, context: Value) -> Result<(String, String), TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|_| TemplateError::Unknown(name.to_string()))?;
        let text = template.render(&context).map_err(|e| {
            let mut message = e.to_string();
            if e.kind() == ErrorKind::UndefinedError {
                // minijinja says only "undefined value"; say which.
                let mut missing: Vec<String> = template
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !is_global(&self.env, v))
                    .filter(|v| context.get_attr(v).map_or(true, |x| x.is_undefined()))
                    .collect();
                if !missing.is_empty() {
                    missing.sort();
                    message.push_str(&format!("; not given: {}", quoted(&missing)));
                }
            }
            TemplateError::Invalid {
                name: name.to_string(),
                origin: self.origins.get(name).cloned().unwrap_or_default(),
                message,
            }
        })?;
        let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
        let subject = first.trim_start_matches("Subject:").trim();
        // Text from customers may contain line breaks; none may reach a header.
        let subject: String = subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        Ok((subject, body.trim_start_matches('\n').to_string()))
    }
}

/// `t(id, name=value, …)`: the catalog's message `id` in the mail's language.
fn catalog_message(
    state: &minijinja::State,
    id: &str,
    values: minijinja::value::Kwargs,
) -> Result<String, minijinja::Error> {
    let language = state
        .lookup("lang")
        .and_then(|l| l.as_str().and_then(Language::from_code))
        .unwrap_or_default();
    let mut args = FluentArgs::new();
    for name in values.args() {
        let value: Value = values.get(name)?;
        // Numbers stay numbers, so that a plural can follow them.
        match i64::try_from(value.clone()) {
            Ok(n) if value.is_integer() => args.set(name.to_string(), FluentValue::from(n)),
            _ => args.set(name.to_string(), value.to_string()),
        }
    }
    Ok(language.say(id, Some(&args)))
}

/// `range`, `dict`, `namespace` and the like are names too, but always there.
fn is_global(env: &Environment<'_>, name: &str) -> bool {
    env.globals().any(|(g, _)| g == name)
}

fn quoted<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A misnamed override (`acknowledgement.txt`) would otherwise be ignored without a word.
fn warn_of_unused_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let is_txt = path.extension().is_some_and(|e| e == "txt");
        if is_txt && !BUILT_IN.iter().any(|b| b.name == stem) {
            let names: Vec<&str> = BUILT_IN.iter().map(|b| b.name).collect();
            tracing::warn!(
                "{}: no mail template is called {stem:?}, so this file is not used (the templates are {})",
                path.display(),
                names.join(", ")
            );
        }
    }
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "template_rules_tests.rs"]
mod rules_tests;

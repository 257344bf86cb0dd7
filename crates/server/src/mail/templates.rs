//! Mail templates: built into the binary, each replaceable by a file of the same name in
//! `<data dir>/templates/mail/`. A template's first line is `Subject: …`, then a blank
//! line, then the plain-text body.

use minijinja::Environment;
use std::path::Path;
use thiserror::Error;

const BUILT_IN: &[(&str, &str)] = &[
    (
        "acknowledgment",
        include_str!("../../templates/mail/acknowledgment.txt"),
    ),
    (
        "staff_message",
        include_str!("../../templates/mail/staff_message.txt"),
    ),
    ("solved", include_str!("../../templates/mail/solved.txt")),
    (
        "escalated_status",
        include_str!("../../templates/mail/escalated_status.txt"),
    ),
    (
        "passed_up_to_you",
        include_str!("../../templates/mail/passed_up_to_you.txt"),
    ),
    (
        "taken_from_you",
        include_str!("../../templates/mail/taken_from_you.txt"),
    ),
    (
        "upgraded_to_you",
        include_str!("../../templates/mail/upgraded_to_you.txt"),
    ),
    (
        "escalated_to_you",
        include_str!("../../templates/mail/escalated_to_you.txt"),
    ),
    (
        "tickle_idle",
        include_str!("../../templates/mail/tickle_idle.txt"),
    ),
    (
        "tickle_deadline",
        include_str!("../../templates/mail/tickle_deadline.txt"),
    ),
    (
        "customer_replied",
        include_str!("../../templates/mail/customer_replied.txt"),
    ),
    (
        "reopened_to_you",
        include_str!("../../templates/mail/reopened_to_you.txt"),
    ),
    ("rated", include_str!("../../templates/mail/rated.txt")),
    (
        "sign_in_link",
        include_str!("../../templates/mail/sign_in_link.txt"),
    ),
    (
        "case_link",
        include_str!("../../templates/mail/case_link.txt"),
    ),
];

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("mail template {name}: {message}")]
    Invalid { name: String, message: String },
    #[error("no mail template named {0}")]
    Unknown(String),
}

#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates, with any overrides found in `dir`. A broken override is
    /// refused at start, not discovered when the first customer is waiting for mail.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        // A misspelt variable fails the mail (which is kept and retried) instead of
        // sending the customer a blank where their reference should be.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        env.set_keep_trailing_newline(true);
        for (name, built_in) in BUILT_IN {
            let source = dir
                .map(|d| d.join(format!("{name}.txt")))
                .filter(|p| p.is_file())
                .map(|p| std::fs::read_to_string(&p))
                .transpose()
                .map_err(|e| TemplateError::Invalid {
                    name: name.to_string(),
                    message: e.to_string(),
                })?
                .unwrap_or_else(|| built_in.to_string());
            if !source.starts_with("Subject:") {
                return Err(TemplateError::Invalid {
                    name: name.to_string(),
                    message: "must start with `Subject:`".into(),
                });
            }
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| TemplateError::Invalid {
                    name: name.to_string(),
                    message: e.to_string(),
                })?;
        }
        Ok(Templates { env })
    }

    /// Renders a template into its subject (one line, never a line break) and body.
    pub fn render(
        &self,
        name: &str,
        context: minijinja::Value,
    ) -> Result<(String, String), TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|_| TemplateError::Unknown(name.to_string()))?;
        let text = template
            .render(context)
            .map_err(|e| TemplateError::Invalid {
                name: name.to_string(),
                message: e.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_renders_and_subjects_stay_on_one_line() {
        let t = Templates::load(None).unwrap();
        // Everything the composer (and the direct mails) give a template; a template that
        // asks for anything else fails here, as it would fail its mail.
        let ctx = minijinja::context! {
            ref => "RD-000001", subject => "Broken\r\nBcc: evil@example.com", link => "http://x",
            category => "Billing", customer_name => "Ann", owner_name => "Fran", actor_name => "Fran",
            sender_name => "Fran", reason => "over my limit", message => "Hello", resolution => "Refunded",
            score => 5, delighted_by => "speed", would_recommend => true,
            opened_at => "2026-03-02 09:00 UTC", promised_by => "2026-03-03 09:00 UTC",
            escalates_at => "2026-03-03 05:00 UTC", escalate_after => "20h",
            staff_link => "http://x/staff", minutes => 30,
        };
        for (name, _) in BUILT_IN {
            let (subject, _) = t.render(name, ctx.clone()).unwrap();
            assert!(
                !subject.contains('\n') && !subject.contains('\r'),
                "{name}: {subject:?}"
            );
        }
    }

    #[test]
    fn a_file_overrides_a_template_and_a_broken_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("acknowledgment.txt"),
            "Subject: Got it {{ ref }}\n\nThanks.\n",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let (subject, body) = t
            .render("acknowledgment", minijinja::context! { ref => "RD-7" })
            .unwrap();
        assert_eq!(subject, "Got it RD-7");
        assert_eq!(body, "Thanks.\n");
        std::fs::write(dir.path().join("solved.txt"), "Subject: {% if %}\n").unwrap();
        assert!(Templates::load(Some(dir.path()))
            .unwrap_err()
            .to_string()
            .contains("solved"));
    }
}

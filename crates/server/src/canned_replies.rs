//! Canned replies: texts staff insert into a reply instead of typing them again. Shared
//! ones (kept by managers, executives and admins) may be for one category or all; anyone
//! keeps personal ones. Placeholders fill in the case's details; an unknown one is
//! refused when the text is saved, not discovered by a customer reading `{custmer_name}`.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{Case, Person, Role};
use roadone_store::CannedReply;

/// The placeholders a canned reply may use, with what each becomes.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    (
        "customer_name",
        "the customer's name (or \u{201c}there\u{201d})",
    ),
    ("reference", "the case's reference, e.g. RD-003001"),
    ("promised_by", "when we promised an answer"),
    ("category", "the case's category"),
    ("my_name", "your name"),
];

/// A canned reply as someone writes it, before anything is checked.
#[derive(Debug, Clone, Default)]
pub struct CannedForm {
    pub title: String,
    pub body: String,
    /// A category key, or empty for every category.
    pub category: String,
    /// Shared with everyone rather than kept for oneself.
    pub shared: bool,
}

fn may_share(person: &Person) -> bool {
    matches!(person.role, Role::Manager | Role::Executive | Role::Admin)
}

/// The `{name}` placeholders in `body`, or the first one that is not known.
fn check_placeholders(body: &str) -> AppResult<()> {
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = &after[..end];
        if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
            let known: Vec<String> = PLACEHOLDERS
                .iter()
                .map(|(p, _)| format!("{{{p}}}"))
                .collect();
            return Err(AppError::invalid(
                "body",
                format!(
                    "{{{name}}} is not a placeholder Roadone fills in; use {}",
                    known.join(", ")
                ),
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

impl AppState {
    /// The canned replies `person` may use: the shared ones and their own.
    pub async fn canned_replies(&self, person: &Person) -> AppResult<Vec<CannedReply>> {
        Ok(self.store.canned_replies(person.id).await?)
    }

    /// Keeps a canned reply written by `by`; each field checked and named when wrong.
    pub async fn add_canned_reply(&self, by: &Person, form: CannedForm) -> AppResult<CannedReply> {
        if form.shared && !may_share(by) {
            return Err(AppError::Forbidden(
                "only managers, executives and administrators keep shared replies".into(),
            ));
        }
        let reply = CannedReply {
            owner: (!form.shared).then_some(by.id),
            ..self.checked(&form)?
        };
        Ok(self
            .store
            .add_canned_reply(reply, by.id, self.clock.now())
            .await?)
    }

    /// Corrects a canned reply's title, text and category: one's own, or a shared one for
    /// those who keep them. Whether it is shared stays as it was.
    pub async fn update_canned_reply(
        &self,
        by: &Person,
        id: i64,
        form: CannedForm,
    ) -> AppResult<CannedReply> {
        let reply = self.one_to_change(by, id, "change").await?;
        let corrected = CannedReply {
            id,
            owner: reply.owner,
            ..self.checked(&form)?
        };
        if !self.store.update_canned_reply(corrected.clone()).await? {
            return Err(AppError::NotFound(format!("canned reply {id}")));
        }
        Ok(corrected)
    }

    /// The form's title, text and category, each checked and named when wrong.
    fn checked(&self, form: &CannedForm) -> AppResult<CannedReply> {
        let title = form.title.trim();
        if title.is_empty() || title.chars().count() > 100 || title.contains(['\r', '\n']) {
            return Err(AppError::invalid(
                "title",
                "give it a title of one line, at most 100 characters",
            ));
        }
        let body = form.body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            return Err(AppError::invalid(
                "body",
                "write the text, at most 5000 characters",
            ));
        }
        check_placeholders(body)?;
        let category = Some(form.category.trim().to_string()).filter(|c| !c.is_empty());
        if let Some(key) = &category {
            if !self.directory.snapshot().categories.contains_key(key) {
                return Err(AppError::invalid(
                    "category",
                    format!("there is no category \u{201c}{key}\u{201d}"),
                ));
            }
        }
        Ok(CannedReply {
            id: 0,
            owner: None,
            category,
            title: title.to_string(),
            body: body.to_string(),
        })
    }

    /// A reply `by` may change or remove: their own, or a shared one for those who keep
    /// shared replies.
    async fn one_to_change(&self, by: &Person, id: i64, doing: &str) -> AppResult<CannedReply> {
        let reply = self
            .canned_replies(by)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::NotFound(format!("canned reply {id}")))?;
        let allowed = match reply.owner {
            Some(owner) => owner == by.id,
            None => may_share(by),
        };
        if !allowed {
            return Err(AppError::Forbidden(format!(
                "only managers, executives and administrators {doing} shared replies"
            )));
        }
        Ok(reply)
    }

    /// Deletes a canned reply: one's own, or a shared one for those who keep them.
    pub async fn delete_canned_reply(&self, by: &Person, id: i64) -> AppResult<()> {
        self.one_to_change(by, id, "remove").await?;
        self.store.delete_canned_reply(id).await?;
        Ok(())
    }
}

/// `reply` with its placeholders filled in for `case`, written by `me`.
/// `customer_zone` is where the customer reads `{promised_by}`: the text goes to them.
pub fn fill(
    reply: &CannedReply,
    case: &Case,
    reference: &str,
    category: &str,
    me: &Person,
    customer_zone: crate::time_zones::Zone,
) -> String {
    let name = case
        .customer
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("there");
    reply
        .body
        .replace("{customer_name}", name)
        .replace("{reference}", reference)
        .replace("{promised_by}", &customer_zone.when(case.promised_by))
        .replace("{category}", category)
        .replace("{my_name}", &me.name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_placeholder_is_named() {
        assert!(super::check_placeholders("Hello {customer_name}, see {reference}.").is_ok());
        let e = super::check_placeholders("Hello {custmer_name}").unwrap_err();
        assert!(e.to_string().contains("{custmer_name}"), "{e}");
        assert!(super::check_placeholders("a lone { brace").is_ok());
    }
}

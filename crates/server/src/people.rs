//! The people of the hierarchy: adding a person, moving a person under another manager,
//! and deactivating a person — whose open cases are then passed up by the system, each as
//! an event, so no case is left with someone who is gone. The API, the admin page, the
//! command line and the demo all add people through here, so they refuse the same input.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{
    Actor, CaseId, CaseStatus, Command, EmailAddress, HierarchyRefusal, Person, PersonId, Role,
};
use roadone_store::{CaseFilter, NewPerson, PersonUpdate};

/// A person as an administrator describes them, before anything is checked.
#[derive(Debug, Clone, Default)]
pub struct PersonForm {
    pub name: String,
    pub email: String,
    /// `frontline`, `staff`, `manager`, `executive` or `admin`.
    pub role: String,
    pub reports_to: Option<PersonId>,
}

/// What deactivating a person did to their open cases.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deactivation {
    pub passed_up: Vec<CaseId>,
    /// Cases that could not move (nobody active above), with why.
    pub stuck: Vec<(CaseId, String)>,
}

impl AppState {
    /// Adds a person; each field is checked and named when it is wrong.
    pub async fn add_person(&self, form: PersonForm) -> AppResult<Person> {
        let (name, email, role) = checked(&form)?;
        if let Some(boss) = form.reports_to {
            self.directory
                .snapshot()
                .hierarchy
                .check_manager(boss)
                .map_err(refused)?;
        }
        let added = self
            .store
            .add_person(
                NewPerson {
                    name,
                    email,
                    role,
                    reports_to: form.reports_to,
                },
                self.clock.now(),
            )
            .await?;
        self.refresh_directory().await?;
        Ok(added)
    }

    /// Corrects a person's name, email and role (whom they report to is `move_person`'s).
    /// The last active administrator keeps that role.
    pub async fn edit_person(&self, id: PersonId, form: PersonForm) -> AppResult<Person> {
        let (name, email, role) = checked(&form)?;
        let snapshot = self.directory.snapshot();
        if snapshot.person(id).is_none() {
            return Err(AppError::NotFound(format!("person {id}")));
        }
        snapshot
            .hierarchy
            .check_role_change(id, role)
            .map_err(refused)?;
        let edited = self
            .store
            .update_person(
                id,
                PersonUpdate {
                    name: Some(name),
                    email: Some(email),
                    role: Some(role),
                    ..PersonUpdate::default()
                },
            )
            .await?;
        self.refresh_directory().await?;
        Ok(edited)
    }

    /// The person with this email (any case), active or not.
    pub async fn person_by_email(&self, email: &str) -> AppResult<Option<Person>> {
        Ok(self.store.person_by_email(email).await?)
    }

    /// Puts `id` under `reports_to` (or at the top); the hierarchy must stay a tree.
    pub async fn move_person(
        &self,
        id: PersonId,
        reports_to: Option<PersonId>,
    ) -> AppResult<Person> {
        // Checked again inside the write, against the people as stored then.
        let snapshot = self.directory.snapshot();
        if snapshot.person(id).is_none() {
            return Err(AppError::NotFound(format!("person {id}")));
        }
        snapshot
            .hierarchy
            .check_move(id, reports_to)
            .map_err(refused)?;
        let moved = self
            .store
            .update_person(
                id,
                PersonUpdate {
                    reports_to: Some(reports_to),
                    active: None,
                    ..PersonUpdate::default()
                },
            )
            .await?;
        self.refresh_directory().await?;
        Ok(moved)
    }

    /// Deactivates `id` and passes each of their open cases up to the nearest active
    /// person above. The last active administrator cannot be deactivated.
    pub async fn deactivate(&self, id: PersonId) -> AppResult<Deactivation> {
        let snapshot = self.directory.snapshot();
        let person = snapshot
            .person(id)
            .ok_or_else(|| AppError::NotFound(format!("person {id}")))?
            .clone();
        snapshot.hierarchy.check_deactivation(id).map_err(refused)?;
        self.store
            .update_person(
                id,
                PersonUpdate {
                    reports_to: None,
                    active: Some(false),
                    ..PersonUpdate::default()
                },
            )
            .await?;
        self.refresh_directory().await?;
        let mut report = Deactivation::default();
        loop {
            let open = self
                .store
                .list_cases(CaseFilter {
                    owner: Some(id),
                    status: Some(CaseStatus::Open),
                    limit: 500,
                    ..CaseFilter::default()
                })
                .await?;
            let fresh: Vec<_> = open
                .iter()
                .filter(|h| !report.stuck.iter().any(|(c, _)| *c == h.id))
                .collect();
            if fresh.is_empty() {
                return Ok(report);
            }
            for head in fresh {
                let command = Command::PassUp {
                    to: None,
                    reason: format!("{} was deactivated", person.name),
                };
                match self.act(head.id, Actor::System, &command).await {
                    Ok(_) => report.passed_up.push(head.id),
                    Err(AppError::Domain(e)) => report.stuck.push((head.id, e.to_string())),
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

/// The name, email and role of a form, each checked and named when it is wrong.
fn checked(form: &PersonForm) -> AppResult<(String, String, Role)> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "must be one line of at most 200 characters",
        ));
    }
    let email =
        EmailAddress::parse(form.email.trim()).map_err(|m| AppError::invalid("email", m))?;
    let role = form
        .role
        .trim()
        .parse::<Role>()
        .map_err(|m| AppError::invalid("role", m))?;
    Ok((name.to_string(), email.into_string(), role))
}

fn refused(r: HierarchyRefusal) -> AppError {
    AppError::invalid(r.field, r.message)
}

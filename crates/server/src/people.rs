//! Changing the hierarchy: moving a person under another manager, and deactivating a
//! person — whose open cases are then passed up by the system, each as an event, so no
//! case is left with someone who is gone.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use roadone_domain::{Actor, CaseId, CaseStatus, Command, Person, PersonId, Role};
use roadone_store::{CaseFilter, PersonUpdate};

/// What deactivating a person did to their open cases.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deactivation {
    pub passed_up: Vec<CaseId>,
    /// Cases that could not move (nobody active above), with why.
    pub stuck: Vec<(CaseId, String)>,
}

impl AppState {
    /// Puts `id` under `reports_to` (or at the top); the hierarchy must stay a tree.
    pub async fn move_person(
        &self,
        id: PersonId,
        reports_to: Option<PersonId>,
    ) -> AppResult<Person> {
        let snapshot = self.directory.snapshot();
        let person = snapshot
            .person(id)
            .ok_or_else(|| AppError::NotFound(format!("person {id}")))?;
        if let Some(boss) = reports_to {
            let manager = snapshot.person(boss).ok_or_else(|| {
                AppError::invalid("reports_to", format!("there is no person {boss}"))
            })?;
            if boss == id || snapshot.hierarchy.is_above(id, boss) {
                return Err(AppError::invalid(
                    "reports_to",
                    format!(
                        "{} works under {}: they cannot also be above them",
                        manager.name, person.name
                    ),
                ));
            }
            if !manager.active {
                return Err(AppError::invalid(
                    "reports_to",
                    format!("{} is deactivated", manager.name),
                ));
            }
        }
        let moved = self
            .store
            .update_person(
                id,
                PersonUpdate {
                    reports_to: Some(reports_to),
                    active: None,
                },
            )
            .await?;
        self.directory.refresh(self.store.as_ref()).await?;
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
        if person.role == Role::Admin
            && !snapshot
                .hierarchy
                .people()
                .any(|p| p.active && p.role == Role::Admin && p.id != id)
        {
            return Err(AppError::invalid(
                "id",
                "this is the last active administrator; make someone else administrator first",
            ));
        }
        self.store
            .update_person(
                id,
                PersonUpdate {
                    reports_to: None,
                    active: Some(false),
                },
            )
            .await?;
        self.directory.refresh(self.store.as_ref()).await?;
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

//! Who signs in: the starter's invitation, and the people whose logins the demo prints.

use super::people::STARTER;
use super::DemoReport;
use anyhow::{Context as _, Result};
use roadone_domain::{Person, PersonId, Role};
use roadone_server::accounts::Invitation;
use roadone_server::people::PersonForm;
use roadone_server::AppState;
use std::collections::HashMap;

/// The frontline starter joins the team and is sent an invitation to choose a password.
pub(super) async fn invite_starter(
    state: &AppState,
    ids: &HashMap<&'static str, PersonId>,
    admin: PersonId,
) -> Result<WaitingInvitation> {
    let starter = state
        .add_person(PersonForm {
            name: STARTER.name.into(),
            email: format!("{}@demo.roadone.local", STARTER.key.replace('_', ".")),
            role: STARTER.role.to_string(),
            reports_to: STARTER.boss.map(|b| ids[b]),
        })
        .await
        .with_context(|| format!("adding demo person {}", STARTER.name))?;
    let sent = state
        .invite(starter.id, admin)
        .await
        .with_context(|| format!("inviting {}", STARTER.name))?;
    Ok(WaitingInvitation {
        name: starter.name,
        email: starter.email,
        sent,
    })
}

/// An invitation waiting for someone to choose their password, and what became of its mail.
#[derive(Debug)]
pub struct WaitingInvitation {
    pub name: String,
    pub email: String,
    /// `NotMailed` (no mail relay) holds the link to pass on.
    pub sent: Invitation,
}

/// The invitation to print: the one the demo just sent, or else, for a demo loaded
/// earlier, a fresh link for whoever's invitation is still waiting (only a link's digest
/// is kept, and a newer link spends the older one, as fresh login tokens do). With a
/// mail relay it is not sent again, only named.
pub async fn waiting_invitation(
    state: &AppState,
    report: &DemoReport,
) -> Result<Option<WaitingInvitation>> {
    if let Some(invitation) = &report.invitation {
        let sent = match &invitation.sent {
            Invitation::Mailed => Invitation::Mailed,
            Invitation::NotMailed { link, why } => Invitation::NotMailed {
                link: link.clone(),
                why: why.clone(),
            },
        };
        return Ok(Some(WaitingInvitation {
            name: invitation.name.clone(),
            email: invitation.email.clone(),
            sent,
        }));
    }
    let people = state.people().await?;
    let waiting = state
        .accounts()
        .await?
        .into_iter()
        .filter(|a| a.invite_expires_at.is_some() && !a.has_password)
        .find_map(|a| people.iter().find(|p| p.id == a.person && p.active));
    let (Some(person), Some(admin)) = (
        waiting,
        state.person_by_email(&state.config().admin_email).await?,
    ) else {
        return Ok(None);
    };
    let sent = if state.config().smtp_relay.is_some() {
        Invitation::Mailed
    } else {
        state.invite(person.id, admin.id).await?
    };
    Ok(Some(WaitingInvitation {
        name: person.name.clone(),
        email: person.email.clone(),
        sent,
    }))
}

/// A person whose login the demo prints, with what their "my cases" and their team hold.
pub struct Login<'a> {
    pub person: &'a Person,
    /// Open cases they own.
    pub open: usize,
    /// Active people below them in the hierarchy.
    pub team: usize,
    /// Open cases owned by those people: the ones this person may take.
    pub team_open: usize,
}

/// The person of `role` whose login the demo prints, so that their pages show the
/// product at work: a manager with the most open cases below them to take; anyone else
/// the active one with the most open cases of their own (ties: the first added).
pub async fn login_for<'a>(
    state: &AppState,
    people: &'a [Person],
    role: Role,
) -> Result<Option<Login<'a>>> {
    let open = open_cases_by_owner(state).await?;
    let mut best: Option<(usize, Login<'a>)> = None;
    for person in people.iter().filter(|p| p.role == role && p.active) {
        let below = below(people, person.id);
        let login = Login {
            person,
            open: open.get(&person.id).copied().unwrap_or(0),
            team: below.len(),
            team_open: below
                .iter()
                .map(|id| open.get(id).copied().unwrap_or(0))
                .sum(),
        };
        let score = if role == Role::Manager {
            login.team_open
        } else {
            login.open
        };
        if best.as_ref().is_none_or(|(most, _)| score > *most) {
            best = Some((score, login));
        }
    }
    Ok(best.map(|(_, login)| login))
}

/// How many open cases each person owns.
async fn open_cases_by_owner(state: &AppState) -> Result<HashMap<PersonId, usize>> {
    let mut owners: HashMap<PersonId, usize> = HashMap::new();
    let mut offset = 0;
    loop {
        let page = state
            .list_cases(roadone_store::CaseFilter {
                status: Some(roadone_domain::CaseStatus::Open),
                limit: 500,
                offset,
                ..roadone_store::CaseFilter::default()
            })
            .await?;
        if page.is_empty() {
            return Ok(owners);
        }
        offset += page.len() as u32;
        for head in page {
            *owners.entry(head.owner).or_default() += 1;
        }
    }
}

/// Everyone active who reports to `boss`, directly or through others.
pub(super) fn below(people: &[Person], boss: PersonId) -> Vec<PersonId> {
    let mut found = Vec::new();
    let mut bosses = vec![boss];
    while let Some(b) = bosses.pop() {
        for p in people.iter().filter(|p| p.reports_to == Some(b)) {
            bosses.push(p.id);
            if p.active {
                found.push(p.id);
            }
        }
    }
    found
}

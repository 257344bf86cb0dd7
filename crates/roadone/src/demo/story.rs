//! The case stories: each plan run through the rules and the simulated scheduler into the store.

use super::categories::CATEGORIES;
use super::people::Persona;
use super::plan::{Act, Plan, Who};
use super::texts::{GENERIC_DELIGHT, GOOD_REMARKS};
use super::{MAX_IDLE_TICKLES_IN_A_ROW, MAX_IDLE_TICKLES_PER_CASE};
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::{
    opening, timers_for, transition, Actor, Case, CaseId, Command, Event, PersonId, TimerKind,
};
use roadone_server::AppState;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) struct Shared {
    pub(super) state: AppState,
    pub(super) now: DateTime<Utc>,
    pub(super) personas: Arc<HashMap<PersonId, Persona>>,
}

#[derive(Debug, Default)]
pub(super) struct StoryOutcome {
    pub(super) open: bool,
    pub(super) refused: usize,
    pub(super) events: HashMap<&'static str, usize>,
}

/// One case as it is being written: the state after its last stored event.
struct Running<'a> {
    shared: &'a Shared,
    id: CaseId,
    case: Case,
    /// Idle reminders since the last other event, and in all.
    idle_tickles: u32,
    all_idle_tickles: u32,
    outcome: StoryOutcome,
}

pub(super) async fn run_story(shared: &Shared, plan: Plan) -> Result<StoryOutcome> {
    // Decided and written the way the server does it, only at the plan's own time.
    let opened = shared
        .state
        .decide_at(&plan.intake.category, plan.opened_at, |ctx| {
            opening(&plan.intake, plan.by, ctx)
        })
        .with_context(|| format!("demo intake refused: {:?}", plan.intake))?;
    let case = opened.after.clone();
    let head = shared.state.write_opening(opened, None).await?;
    let mut story = Running {
        shared,
        id: head.head().id,
        case,
        idle_tickles: 0,
        all_idle_tickles: 0,
        outcome: StoryOutcome::default(),
    };
    story.outcome.events.insert("opened", 1);
    let mut rng = StdRng::seed_from_u64(plan.seed);
    for step in &plan.steps {
        if step.at > shared.now {
            break;
        }
        story.fire_timers_until(step.at).await?;
        let (actor, command) = match &step.act {
            Act::Do(who, command) => {
                let actor = match who {
                    Who::Owner => Actor::Person {
                        id: story.case.owner,
                    },
                    Who::Customer => Actor::Customer,
                    Who::Person(id) => Actor::Person { id: *id },
                };
                (actor, command.clone())
            }
            Act::Rate => (
                Actor::Customer,
                rating(&mut rng, &story.case, &shared.personas),
            ),
        };
        if !story.apply(step.at, actor, &command).await? {
            story.outcome.refused += 1;
        }
    }
    story.fire_timers_until(shared.now).await?;
    story.outcome.open = story.case.is_open();
    Ok(story.outcome)
}

impl Running<'_> {
    /// Decides `command` at `at` and writes its events; `false` if the rules refused it.
    async fn apply(&mut self, at: DateTime<Utc>, actor: Actor, command: &Command) -> Result<bool> {
        let Ok(change) = self.shared.state.decide_at(&self.case.category, at, |ctx| {
            transition(&self.case, command, actor, ctx)
        }) else {
            return Ok(false);
        };
        self.count(&change.events, command);
        let after = change.after.clone();
        self.shared
            .state
            .write_change(self.id, self.case.version, change)
            .await?;
        self.case = after;
        Ok(true)
    }

    fn count(&mut self, events: &[Event], command: &Command) {
        for event in events {
            *self
                .outcome
                .events
                .entry(event.body.kind().as_str())
                .or_default() += 1;
        }
        if matches!(
            command,
            Command::Tickle {
                reason: roadone_domain::TickleReason::Idle
            }
        ) {
            self.idle_tickles += 1;
            self.all_idle_tickles += 1;
        } else {
            self.idle_tickles = 0;
        }
    }

    /// The scheduler's part: fires every timer of the case due by `until`, in order, at
    /// its due time.
    async fn fire_timers_until(&mut self, until: DateTime<Utc>) -> Result<()> {
        loop {
            let next = timers_for(&self.case, &self.shared.state.rules())
                .into_iter()
                .filter(|t| {
                    t.kind != TimerKind::TickleIdle
                        || (self.idle_tickles < MAX_IDLE_TICKLES_IN_A_ROW
                            && self.all_idle_tickles < MAX_IDLE_TICKLES_PER_CASE)
                })
                .min_by_key(|t| t.due_at);
            let Some(timer) = next.filter(|t| t.due_at <= until) else {
                return Ok(());
            };
            if !self
                .apply(timer.due_at, Actor::System, &timer.kind.command())
                .await?
            {
                // Cannot happen for a timer derived from the state; never loop on it.
                self.outcome.refused += 1;
                return Ok(());
            }
        }
    }
}

/// The customer's rating: skewed positive, better for some people than others, worse
/// when the case was escalated, reopened, passed around or sent away.
fn rating(rng: &mut StdRng, case: &Case, personas: &HashMap<PersonId, Persona>) -> Command {
    let Some(solution) = &case.solution else {
        return Command::Rate {
            score: 3,
            delighted_by: String::new(),
            would_recommend: false,
        };
    };
    let mut q = personas.get(&solution.solved_by).map_or(0.0, |p| p.rating);
    q += match solution.road as u8 {
        1 => 0.35,
        2 => 0.15,
        3 => 0.0,
        _ => -1.5,
    };
    if case.escalated {
        q -= 0.5;
    }
    if case.reopenings > 0 {
        q -= 0.5;
    }
    q -= 0.2 * f64::from(case.pass_ups);
    let hours = (solution.solved_at - case.opened_at).num_minutes() as f64 / 60.0;
    if hours < 1.0 {
        q += 0.25;
    } else if hours > 24.0 {
        q -= 0.3;
    }
    let base = [0.06, 0.07, 0.13, 0.30, 0.44];
    let weights = base
        .iter()
        .enumerate()
        .map(|(i, b)| b * (0.9 * q * (i as f64 - 2.0)).exp());
    let score = WeightedIndex::new(weights).expect("weights").sample(rng) as i64 + 1;
    let cat = CATEGORIES.iter().find(|c| c.key == case.category);
    let delighted_by = match score {
        5 => {
            let pool: Vec<&str> = cat
                .map_or(&[][..], |c| c.delight)
                .iter()
                .chain(GENERIC_DELIGHT)
                .copied()
                .collect();
            pool.choose(rng).expect("texts").to_string()
        }
        4 => GOOD_REMARKS.choose(rng).expect("texts").to_string(),
        _ => String::new(),
    };
    let recommend = [0.03, 0.08, 0.35, 0.82, 0.95][score as usize - 1];
    Command::Rate {
        score,
        delighted_by,
        would_recommend: rng.gen_bool(recommend),
    }
}

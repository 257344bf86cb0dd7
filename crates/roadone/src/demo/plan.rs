//! The plans: what will happen to each case, decided up front, step by step at simulated times.

use super::categories::{CategorySpec, Topic, CATEGORIES};
use super::clock::Shift;
use super::customers::CustomerSpec;
use super::people::{Persona, NEUTRAL, PEOPLE, PERSONAS};
use super::texts::{
    facts, Vars, BUCK_REASONS, CHASES, EXEC_MESSAGES, LEAD_UP_REASONS, PASS_UP_REASONS,
    REALTIME_REASONS,
};
use super::RECENT_HOURS;
use chrono::{DateTime, Duration, Utc};
use rand::distributions::WeightedIndex;
use rand::prelude::*;
use rand::rngs::StdRng;
use roadone_domain::{Channel, Command, Intake, PersonId, Realtime, Role};
use std::collections::HashMap;
use std::sync::Arc;

/// Who performs a step. `Owner` is whoever owns the case when the step runs, so a case
/// that was escalated meanwhile is finished by the executive who now has it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Who {
    Owner,
    Customer,
    Person(PersonId),
}

#[derive(Debug, Clone)]
pub(super) enum Act {
    Do(Who, Command),
    /// The customer rates; the score depends on how the case actually went.
    Rate,
}

#[derive(Debug, Clone)]
pub(super) struct Step {
    pub(super) at: DateTime<Utc>,
    pub(super) act: Act,
}

#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) by: PersonId,
    pub(super) opened_at: DateTime<Utc>,
    pub(super) intake: Intake,
    pub(super) steps: Vec<Step>,
    /// Seeds the rating, which is drawn when the story gets there.
    pub(super) seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    /// Solved at intake within minutes.
    Quick,
    /// The intake owner asks for something, the customer answers, the owner solves.
    Async,
    /// Passed up to the team lead, who solves it (or passes it on to the manager).
    PassUp,
    /// The team lead, now and then the team's manager, pulls it up.
    Take,
    /// Upgraded to the category manager, who learns from the customer.
    Upgrade,
    /// Left to sit until the executive gets it at the deadline.
    Neglect,
}

#[derive(Debug, Clone, Copy)]
struct Agent {
    id: PersonId,
    lead: PersonId,
    /// The category manager whose team this is (the lead reports to them).
    manager: PersonId,
    persona: Persona,
}

pub(super) struct World {
    now: DateTime<Utc>,
    escalate_after: Duration,
    role: HashMap<PersonId, Role>,
    frontline: Vec<Agent>,
    volume: WeightedIndex<f64>,
    categories: Vec<(usize, PersonId, PersonId)>,
    category_weights: WeightedIndex<f64>,
    pub(super) personas: Arc<HashMap<PersonId, Persona>>,
    first_names: HashMap<PersonId, &'static str>,
}

impl World {
    pub(super) fn new(
        ids: &HashMap<&'static str, PersonId>,
        now: DateTime<Utc>,
        escalate_after: Duration,
    ) -> World {
        let personas: HashMap<PersonId, Persona> =
            PERSONAS.iter().map(|(k, p)| (ids[k], *p)).collect();
        let persona_of = |id: PersonId| personas.get(&id).copied().unwrap_or(NEUTRAL);
        let boss_of = |key: &str| {
            PEOPLE
                .iter()
                .find(|s| s.key == key)
                .and_then(|s| s.boss)
                .expect("everyone on the floor has a boss")
        };
        let frontline: Vec<Agent> = PEOPLE
            .iter()
            .filter(|s| s.role == Role::Frontline)
            .map(|s| {
                let id = ids[s.key];
                let lead = boss_of(s.key);
                Agent {
                    id,
                    lead: ids[lead],
                    manager: ids[boss_of(lead)],
                    persona: persona_of(id),
                }
            })
            .collect();
        let volume =
            WeightedIndex::new(frontline.iter().map(|a| a.persona.volume)).expect("weights");
        let categories = CATEGORIES
            .iter()
            .enumerate()
            .map(|(i, c)| (i, ids[c.manager], ids[c.executive]))
            .collect();
        let category_weights =
            WeightedIndex::new(CATEGORIES.iter().map(|c| c.weight)).expect("weights");
        World {
            now,
            escalate_after,
            role: PEOPLE.iter().map(|s| (ids[s.key], s.role)).collect(),
            frontline,
            volume,
            categories,
            category_weights,
            first_names: PEOPLE
                .iter()
                .map(|s| (ids[s.key], s.name.split(' ').next().unwrap_or(s.name)))
                .collect(),
            personas: Arc::new(personas),
        }
    }

    fn persona(&self, id: PersonId) -> Persona {
        self.personas.get(&id).copied().unwrap_or(NEUTRAL)
    }

    /// `with_executive`: the case is left unsolved with the executive after its
    /// escalation; `Some(true)`: and it is an account-access case (the CEO's).
    pub(super) fn plan(
        &self,
        rng: &mut StdRng,
        opened_at: DateTime<Utc>,
        who: &CustomerSpec,
        with_executive: Option<bool>,
        served_by: Option<PersonId>,
    ) -> Plan {
        let recent = opened_at > self.now - Duration::hours(RECENT_HOURS);
        let deadline = opened_at + self.escalate_after;
        let ci = if with_executive == Some(true) {
            CATEGORIES
                .iter()
                .position(|c| c.key == "account_access")
                .expect("account access")
        } else {
            self.category_weights.sample(rng)
        };
        let (ci, manager, executive) = self.categories[ci];
        let cat = &CATEGORIES[ci];
        let mut agent = self.frontline[self.volume.sample(rng)];
        // A customer the experiment treats is served by its team.
        if let Some(a) = served_by.and_then(|id| self.frontline.iter().find(|a| a.id == id)) {
            agent = *a;
        }
        let channel = [
            Channel::Email,
            Channel::Web,
            Channel::Phone,
            Channel::Portal,
            Channel::Api,
        ][WeightedIndex::new([0.34, 0.22, 0.26, 0.12, 0.06])
            .expect("weights")
            .sample(rng)];
        let vars = Vars::new(rng, opened_at, who, self.first_names[&executive]);
        let topic = cat.topics.choose(rng).expect("topics");
        let (facts, missing_facts) = facts(rng, cat, &vars, opened_at, who);
        let realtime = if channel == Channel::Phone && rng.gen_bool(0.14) {
            Realtime {
                offered: true,
                reason: Some(REALTIME_REASONS.choose(rng).expect("reasons").to_string()),
            }
        } else {
            Realtime::default()
        };
        let mut customer = who.customer.clone();
        if channel != Channel::Phone && rng.gen_bool(0.5) {
            customer.phone = None; // written in without leaving a number
        }
        let intake = Intake {
            customer,
            category: cat.key.to_string(),
            subject: vars.fill(topic.subject),
            body: vars.fill(topic.body),
            channel,
            facts,
            missing_facts,
            realtime,
            attachments: vec![],
            call_back_within: None,
        };

        // Which story this case lives.
        let p = agent.persona;
        let lead = self.persona(agent.lead);
        let phone = channel == Channel::Phone;
        let weights = [
            (Story::Quick, 0.45),
            (Story::Async, 0.17),
            (Story::PassUp, 0.11 * p.pass),
            (Story::Take, 0.05),
            (Story::Upgrade, if phone { 0.11 } else { 0.06 }),
            (Story::Neglect, 0.025 * p.neglect * lead.neglect),
        ];
        let story = if with_executive.is_some() {
            Story::Neglect
        } else {
            weights[WeightedIndex::new(weights.iter().map(|w| w.1))
                .expect("weights")
                .sample(rng)]
            .0
        };

        // Everyone but a neglectful owner acts before the executive deadline: that is what
        // the deadline warning is for.
        let deadline = (story != Story::Neglect).then_some(deadline);
        let mut b = Builder {
            rng,
            world: self,
            vars: &vars,
            cat,
            topic,
            t: opened_at,
            deadline,
            holder: agent.id,
            steps: Vec::new(),
        };
        let f = agent.id;
        match story {
            Story::Quick => {
                let road = b.road(&[(3, 0.55), (2, 0.41), (4, 0.04)]);
                b.staff(f, 3, 25, Who::Owner, |b| b.solve(road));
            }
            Story::Async => {
                b.staff(f, 10, 150, Who::Owner, |b| b.message());
                b.customer(20, 4 * 60, |b| b.reply());
                let road = b.road(&[(2, 0.74), (3, 0.22), (4, 0.04)]);
                b.staff(f, 15, 200, Who::Owner, |b| b.solve(road));
            }
            Story::PassUp => {
                let buck = p.pass > 2.0 && b.rng.gen_bool(0.8);
                let reason = if buck { BUCK_REASONS } else { PASS_UP_REASONS };
                b.staff(f, 2, 25, Who::Owner, |b| Command::PassUp {
                    to: None,
                    reason: b.pick(reason),
                });
                b.holder = agent.lead;
                if buck {
                    // Nothing new was needed: the lead solves it in minutes.
                    let road = b.road(&[(3, 0.6), (2, 0.4)]);
                    b.staff(agent.lead, 8, 45, Who::Owner, |b| b.solve(road));
                } else {
                    b.staff(agent.lead, 20, 180, Who::Owner, |b| b.message());
                    if b.rng.gen_bool(0.5) {
                        b.customer(30, 6 * 60, |b| b.reply());
                    }
                    if b.rng.gen_bool(0.1) {
                        // Beyond the lead's authority: on to the team's manager.
                        b.staff(agent.lead, 10, 90, Who::Owner, |b| Command::PassUp {
                            to: None,
                            reason: b.pick(LEAD_UP_REASONS),
                        });
                        b.holder = agent.manager;
                        let road = b.road(&[(2, 0.7), (1, 0.3)]);
                        b.staff(agent.manager, 30, 240, Who::Owner, |b| b.solve(road));
                    } else {
                        let road = b.road(&[(2, 0.72), (3, 0.2), (1, 0.05), (4, 0.03)]);
                        b.staff(agent.lead, 20, 150, Who::Owner, |b| b.solve(road));
                    }
                }
            }
            Story::Take => {
                // Mostly the team lead; now and then the manager, who sees the whole team.
                let taker = if b.rng.gen_bool(0.25) {
                    agent.manager
                } else {
                    agent.lead
                };
                b.staff(taker, 15, 150, Who::Person(taker), |_| Command::Take);
                b.holder = taker;
                if b.rng.gen_bool(0.6) {
                    b.staff(taker, 5, 60, Who::Owner, |b| b.message());
                }
                let road = b.road(&[(2, 0.7), (3, 0.2), (1, 0.1)]);
                b.staff(taker, 20, 180, Who::Owner, |b| b.solve(road));
            }
            Story::Upgrade => {
                // The reason is the one frontline gives for this kind of case.
                b.staff(f, 1, 15, Who::Owner, |b| Command::Upgrade {
                    reason: b.vars.fill(b.topic.upgrade),
                });
                b.holder = manager;
                b.staff(manager, 15, 240, Who::Owner, |b| b.message());
                if b.rng.gen_bool(0.5) {
                    b.customer(20, 5 * 60, |b| b.reply());
                }
                let road = b.road(&[(1, 0.85), (2, 0.15)]);
                b.staff(manager, 30, 300, Who::Owner, |b| b.solve(road));
            }
            Story::Neglect => {
                // Whoever is the more neglectful of the two lets it sit: a lead who sits on
                // cases gets them passed up first.
                if b.rng.gen_bool(lead.neglect / (lead.neglect + p.neglect)) {
                    b.staff(f, 5, 60, Who::Owner, |b| Command::PassUp {
                        to: None,
                        reason: b.pick(PASS_UP_REASONS),
                    });
                }
                if b.rng.gen_bool(0.5) {
                    b.customer(6 * 60, 14 * 60, |b| Command::CustomerReply {
                        body: b.pick(CHASES),
                        attachments: vec![],
                    });
                }
                // The simulated scheduler escalates at the deadline; then the executive acts.
                b.t = b.t.max(opened_at + self.escalate_after);
                b.holder = executive;
                b.staff(executive, 10, 150, Who::Owner, |b| Command::SendMessage {
                    body: b.pick(EXEC_MESSAGES),
                    attachments: vec![],
                });
                let road = b.road(&[(2, 0.55), (1, 0.45)]);
                b.staff(executive, 30, 300, Who::Owner, |b| b.solve(road));
            }
        }

        if recent || with_executive.is_some() {
            // Still being worked on: keep whatever happened before the solution.
            if let Some(i) = b
                .steps
                .iter()
                .position(|s| matches!(&s.act, Act::Do(_, Command::Solve { .. })))
            {
                b.steps.truncate(i);
            }
        } else {
            let road = b.steps.iter().rev().find_map(|s| match &s.act {
                Act::Do(_, Command::Solve { road, .. }) => Some(*road),
                _ => None,
            });
            let reopen = match road {
                Some(4) => 0.2,
                Some(3) => 0.07,
                _ => 0.035,
            };
            if b.rng.gen_bool(reopen) {
                b.customer(4 * 60, 3 * 24 * 60, |b| Command::CustomerReply {
                    body: b.pick(b.cat.reopen),
                    attachments: vec![],
                });
                // The reopening starts a fresh executive clock.
                b.deadline = Some(b.t + self.escalate_after);
                let holder = b.holder;
                b.staff(holder, 15, 180, Who::Owner, |b| b.message());
                b.staff(holder, 30, 240, Who::Owner, |b| {
                    let (resolution, learned) = b.topic.care;
                    Command::Solve {
                        resolution: format!(
                            "Looked again after the customer wrote back. {}",
                            b.vars.fill(resolution)
                        ),
                        road: 2,
                        learned: format!("The first answer didn't hold. {}", b.vars.fill(learned)),
                    }
                });
            }
            let rate = if road == Some(4) { 0.5 } else { 0.8 };
            if b.rng.gen_bool(rate) {
                let at = b.customer_time(10, 2 * 24 * 60);
                b.steps.push(Step { at, act: Act::Rate });
            }
        }
        let steps = b.steps;
        Plan {
            by: f,
            opened_at,
            intake,
            steps,
            seed: rng.gen(),
        }
    }
}

struct Builder<'a> {
    rng: &'a mut StdRng,
    world: &'a World,
    vars: &'a Vars,
    cat: &'static CategorySpec,
    topic: &'static Topic,
    /// The time of the last planned step.
    t: DateTime<Utc>,
    /// The executive deadline the owner works to, if they do.
    deadline: Option<DateTime<Utc>>,
    /// Who is expected to own the case at this point of the plan.
    holder: PersonId,
    steps: Vec<Step>,
}

impl Builder<'_> {
    /// A step by staff member `person`, `min..max` minutes (scaled by how slow they are)
    /// after the previous one, moved into their working hours.
    fn staff(
        &mut self,
        person: PersonId,
        min: i64,
        max: i64,
        who: Who,
        make: impl FnOnce(&mut Self) -> Command,
    ) {
        let slowness = self.world.persona(person).slowness;
        let minutes = (self.rng.gen_range(min..=max) as f64 * slowness).round() as i64;
        let shift = Shift::of(self.world.role.get(&person).copied().unwrap_or(Role::Staff));
        let mut at = shift.next_on(
            self.t + Duration::minutes(minutes) + Duration::seconds(self.rng.gen_range(0..60)),
            self.rng,
        );
        if let Some(deadline) = self.deadline.filter(|d| at > *d - Duration::minutes(20)) {
            // Reminded that the deadline is near, the owner acts in time if they still can.
            at = (deadline - Duration::minutes(self.rng.gen_range(20..150)))
                .max(self.t + Duration::minutes(3));
        }
        self.t = at;
        let command = make(self);
        self.steps.push(Step {
            at,
            act: Act::Do(who, command),
        });
    }

    /// When the customer acts, `min..max` minutes after the previous step.
    fn customer_time(&mut self, min: i64, max: i64) -> DateTime<Utc> {
        let minutes = self.rng.gen_range(min..=max);
        let at = Shift::Customer.next_on(
            self.t + Duration::minutes(minutes) + Duration::seconds(self.rng.gen_range(0..60)),
            self.rng,
        );
        self.t = at;
        at
    }

    fn customer(&mut self, min: i64, max: i64, make: impl FnOnce(&mut Self) -> Command) {
        let at = self.customer_time(min, max);
        let command = make(self);
        self.steps.push(Step {
            at,
            act: Act::Do(Who::Customer, command),
        });
    }

    fn pick(&mut self, from: &[&str]) -> String {
        self.vars.fill(from.choose(self.rng).expect("texts"))
    }

    fn road(&mut self, weights: &[(i64, f64)]) -> i64 {
        weights[WeightedIndex::new(weights.iter().map(|w| w.1))
            .expect("weights")
            .sample(self.rng)]
        .0
    }

    fn message(&mut self) -> Command {
        Command::SendMessage {
            body: self.pick(self.cat.ask),
            attachments: vec![],
        }
    }

    fn reply(&mut self) -> Command {
        Command::CustomerReply {
            body: self.pick(self.cat.replies),
            attachments: vec![],
        }
    }

    fn solve(&mut self, road: i64) -> Command {
        let (resolution, learned) = match road {
            1 => self.topic.learn,
            2 => self.topic.care,
            3 => self.topic.teach,
            _ => *self.cat.away.choose(self.rng).expect("texts"),
        };
        Command::Solve {
            resolution: self.vars.fill(resolution),
            road,
            learned: self.vars.fill(learned),
        }
    }
}

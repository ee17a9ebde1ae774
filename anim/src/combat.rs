//! Combat resolution: hitboxes against hurtboxes, then block, parry, roll invulnerability,
//! damage, knockback and death, reported as events.

use crate::fighter::{Fighter, FrameData, State, Trigger};

/// What happened in a frame's combat, in order, for the renderer, audio and analytics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CombatEvent {
    /// `target` took `damage` from `attacker`.
    Hit {
        /// Who attacked.
        attacker: usize,
        /// Who was hit.
        target: usize,
        /// Damage dealt.
        damage: i32,
    },
    /// `target` blocked, taking half.
    Blocked {
        /// Who attacked.
        attacker: usize,
        /// Who blocked.
        target: usize,
        /// Damage taken through the guard.
        damage: i32,
    },
    /// `target` parried: `attacker` is staggered and takes the damage instead.
    Parried {
        /// Who attacked (and is staggered).
        attacker: usize,
        /// Who parried.
        target: usize,
        /// Damage reflected onto the attacker.
        reflected: i32,
    },
    /// `target` rolled through the attack.
    Evaded {
        /// Who attacked.
        attacker: usize,
        /// Who evaded.
        target: usize,
    },
    /// `fighter` died.
    Died {
        /// Who.
        fighter: usize,
    },
}

/// Axis-aligned box overlap, edges inclusive.
fn overlaps(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> bool {
    a.0 <= b.2 && b.0 <= a.2 && a.1 <= b.3 && b.1 <= a.3
}

/// The attack's hitbox in front of `fighter`: (left, top, right, bottom).
pub fn hitbox(fighter: &Fighter, data: &FrameData) -> (i32, i32, i32, i32) {
    let tip = fighter.x + i32::from(fighter.facing) * data.reach;
    let (left, right) = if fighter.facing > 0 {
        (fighter.x, tip)
    } else {
        (tip, fighter.x)
    };
    (
        left,
        fighter.y - data.hitbox_half_height,
        right,
        fighter.y + data.hitbox_half_height,
    )
}

/// The body that can be hit: (left, top, right, bottom).
pub fn hurtbox(fighter: &Fighter, data: &FrameData) -> (i32, i32, i32, i32) {
    let (w, h) = data.hurtbox_half;
    (fighter.x - w, fighter.y - h, fighter.x + w, fighter.y + h)
}

/// One outcome found against the frame's snapshot, applied afterwards.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    Hit { damage: i32, from_facing: i8 },
    Blocked { damage: i32 },
    Parried { reflected: i32 },
    Evaded,
}

/// Resolves every active hitbox against every other fighter. Outcomes are found on the state
/// before any of them applies, so the fighters' order never decides a trade: two attacks that
/// connect on the same frame both land. `scratch` holds the snapshot (reused, so a steady
/// tick allocates nothing once it has grown).
pub fn resolve(
    fighters: &mut [Fighter],
    data: &FrameData,
    scratch: &mut Vec<Fighter>,
    events: &mut Vec<CombatEvent>,
) {
    scratch.clear();
    scratch.extend_from_slice(fighters);
    let snapshot = &scratch[..];
    for (attacker, a) in snapshot.iter().enumerate() {
        if !a.hitbox_active(data) {
            continue;
        }
        let reach = hitbox(a, data);
        let base = data.attack_damage * a.attack(data).damage_percent / 100;
        for (target, t) in snapshot.iter().enumerate() {
            let bit = 1u64
                .checked_shl(u32::try_from(target).unwrap_or(64))
                .unwrap_or(0);
            if target == attacker || t.state == State::Death || a.hit_mask & bit != 0 {
                continue;
            }
            if !overlaps(reach, hurtbox(t, data)) {
                continue;
            }
            fighters[attacker].hit_mask |= bit;
            let facing_attacker = (a.x - t.x).signum() == i32::from(t.facing) || a.x == t.x;
            let outcome = if t.invulnerable(data) {
                Outcome::Evaded
            } else if t.state == State::Block && facing_attacker {
                if t.frame < data.parry_window && t.stun == 0 {
                    Outcome::Parried { reflected: base }
                } else {
                    Outcome::Blocked { damage: base / 2 }
                }
            } else {
                Outcome::Hit {
                    damage: base,
                    from_facing: a.facing,
                }
            };
            apply(fighters, data, attacker, target, outcome, events);
        }
    }
    for (index, fighter) in fighters.iter_mut().enumerate() {
        if fighter.health <= 0 && fighter.state != State::Death {
            fighter.health = 0;
            fighter.fire(Trigger::Killed);
            events.push(CombatEvent::Died { fighter: index });
        }
    }
}

fn apply(
    fighters: &mut [Fighter],
    data: &FrameData,
    attacker: usize,
    target: usize,
    outcome: Outcome,
    events: &mut Vec<CombatEvent>,
) {
    match outcome {
        Outcome::Evaded => events.push(CombatEvent::Evaded { attacker, target }),
        Outcome::Hit {
            damage,
            from_facing,
        } => {
            let t = &mut fighters[target];
            t.health -= damage;
            t.x += i32::from(from_facing) * data.knockback;
            t.x = t.x.clamp(0, data.arena.0);
            t.fire(Trigger::Hit);
            t.stun = data.hit_stun;
            events.push(CombatEvent::Hit {
                attacker,
                target,
                damage,
            });
        }
        Outcome::Blocked { damage } => {
            let t = &mut fighters[target];
            t.health -= damage;
            t.stamina = (t.stamina - data.block_cost).max(0);
            t.regen_wait = data.regen_delay;
            if t.stamina == 0 {
                // Guard break.
                t.fire(Trigger::Hit);
                t.stun = data.hit_stun;
            } else {
                t.stun = data.block_stun;
            }
            events.push(CombatEvent::Blocked {
                attacker,
                target,
                damage,
            });
        }
        Outcome::Parried { reflected } => {
            let a = &mut fighters[attacker];
            a.health -= reflected;
            a.fire(Trigger::Staggered);
            a.stun = data.parry_stagger;
            events.push(CombatEvent::Parried {
                attacker,
                target,
                reflected,
            });
        }
    }
}

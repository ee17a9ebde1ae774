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
        /// The fighter whose health reached zero (an index into the fighters passed to
        /// [`resolve`], i.e. [`crate::Arena::fighters`]); it is now in `State::Death`.
        fighter: usize,
    },
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

/// Buffers combat reuses between frames (a steady tick allocates nothing once they grew).
#[derive(Debug, Clone)]
pub struct Scratch {
    snapshot: Vec<Fighter>,
    /// Hurtbox edges per fighter, in fixed separate arrays so the pair test vectorizes;
    /// unused entries hold an empty box that overlaps nothing.
    left: [i32; 64],
    top: [i32; 64],
    right: [i32; 64],
    bottom: [i32; 64],
}

impl Default for Scratch {
    fn default() -> Self {
        Self {
            snapshot: Vec::new(),
            left: [i32::MAX; 64],
            top: [i32::MAX; 64],
            right: [i32::MIN; 64],
            bottom: [i32::MIN; 64],
        }
    }
}

/// Packs 64 booleans (one byte each, 0 or 1) into a mask, bit `i` from byte `i`.
fn pack(bytes: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (group, chunk) in bytes.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // Gathers the low bit of each byte into the top byte.
        let bits = (word & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (group * 8);
    }
    mask
}

/// Resolves every active hitbox against every other fighter (the first 64; an arena holds at
/// most 64). Outcomes are found
/// on the state before any of them applies, so the fighters' order never decides a trade: two
/// attacks that connect on the same frame both land. The pair test is a branch-free pass over
/// the hurtboxes giving a bit mask of overlaps per attacker; only overlapping pairs take the
/// slow path.
pub fn resolve(
    fighters: &mut [Fighter],
    data: &FrameData,
    scratch: &mut Scratch,
    events: &mut Vec<CombatEvent>,
) {
    let count = fighters.len().min(64);
    scratch.snapshot.clear();
    scratch.snapshot.extend_from_slice(&fighters[..count]);
    let mut alive = 0u64;
    for index in 0..64 {
        let Some(fighter) = scratch.snapshot.get(index) else {
            (scratch.left[index], scratch.top[index]) = (i32::MAX, i32::MAX);
            (scratch.right[index], scratch.bottom[index]) = (i32::MIN, i32::MIN);
            continue;
        };
        let (left, top, right, bottom) = hurtbox(fighter, data);
        (scratch.left[index], scratch.top[index]) = (left, top);
        (scratch.right[index], scratch.bottom[index]) = (right, bottom);
        alive |= u64::from(fighter.state != State::Death) << index;
    }
    let snapshot = &scratch.snapshot;
    for (attacker, a) in snapshot.iter().enumerate() {
        if !a.hitbox_active(data) {
            continue;
        }
        let reach = hitbox(a, data);
        let mut hits = [0u8; 64];
        for (index, hit) in hits.iter_mut().enumerate() {
            *hit = u8::from(
                (reach.0 <= scratch.right[index])
                    & (scratch.left[index] <= reach.2)
                    & (reach.1 <= scratch.bottom[index])
                    & (scratch.top[index] <= reach.3),
            );
        }
        let mut mask = pack(&hits);
        mask &= alive & !a.hit_mask & !(1u64 << attacker);
        let base = data.attack_damage * a.attack(data).damage_percent / 100;
        while mask != 0 {
            let target = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let t = &snapshot[target];
            fighters[attacker].hit_mask |= 1u64 << target;
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

#[cfg(test)]
mod tests {
    use super::pack;

    #[test]
    fn packing_puts_byte_i_in_bit_i() {
        let mut bytes = [0u8; 64];
        for index in [0, 1, 7, 8, 31, 62, 63] {
            bytes[index] = 1;
        }
        let mask = pack(&bytes);
        assert_eq!(
            mask,
            (1 << 0) | (1 << 1) | (1 << 7) | (1 << 8) | (1 << 31) | (1 << 62) | (1 << 63)
        );
        assert_eq!(pack(&[1; 64]), u64::MAX);
        assert_eq!(pack(&[0; 64]), 0);
    }
}

//! Combat resolution: hitboxes against hurtboxes, then block, parry, roll invulnerability,
//! damage, knockback and death, reported as events.

use crate::fighter::{Fighter, FrameData, State, Strike, Trigger};

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

/// The attack's hitbox in front of `fighter` (on both sides for the special): (left, top,
/// right, bottom).
pub fn hitbox(fighter: &Fighter, data: &FrameData) -> (i32, i32, i32, i32) {
    let tip = fighter.x + i32::from(fighter.facing) * data.reach;
    let (left, right) = if fighter.strike == Strike::Special {
        (fighter.x - data.reach, fighter.x + data.reach)
    } else if fighter.facing > 0 {
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

/// How a fighter receives an attack that reaches it: the one rule for every attacker (another
/// fighter, or anything else that strikes, such as a wolf).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reception {
    /// Hit: full damage, hit stun, knockback.
    Hit,
    /// Blocked (guarding, facing the attacker): half damage and block stun, or a guard break
    /// when stamina runs out.
    Blocked,
    /// Parried (guard raised within the parry window, facing the attacker): no damage; the
    /// attacker is staggered.
    Parried,
    /// Rolled through (invulnerable frames): nothing happens.
    Evaded,
}

/// How `target` receives an attack from an attacker standing at `from_x`.
pub fn reception(target: &Fighter, from_x: i32, data: &FrameData) -> Reception {
    let facing_attacker =
        (from_x - target.x).signum() == i32::from(target.facing) || from_x == target.x;
    if target.invulnerable(data) {
        Reception::Evaded
    } else if target.state == State::Block && facing_attacker {
        if target.frame < data.parry_window && target.stun == 0 {
            Reception::Parried
        } else {
            Reception::Blocked
        }
    } else {
        Reception::Hit
    }
}

/// Applies an attack of `damage` received as `how` (see [`reception`]) to `target`: a hit
/// takes the damage, is stunned and knocked `push` (1 right, -1 left); a block takes half and
/// spends stamina (a guard break at zero); a parry or an evasion changes nothing here (a
/// parried attacker is the caller's to stagger). Returns the damage taken. A target whose
/// health reaches zero is not killed here: [`resolve`] (or the caller) fires
/// [`Trigger::Killed`].
pub fn receive(
    target: &mut Fighter,
    how: Reception,
    damage: i32,
    push: i8,
    data: &FrameData,
) -> i32 {
    match how {
        Reception::Evaded | Reception::Parried => 0,
        Reception::Hit => {
            target.health -= damage;
            target.x = (target.x + i32::from(push) * data.knockback).clamp(0, data.arena.0);
            target.fire(Trigger::Hit);
            target.stun = data.hit_stun;
            damage
        }
        Reception::Blocked => {
            let half = damage / 2;
            target.health -= half;
            target.stamina = (target.stamina - data.block_cost).max(0);
            target.regen_wait = data.regen_delay;
            if target.stamina == 0 {
                // Guard break.
                target.fire(Trigger::Hit);
                target.stun = data.hit_stun;
            } else {
                target.stun = data.block_stun;
            }
            half
        }
    }
}

/// Staggers a parried fighter: it takes `reflected` damage and is stunned.
fn stagger(attacker: &mut Fighter, reflected: i32, data: &FrameData) {
    attacker.health -= reflected;
    attacker.fire(Trigger::Staggered);
    attacker.stun = data.parry_stagger;
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
        let base = a.damage(data);
        while mask != 0 {
            let target = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            fighters[attacker].hit_mask |= 1u64 << target;
            // Decided on the snapshot, applied to the fighter as it is now: a trade on one
            // frame lands both ways.
            let t = &snapshot[target];
            let how = reception(t, a.x, data);
            let push = match a.strike {
                Strike::Special if t.x < a.x => -1,
                Strike::Special => 1,
                _ => a.facing,
            };
            let taken = receive(&mut fighters[target], how, base, push, data);
            match how {
                Reception::Evaded => events.push(CombatEvent::Evaded { attacker, target }),
                Reception::Hit => {
                    events.push(CombatEvent::Hit {
                        attacker,
                        target,
                        damage: taken,
                    });
                }
                Reception::Blocked => {
                    events.push(CombatEvent::Blocked {
                        attacker,
                        target,
                        damage: taken,
                    });
                }
                Reception::Parried => {
                    stagger(&mut fighters[attacker], base, data);
                    events.push(CombatEvent::Parried {
                        attacker,
                        target,
                        reflected: base,
                    });
                }
            }
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

//! A simple player for one seat: it reads the world as a person sees it and holds actions as a
//! person holds keys, so its inputs go through the same path (held actions → edges → packed
//! input → the session) as a person's. One person can test multiplayer alone, and tests can
//! play whole matches.

use trystero_ai::Vec2;
use trystero_anim::{Action, Input, State};

use crate::rules::{PX, Rules};
use crate::world::{World, pack_input};

/// The most actions held at once.
const HELD: usize = 4;

/// One bot's memory: what it held last frame (for the edges) and how often it swung.
#[derive(Debug, Clone)]
pub struct Bot {
    seat: usize,
    before: [Option<Action>; HELD],
    swings: u32,
}

impl Bot {
    /// A bot playing seat `seat` of the roster.
    pub fn new(seat: usize) -> Self {
        Self {
            seat,
            before: [None; HELD],
            swings: 0,
        }
    }

    /// The seat it plays.
    pub fn seat(&self) -> usize {
        self.seat
    }

    /// This frame's input, from the world as it stands.
    pub fn input(&mut self, world: &World, rules: &Rules) -> u16 {
        let Some(me) = world.players.get(self.seat) else {
            return 0;
        };
        if !me.alive() {
            self.before = [None; HELD];
            return 0;
        }
        // Between waves: take an upgrade after a moment's thought.
        if me.offer.is_some() {
            let choice = u8::try_from((self.seat + world.wave as usize) % 3 + 1).unwrap_or(1);
            let think = world.frame.is_multiple_of(20);
            return pack_input(Input::default(), if think { choice } else { 0 });
        }
        let held = self.decide(world, rules);
        let (now, then) = (list(&held), list(&self.before));
        let input = Input::from_actions(&now.0[..now.1], &then.0[..then.1]);
        self.before = held;
        pack_input(input, 0)
    }

    fn decide(&mut self, world: &World, rules: &Rules) -> [Option<Action>; HELD] {
        let mut held = [None; HELD];
        let me = &world.players[self.seat];
        let fighter = me.fighter;
        let at = Vec2::new(fighter.x, fighter.y);
        let data = me.frame_data(&rules.fighter);
        let nearest = world
            .wolves
            .wolves
            .iter()
            .filter(|w| w.health > 0)
            .map(|w| (w.at.minus(at).length_squared(), w))
            .min_by_key(|(distance, w)| (*distance, w.at.x, w.at.y));
        let Some((_, wolf)) = nearest else {
            // Nothing to fight: drift back to the middle.
            let centre = rules.arena();
            let home = Vec2::new(centre.x / 2, centre.y / 2).minus(at);
            steer(&mut held, home, 30 * PX);
            return held;
        };
        let to = wolf.at.minus(at);
        let lunging = wolf.striking > 0 && to.length() < rules.bite_reach * 2;
        let rhythm = world
            .frame
            .wrapping_add(u32::try_from(self.seat).unwrap_or(0) * 7);
        if lunging && fighter.state != State::Attack {
            // Guard against it (facing it), or roll away now and then.
            if rhythm.is_multiple_of(5) && fighter.stamina >= data.roll_cost {
                held[0] = Some(Action::Roll);
                held[1] = Some(if to.x > 0 {
                    Action::MoveLeft
                } else {
                    Action::MoveRight
                });
            } else {
                held[0] = Some(Action::Block);
            }
            return held;
        }
        let in_front = to.x.signum() == i32::from(fighter.facing) || to.x == 0;
        let reach = to.x.abs() <= data.reach + rules.wolf_half
            && to.y.abs() <= data.hitbox_half_height + rules.wolf_half;
        if reach && in_front {
            let crowd = world
                .wolves
                .wolves
                .iter()
                .filter(|w| w.health > 0 && w.at.minus(at).length() <= data.reach + rules.wolf_half)
                .count();
            let pressed = self
                .before
                .iter()
                .flatten()
                .any(|a| matches!(a, Action::Attack | Action::Heavy | Action::Special));
            if !pressed {
                self.swings += 1;
                held[0] = Some(if crowd >= 2 && fighter.special_wait == 0 {
                    Action::Special
                } else if self.swings.is_multiple_of(4) {
                    Action::Heavy
                } else {
                    Action::Attack
                });
            }
            return held;
        }
        // Close in, turning to face it.
        steer(&mut held, to, 0);
        held
    }
}

/// The held actions as a list (no allocation).
fn list(held: &[Option<Action>; HELD]) -> ([Action; HELD], usize) {
    let mut out = [Action::MoveUp; HELD];
    let mut count = 0;
    for action in held.iter().flatten() {
        out[count] = *action;
        count += 1;
    }
    (out, count)
}

/// Holds the directions towards `to`: sideways (which also turns to face it) unless already
/// within `near`, and up or down until level with it.
fn steer(held: &mut [Option<Action>; HELD], to: Vec2, near: i32) {
    let slot = held.iter().position(Option::is_none).unwrap_or(HELD - 1);
    if to.x.abs() > near {
        held[slot] = Some(if to.x > 0 {
            Action::MoveRight
        } else {
            Action::MoveLeft
        });
    }
    if to.y.abs() > 10 * PX {
        let slot = (slot + 1).min(HELD - 1);
        held[slot] = Some(if to.y > 0 {
            Action::MoveDown
        } else {
            Action::MoveUp
        });
    }
}

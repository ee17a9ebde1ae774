//! The world's tests: determinism under rollback, the rules of the waves, upgrades, leaving,
//! and events; whole matches on the simulated network; replays.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod play;
mod rules;
mod scene;
mod sounds;
mod sync;

use trystero_game::{Bot, GameEvent, Rules, World};
use trystero_netcode::{InputStatus, PlayerInput};

/// Confirmed inputs for every seat.
pub(crate) fn confirmed(bits: &[u16]) -> Vec<PlayerInput<u16>> {
    bits.iter()
        .map(|input| PlayerInput {
            input: *input,
            status: InputStatus::Confirmed,
        })
        .collect()
}

/// Plays `frames` frames of a match of `players` bots; returns the world and every event.
pub(crate) fn bot_match(seed: u64, players: usize, frames: u32) -> (World, Vec<GameEvent>) {
    let rules = Rules::new(seed);
    let mut world = World::new(seed, players, &rules);
    let mut bots: Vec<Bot> = (0..players).map(Bot::new).collect();
    let mut events = Vec::new();
    for _ in 0..frames {
        let bits: Vec<u16> = bots
            .iter_mut()
            .map(|bot| bot.input(&world, &rules))
            .collect();
        world.step(&rules, &confirmed(&bits), &mut events);
    }
    (world, events)
}

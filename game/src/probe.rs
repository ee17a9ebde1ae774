//! The determinism probe: a scripted match whose final checksum must be the same number on
//! every machine and target. `cargo xtask wasm` runs it compiled to wasm32 under Node and
//! compares it with the native run's, pinned in `game/tests/probe.txt`.

use trystero_netcode::{InputStatus, PlayerInput};

use crate::bot::Bot;
use crate::rules::{MAX_PLAYERS, Rules};
use crate::world::World;

/// Bots play `players` seats (1 to 4) of the match with `seed` for `frames` frames; returns
/// the world's checksum at the end.
pub fn probe(seed: u64, players: usize, frames: u32) -> u64 {
    let players = players.clamp(1, MAX_PLAYERS);
    let rules = Rules::new(seed);
    let mut world = World::new(seed, players, &rules);
    let mut bots: Vec<Bot> = (0..players).map(Bot::new).collect();
    let mut events = Vec::new();
    let mut inputs = [PlayerInput {
        input: 0,
        status: InputStatus::Confirmed,
    }; MAX_PLAYERS];
    for _ in 0..frames {
        for (bot, input) in bots.iter_mut().zip(inputs.iter_mut()) {
            input.input = bot.input(&world, &rules);
        }
        events.clear();
        world.step(&rules, &inputs[..players], &mut events);
    }
    world.checksum()
}

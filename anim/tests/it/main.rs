//! The controller and combat: the transition table exhaustively, frame data as tests, a golden
//! fight timeline, random-input invariants, the netcode sync test, and a replay fixture.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code

mod exchange;
mod fights;
mod table;

use trystero_anim::{Arena, CombatEvent, Fighter, FrameData, Input, Scratch};
use trystero_core::random::SeededRandom;

/// A deterministic input stream (core's SplitMix64).
pub(crate) struct Inputs(SeededRandom);

impl Inputs {
    pub(crate) fn new(seed: u64) -> Self {
        Self(SeededRandom::new(seed))
    }

    pub(crate) fn next(&mut self) -> Input {
        let z = self.0.next_u64();
        // Buttons are pressed now and then, directions held more often.
        let bits = (z & 0x0F) as u16
            | (u16::from(z >> 8 & 7 == 0) << 4)
            | (u16::from(z >> 12 & 3 == 0) << 5)
            | (u16::from(z >> 16 & 15 == 0) << 6);
        Input::unpack(bits)
    }
}

/// Steps an arena `frames` times with seeded inputs; returns its events.
pub(crate) fn run(arena: &mut Arena, data: &FrameData, seed: u64, frames: u32) -> Vec<CombatEvent> {
    let mut inputs = Inputs::new(seed);
    let (mut scratch, mut events) = (Scratch::default(), Vec::new());
    let mut frame_inputs = vec![Input::default(); arena.fighters.len()];
    for _ in 0..frames {
        for input in &mut frame_inputs {
            *input = inputs.next();
        }
        arena.step(&frame_inputs, data, &mut scratch, &mut events);
    }
    events
}

pub(crate) fn valid(fighter: &Fighter, data: &FrameData) -> bool {
    (0..=data.health).contains(&fighter.health)
        && (0..=data.stamina).contains(&fighter.stamina)
        && fighter.combo <= 2
        && (0..=data.arena.0).contains(&fighter.x)
        && (0..=data.arena.1).contains(&fighter.y)
        && (fighter.health > 0) == (fighter.state != trystero_anim::State::Death)
}

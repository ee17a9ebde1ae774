//! The controller and combat: the transition table exhaustively, frame data as tests, a golden
//! fight timeline, random-input invariants, the netcode sync test, and a replay fixture.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code

mod exchange;
mod fights;
mod table;

use trystero_anim::{Arena, CombatEvent, Fighter, FrameData, Input, Scratch};

/// A deterministic input stream (SplitMix64).
pub(crate) struct Inputs(u64);

impl Inputs {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> Input {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // Buttons are pressed now and then, directions held more often.
        let byte = (z & 0x0F) as u8
            | (u8::from(z >> 8 & 7 == 0) << 4)
            | (u8::from(z >> 12 & 3 == 0) << 5)
            | (u8::from(z >> 16 & 15 == 0) << 6);
        Input::unpack(byte)
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

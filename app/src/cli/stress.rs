//! `trystero game --stress-wolves N`: the window's frame-time figures on a scene as heavy as a
//! full match, without a network: `--players` bots fight in one world whose every wave is `N`
//! wolves strong. What BENCHMARKS.md's window figures come from (with `--perf FILE`).

use std::collections::VecDeque;

use super::window::{Stage, View};
use trystero::game::{Bot, GameEvent, Hud, Rules, TIMELINE_FRAMES, World};
use trystero::netcode::{InputStatus, PlayerInput};

/// The stress scene.
pub(super) struct Stress {
    rules: Rules,
    world: World,
    bots: Vec<Bot>,
    /// The events of the last [`TIMELINE_FRAMES`] frames (all final: nothing rolls back).
    timeline: VecDeque<GameEvent>,
    step: Vec<GameEvent>,
    inputs: Vec<PlayerInput<u16>>,
    frames: u32,
}

impl Stress {
    /// `players` bots (1 to 4) against waves of `wolves`, for `frames` frames.
    pub(super) fn new(seed: u64, players: usize, wolves: usize, frames: u32) -> Self {
        let mut rules = Rules::new(seed);
        rules.first_wave = wolves;
        rules.max_wolves = wolves;
        let world = World::new(seed, players, &rules);
        Self {
            bots: (0..players).map(Bot::new).collect(),
            rules,
            world,
            timeline: VecDeque::new(),
            step: Vec::new(),
            inputs: Vec::with_capacity(players),
            frames,
        }
    }

    /// Wolves alive now.
    pub(super) fn wolves(&self) -> usize {
        self.world.wolves_alive()
    }
}

impl Stage for Stress {
    fn step(&mut self, _keys: u16) -> bool {
        self.inputs.clear();
        for bot in &mut self.bots {
            self.inputs.push(PlayerInput {
                input: bot.input(&self.world, &self.rules),
                status: InputStatus::Confirmed,
            });
        }
        self.step.clear();
        self.world.step(&self.rules, &self.inputs, &mut self.step);
        self.timeline.extend(self.step.drain(..));
        let oldest = self.world.frame.saturating_sub(TIMELINE_FRAMES);
        while self
            .timeline
            .front()
            .is_some_and(|event| event.frame < oldest)
        {
            self.timeline.pop_front();
        }
        self.world.frame >= self.frames || self.world.is_over()
    }

    fn view(&mut self) -> View<'_> {
        View {
            rules: &self.rules,
            world: &self.world,
            timeline: self.timeline.iter().collect(),
            confirmed: self.world.frame,
            hud: Hud {
                seat: Some(0),
                ..Hud::default()
            },
            key: self.world.seed,
        }
    }
}

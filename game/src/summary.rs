//! The end-of-match summary: what happened in the world (kills, waves, each seat's results)
//! and how the network played (rollbacks, stalls, ping, frame times) — printed for a person,
//! written as JSON for scripts and the lobby's analytics.

use std::collections::VecDeque;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::play::{DesyncReport, Match, SeatResult, results};
use crate::world::World;

/// A bounded series of samples (the latest `capacity`), for percentiles.
#[derive(Debug, Clone)]
pub struct Samples {
    values: VecDeque<u32>,
    capacity: usize,
}

impl Default for Samples {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl Samples {
    /// Keeps the latest `capacity` samples.
    pub fn new(capacity: usize) -> Self {
        Self {
            values: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// Adds one.
    pub fn push(&mut self, value: u32) {
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(value);
    }

    /// How many samples exceed `value`.
    pub fn count_over(&self, value: u32) -> usize {
        self.values.iter().filter(|sample| **sample > value).count()
    }

    /// The latest sample (0 with none).
    pub fn latest(&self) -> u32 {
        self.values.back().copied().unwrap_or(0)
    }

    /// The sum of the samples kept.
    pub fn sum(&self) -> f64 {
        self.values.iter().map(|value| f64::from(*value)).sum()
    }

    /// Their mean (0 with none).
    pub fn mean(&self) -> f64 {
        if self.values.is_empty() {
            0.0
        } else {
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            let count = self.values.len() as f64;
            self.sum() / count
        }
    }

    /// Samples kept.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value below which `per_mille` of the samples fall (nearest rank; 0 with none).
    pub fn percentile(&self, per_mille: usize) -> u32 {
        if self.values.is_empty() {
            return 0;
        }
        let mut sorted: Vec<u32> = self.values.iter().copied().collect();
        sorted.sort_unstable();
        let rank = (sorted.len() * per_mille).div_ceil(1_000).max(1);
        sorted[rank.min(sorted.len()) - 1]
    }
}

/// The summary of one match (or one replay: its network figures are zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The match's seed.
    pub seed: u64,
    /// Players in the match.
    pub players: usize,
    /// Our seat.
    pub seat: usize,
    /// Frames played (to the agreed end, when `finished`).
    pub frames: u32,
    /// The checksum of the world at `frames`, in hex: equal on every peer and in the replay.
    pub final_checksum: String,
    /// Whether the match reached its agreed end (the checksum is final).
    pub finished: bool,
    /// Wall-clock duration in seconds.
    pub duration_s: f64,
    /// Rollbacks done.
    pub rollbacks: u64,
    /// Rollbacks a second.
    pub rollbacks_per_second: f64,
    /// The deepest rollback, in frames.
    pub max_rollback_depth: usize,
    /// Median rollback depth.
    pub rollback_depth_p50: usize,
    /// 99th percentile rollback depth.
    pub rollback_depth_p99: usize,
    /// Ticks stalled waiting for remote inputs (the rollback window was full).
    pub stalled_ticks: u64,
    /// Ticks skipped to let slower peers catch up.
    pub waited_ticks: u64,
    /// Prediction errors (inputs guessed wrong, each one a rollback) a second.
    pub prediction_errors_per_second: f64,
    /// Round trip to the other peers: median, ms.
    pub ping_ms_p50: u32,
    /// Round trip: 99th percentile, ms.
    pub ping_ms_p99: u32,
    /// Time to tick a frame (receive, simulate, rollbacks, send): median, ms.
    pub frame_time_ms_p50: f64,
    /// Frame time: 99th percentile, ms.
    pub frame_time_ms_p99: f64,
    /// Wolves killed.
    pub kills: u32,
    /// Waves cleared.
    pub waves: u32,
    /// The wave reached.
    pub wave: u32,
    /// Whether everyone died.
    pub run_over: bool,
    /// Each seat's results.
    pub seats: Vec<SeatResult>,
    /// Desyncs found (none in a healthy match).
    pub desyncs: Vec<DesyncReport>,
    /// Confirmed checkpoints: (frame, checksum in hex).
    pub checkpoints: Vec<(u32, String)>,
}

impl Summary {
    /// The summary of a world at `frames` (the network figures zero).
    pub fn of_world(world: &World, seat: usize, frames: u32, finished: bool) -> Self {
        Self {
            seed: world.seed,
            players: world.players.len(),
            seat,
            frames,
            final_checksum: format!("{:#018x}", world.checksum()),
            finished,
            duration_s: 0.0,
            rollbacks: 0,
            rollbacks_per_second: 0.0,
            max_rollback_depth: 0,
            rollback_depth_p50: 0,
            rollback_depth_p99: 0,
            stalled_ticks: 0,
            waited_ticks: 0,
            prediction_errors_per_second: 0.0,
            ping_ms_p50: 0,
            ping_ms_p99: 0,
            frame_time_ms_p50: 0.0,
            frame_time_ms_p99: 0.0,
            kills: world.kills,
            waves: world.waves_cleared,
            wave: world.wave,
            run_over: world.is_over(),
            seats: results(world),
            desyncs: Vec::new(),
            checkpoints: Vec::new(),
        }
    }

    /// The summary of a match after `duration_s` seconds, with the pings (ms) and frame times
    /// (µs) sampled while playing.
    pub fn of_match<A: Clone + PartialEq>(
        game: &Match<A>,
        duration_s: f64,
        ping_ms: &Samples,
        frame_time_us: &Samples,
    ) -> Self {
        // The world as it ended (the match runs on past the end while the others finish).
        let world = match (game.finished(), game.end_world()) {
            (Some(_), Some(end)) => end,
            _ => game.world(),
        };
        let (frames, checksum, finished) = match game.finished() {
            Some((frame, checksum)) => (frame, checksum, true),
            None => (world.frame, world.checksum(), false),
        };
        let counters = game.counters();
        let seconds = duration_s.max(1e-9);
        let rollbacks = counters.rollbacks();
        let ms = |us: u32| f64::from(us) / 1_000.0;
        Self {
            final_checksum: format!("{checksum:#018x}"),
            duration_s,
            rollbacks,
            rollbacks_per_second: rollbacks as f64 / seconds,
            max_rollback_depth: counters.max_depth(),
            rollback_depth_p50: counters.depth_percentile(500),
            rollback_depth_p99: counters.depth_percentile(990),
            stalled_ticks: counters.stalled,
            waited_ticks: counters.waited,
            prediction_errors_per_second: rollbacks as f64 / seconds,
            ping_ms_p50: ping_ms.percentile(500),
            ping_ms_p99: ping_ms.percentile(990),
            frame_time_ms_p50: ms(frame_time_us.percentile(500)),
            frame_time_ms_p99: ms(frame_time_us.percentile(990)),
            desyncs: counters.desyncs.clone(),
            checkpoints: game
                .checkpoints()
                .map(|(frame, checksum)| (frame, format!("{checksum:#018x}")))
                .collect(),
            ..Self::of_world(world, game.seat(), frames, finished)
        }
    }

    /// The summary as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A few lines for a person.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let end = if self.run_over {
            "everyone fell"
        } else if self.finished {
            "the frame limit"
        } else {
            "stopped early"
        };
        let _ = writeln!(
            out,
            "match over ({end}) after {} frames ({:.1} s): wave {} reached, {} cleared, {} wolves killed",
            self.frames, self.duration_s, self.wave, self.waves, self.kills
        );
        for seat in &self.seats {
            let upgrades = if seat.upgrades.is_empty() {
                "none".to_owned()
            } else {
                seat.upgrades.join(", ")
            };
            let _ = writeln!(
                out,
                "  player {}{}: {} kills, {} deaths, {} damage; upgrades: {upgrades}{}",
                seat.seat + 1,
                if seat.seat == self.seat { " (you)" } else { "" },
                seat.kills,
                seat.deaths,
                seat.damage,
                if seat.present { "" } else { " (left)" },
            );
        }
        if self.players > 1 {
            let _ = writeln!(
                out,
                "  network: ping p50 {} ms p99 {} ms; {:.2} rollbacks/s, depth p50 {} p99 {} max {}; {} ticks stalled; frame time p50 {:.2} ms p99 {:.2} ms",
                self.ping_ms_p50,
                self.ping_ms_p99,
                self.rollbacks_per_second,
                self.rollback_depth_p50,
                self.rollback_depth_p99,
                self.max_rollback_depth,
                self.stalled_ticks,
                self.frame_time_ms_p50,
                self.frame_time_ms_p99,
            );
        }
        let _ = writeln!(out, "  final checksum {}", self.final_checksum);
        for desync in &self.desyncs {
            let _ = writeln!(
                out,
                "  DESYNC at frame {} with player {} (part {}): ours {}, theirs {}",
                desync.frame,
                desync.seat + 1,
                desync.part,
                desync.local,
                desync.remote
            );
        }
        out
    }
}

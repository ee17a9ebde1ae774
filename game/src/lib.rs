//! `trystero-game`: the wolf-survival game's world — 1 to 4 players, each `trystero-anim`'s
//! fighter, against waves of `trystero-ai`'s wolf packs among rocks — and what plays it: a
//! [`Bot`] for a seat.
//!
//! The [`World`] is plain data stepped only by [`World::step`] at 60 Hz with one packed input
//! per player ([`pack_input`]: the fighter's nine bits and an upgrade pick), so it runs under
//! `trystero-netcode`'s rollback sessions: integer math, ordered iteration, the random state
//! inside; it gives the same checksums on every machine and on wasm32. Nothing but the inputs
//! crosses the network during play; the seed and the roster decide everything else.
//!
//! The rules (survival; [`Rules`] has the numbers):
//! - Waves escalate: 3 wolves, then 2 more each wave (at most 64), in packs of up to 6 coming
//!   from the arena's edges, with more health each wave. Every third wave the first pack's
//!   Alpha is a great wolf (4× health, double bites); every fifth is the blood moon (30 %
//!   faster wolves that strike a third more often). The difficulty director tunes the packs'
//!   aggression after each wave by whether anyone died.
//! - Wolves bite halfway through a strike; a fighter takes a bite by its own rule: a block
//!   halves it, a parry staggers the wolf and hurts it, a roll's invulnerable frames pass
//!   through it.
//! - Rocks (from the seed) block the fighters and give the wolves chokepoints and cover.
//! - Between waves each living player picks one of three upgrades drawn from the seeded random
//!   state (a player who does not pick gets the first); a dead player spectates until the
//!   next wave, when it comes back; the run ends when all are dead. Score: kills, waves, time.
//! - Events ([`GameEvent`]) come out of each step keyed by (kind, frame, entity, other).
//!
//! Presentation stays pure too: [`Scene`] builds each `core::render::Frame` from the world and
//! the match's timeline, and [`Sounds`] reconciles voices on core's audio port with it, so a
//! rollback never plays a sound or spawns an effect twice.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bot;
mod event;
mod play;
mod probe;
mod replay;
mod rules;
mod scene;
mod simulate;
mod sounds;
mod summary;
mod world;

pub use bot::Bot;
pub use event::{Entity, EventKind, GameEvent};
pub use play::{
    CHECKPOINT, Counters, DesyncReport, Match, SeatResult, Setup, TIMELINE_FRAMES, Tick, results,
};
pub use probe::probe;
pub use replay::{
    GONE, MAX_REPLAY_FRAMES, REPLAY_FORMAT, REPLAY_VERSION, RULES_VERSION, Replay, ReplayError,
};
pub use rules::{MAX_PLAYERS, PX, Rules, Upgrade, WaveKind};
pub use scene::{DAY, Hud, Scene};
pub use simulate::bot_match;
pub use sounds::{EFFECT_GAIN, HEARING, LATE_FRAMES, MUSIC_GAIN, STRIDE, Sounds};
pub use summary::{Samples, Summary};
pub use world::{Phase, PlayerState, World, pack_input, unpack_input};

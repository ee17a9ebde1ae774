//! The audio port: what the game asks of the sound system, as plain values.
//!
//! The game plays sounds at positions ([`Play`]), moves voices and the [`Listener`], stops
//! voices and sets bus gains; an adapter makes it heard. No audio-device type appears here:
//! `trystero-audio` implements [`Audio`] on a cpal output (or offline, rendering to buffers),
//! and [`RecordingAudio`] keeps the calls for tests of game code.
//!
//! Positions are in world units (3-D; a 2-D game leaves `z` at 0). Distance attenuation follows
//! Web Audio's `PannerNode` models ([`DistanceModel`]).

mod attenuation;
mod port;
mod recording;
mod sound;

pub use attenuation::{Attenuation, DistanceModel};
pub use port::{Audio, AudioError};
pub use recording::{AudioCall, RecordingAudio};
pub use sound::{Bus, Listener, Play, SoundId, VoiceId};

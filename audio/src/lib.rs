//! `trystero-audio`: spatial audio behind the audio port in `trystero_core::audio`.
//!
//! - [`mixer`]: the pure mixer — it fills buffers (sans-IO, no allocation while rendering,
//!   builds for wasm32 without the `device` feature): per-voice distance attenuation with Web
//!   Audio's inverse, linear and exponential models, equal-power panning from the listener's
//!   orientation, Doppler, a distance and occlusion low-pass, buses (effects, music, interface)
//!   with gains, a voice limit with priority stealing, and click-free starts, stops and moves.
//! - [`synth`]: procedural sounds (sword swing, hit, block clang, roll, wolf growl and howl,
//!   footstep), so the game needs no asset files; [`Clip`] decodes WAV and Ogg Vorbis.
//! - [`AudioEngine`]: the port's implementation — a sound bank, voice ids and a lock-free
//!   command queue to the mixer, which runs in the cpal output's callback (feature `device`,
//!   which needs ALSA's headers to build), in a PulseAudio stream's callback through a
//!   pure-Rust client (feature `pulse`: no system library at build or run time), or offline in
//!   a [`MixerNode`] you render yourself. Without a device the game gets a
//!   clear [`AudioError::NoDevice`](trystero_core::audio::AudioError::NoDevice) and can run
//!   silent ([`AudioEngine::open_or_silent`]).
//!
//! ```text
//!  game ──Audio::play/move/stop/listener/bus──► AudioEngine ──rtrb queue──► MixerNode (audio thread)
//!                                                 sound bank (Arc<Clip>)       Mixer::render → device
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clip;
#[cfg(feature = "device")]
mod device;
mod engine;
pub mod mixer;
#[cfg(feature = "pulse")]
mod pulse;
pub mod spatial;
pub mod synth;

pub use clip::Clip;
pub use engine::{AudioEngine, MixerNode, QUEUE};
pub use mixer::{Command, Mixer, Settings};

//! The mixer rendered offline and compared with the analytic expectation: distance models,
//! equal-power panning, Doppler, ramps, voice stealing, buses, occlusion; the procedural
//! sounds; decoding; the engine's errors.

#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation
)] // test code

mod engine;
mod mixing;
mod sounds;

use trystero_audio::{AudioEngine, MixerNode, Settings};

pub(crate) const RATE: u32 = 48_000;

/// An offline engine without Doppler or the distance filter unless asked.
pub(crate) fn offline(settings: Settings) -> (AudioEngine, MixerNode) {
    AudioEngine::offline(settings)
}

pub(crate) fn plain() -> Settings {
    Settings {
        doppler: 0.0,
        distance_filter: false,
        ..Settings::default()
    }
}

/// Renders `seconds` of stereo.
pub(crate) fn render(node: &mut MixerNode, seconds: f32) -> Vec<f32> {
    let mut out = vec![0.0; (seconds * RATE as f32) as usize * 2];
    node.render(&mut out, 2);
    out
}

#[path = "../common/measure.rs"]
mod measure;

pub(crate) use measure::{frequency, rms};

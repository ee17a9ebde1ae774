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

/// Root mean square of one channel of interleaved stereo.
pub(crate) fn rms(stereo: &[f32], channel: usize) -> f32 {
    let samples: Vec<f32> = stereo.iter().skip(channel).step_by(2).copied().collect();
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

/// The frequency of a tone from its upward zero crossings (interpolated), over mono samples.
pub(crate) fn frequency(samples: &[f32], rate: u32) -> f32 {
    let mut crossings = Vec::new();
    for i in 1..samples.len() {
        let (a, b) = (samples[i - 1], samples[i]);
        if a < 0.0 && b >= 0.0 {
            crossings.push((i - 1) as f32 + a / (a - b));
        }
    }
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    (crossings.len() - 1) as f32 / ((last - first) / rate as f32)
}

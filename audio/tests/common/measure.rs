//! Measurements shared by the audio test binaries (included with `#[path]`).

#![allow(dead_code, clippy::cast_precision_loss)] // each binary uses what it needs

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

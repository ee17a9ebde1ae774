//! The camera rig: follow with smoothing, trauma-based shake from a seed, zoom.

use super::View;

/// The camera: follows a target with smoothing, shakes with trauma, zooms.
///
/// Shake is trauma-based: [`CameraRig::shake`] adds trauma (0–1) that decays to zero over the
/// given duration; the offset and roll are `trauma²` times smooth noise drawn from the rig's
/// seed and its own clock, so a fixed seed gives the same shake every run. Only `+ - * /` and
/// `sqrt` are used, so every platform computes the same view.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraRig {
    /// Where it looks, before shake.
    pub centre: [f32; 2],
    /// Current zoom.
    pub zoom: f32,
    /// The zoom it eases towards.
    pub target_zoom: f32,
    /// How fast it catches up (per second; higher is stiffer).
    pub stiffness: f32,
    /// The largest shake offset, in screen pixels.
    pub max_offset: f32,
    /// The largest shake roll, in radians.
    pub max_roll: f32,
    trauma: f32,
    decay: f32,
    seed: u32,
    clock: f32,
}

impl CameraRig {
    /// A camera at `centre`, zoom 1, with shake noise from `seed`.
    pub fn new(centre: [f32; 2], seed: u32) -> Self {
        Self {
            centre,
            zoom: 1.0,
            target_zoom: 1.0,
            stiffness: 6.0,
            max_offset: 16.0,
            max_roll: 0.05,
            trauma: 0.0,
            decay: 0.0,
            seed,
            clock: 0.0,
        }
    }

    /// Moves towards `target` for `dt` seconds (critically damped-ish: the gap shrinks by
    /// `k·dt / (1 + k·dt)` a step, stable at any `dt`).
    pub fn follow(&mut self, target: [f32; 2], dt: f32) {
        let step = self.stiffness * dt / (1.0 + self.stiffness * dt);
        self.centre[0] += (target[0] - self.centre[0]) * step;
        self.centre[1] += (target[1] - self.centre[1]) * step;
        self.zoom += (self.target_zoom - self.zoom) * step;
    }

    /// Adds `intensity` (0–1) of trauma, fading over `duration` seconds (the seed's
    /// `shake_camera(intensity, duration)`).
    pub fn shake(&mut self, intensity: f32, duration: f32) {
        self.trauma = (self.trauma + intensity.max(0.0)).min(1.0);
        self.decay = self.decay.max(self.trauma / duration.max(1e-3));
    }

    /// The trauma left.
    pub fn trauma(&self) -> f32 {
        self.trauma
    }

    /// Advances the shake clock by `dt` seconds.
    pub fn update(&mut self, dt: f32) {
        self.clock += dt;
        self.trauma = (self.trauma - self.decay * dt).max(0.0);
        if self.trauma == 0.0 {
            self.decay = 0.0;
        }
    }

    /// The view now: the centre plus the shake's offset (in world pixels), the zoom and roll.
    pub fn view(&self) -> View {
        let amount = self.trauma * self.trauma;
        // Noise sampled at 30 Hz, a channel per axis.
        let t = self.clock * 30.0;
        let dx = noise(self.seed, 0, t) * self.max_offset * amount / self.zoom.max(1e-6);
        let dy = noise(self.seed, 1, t) * self.max_offset * amount / self.zoom.max(1e-6);
        View {
            centre: [self.centre[0] + dx, self.centre[1] + dy],
            zoom: self.zoom,
            rotation: noise(self.seed, 2, t) * self.max_roll * amount,
        }
    }
}

/// Smooth value noise in -1..1: hashed lattice values, smoothstep-interpolated.
fn noise(seed: u32, channel: u32, t: f32) -> f32 {
    let t = t.max(0.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // t ≥ 0, floor
    let cell = t as u32;
    #[allow(clippy::cast_precision_loss)] // lattice positions are small
    let f = t - cell as f32;
    let lattice = |i: u32| {
        let mut h = seed ^ channel.wrapping_mul(0x85EB_CA6B) ^ i.wrapping_mul(0x9E37_79B9);
        h ^= h >> 16;
        h = h.wrapping_mul(0x7FEB_352D);
        h ^= h >> 15;
        h = h.wrapping_mul(0x846C_A68B);
        h ^= h >> 16;
        #[allow(clippy::cast_precision_loss)] // 24 bits are exact
        let unit = (h >> 8) as f32 / 16_777_215.0;
        unit * 2.0 - 1.0
    };
    let s = f * f * (3.0 - 2.0 * f);
    lattice(cell) + (lattice(cell.wrapping_add(1)) - lattice(cell)) * s
}

//! The spatial maths, pure functions: the listener's frame, equal-power panning, Doppler, the
//! distance and occlusion low-pass.

use trystero_core::audio::Listener;

type V3 = [f32; 3];

fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: V3, b: V3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn length(a: V3) -> f32 {
    dot(a, a).sqrt()
}

fn unit(a: V3) -> V3 {
    let l = length(a);
    if l > 0.0 {
        [a[0] / l, a[1] / l, a[2] / l]
    } else {
        [0.0; 3]
    }
}

/// The listener's unit axes: right, up (made orthogonal to forward) and forward.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Where it is.
    pub position: V3,
    /// Its right.
    pub right: V3,
    /// Its forward.
    pub forward: V3,
    /// Its velocity.
    pub velocity: V3,
}

impl Frame {
    /// The frame of a listener (a degenerate orientation falls back to Web Audio's default).
    pub fn of(listener: &Listener) -> Self {
        let mut forward = unit(listener.forward);
        if forward == [0.0; 3] {
            forward = [0.0, 0.0, -1.0];
        }
        let mut right = unit(cross(forward, listener.up));
        if right == [0.0; 3] {
            // Up parallel to forward: pick any perpendicular.
            right = unit(cross(forward, [0.0, 1.0, 0.0]));
            if right == [0.0; 3] {
                right = [1.0, 0.0, 0.0];
            }
        }
        Self {
            position: listener.position,
            right,
            forward,
            velocity: listener.velocity,
        }
    }

    /// Distance to `source`.
    pub fn distance(&self, source: V3) -> f32 {
        length(sub(source, self.position))
    }

    /// The source's azimuth in degrees (0 ahead, 90 right, −90 left, ±180 behind).
    pub fn azimuth(&self, source: V3) -> f32 {
        let direction = sub(source, self.position);
        if length(direction) == 0.0 {
            return 0.0;
        }
        dot(direction, self.right)
            .atan2(dot(direction, self.forward))
            .to_degrees()
    }

    /// The Doppler rate for a source at `source` moving at `velocity`:
    /// `(c − f·v_listener·u) / (c − f·v_source·u)` with `u` the unit vector from source to
    /// listener, each speed clamped below half the speed of sound.
    pub fn doppler(&self, source: V3, velocity: V3, speed_of_sound: f32, factor: f32) -> f32 {
        if factor == 0.0 || speed_of_sound <= 0.0 {
            return 1.0;
        }
        let u = unit(sub(self.position, source));
        let limit = speed_of_sound * 0.5;
        let listener = (factor * dot(self.velocity, u)).clamp(-limit, limit);
        let moving = (factor * dot(velocity, u)).clamp(-limit, limit);
        (speed_of_sound - listener) / (speed_of_sound - moving)
    }
}

/// Equal-power panning of a mono source at `azimuth` degrees (Web Audio's "equalpower"): a
/// source behind is mirrored to the front; returns (left, right) with `left² + right² = 1`.
pub fn equal_power(azimuth: f32) -> (f32, f32) {
    let mut a = azimuth.clamp(-180.0, 180.0);
    if a < -90.0 {
        a = -180.0 - a;
    } else if a > 90.0 {
        a = 180.0 - a;
    }
    let x = (a + 90.0) / 180.0 * std::f32::consts::FRAC_PI_2;
    (x.cos(), x.sin())
}

/// The one-pole low-pass coefficient for a cutoff (1: no filtering).
pub fn one_pole(cutoff: f32, sample_rate: f32) -> f32 {
    if cutoff >= sample_rate * 0.45 {
        return 1.0;
    }
    1.0 - (-std::f32::consts::TAU * cutoff.max(10.0) / sample_rate).exp()
}

/// The cutoff for a voice: 20 kHz near, falling linearly to 2 kHz at the attenuation's max
/// distance, and towards a tenth of that when occluded.
pub fn cutoff(distance: f32, reference: f32, max: f32, occlusion: f32) -> f32 {
    let span = (max - reference).max(1e-6);
    let t = ((distance - reference) / span).clamp(0.0, 1.0);
    20_000.0 * (1.0 - 0.9 * t) * (1.0 - 0.9 * occlusion.clamp(0.0, 1.0))
}

//! How particle effects start: per kind, a burst's count, speeds, lives, colours and forces;
//! and the seeded generator that draws them.

use trystero_core::render::EffectKind;

/// How an effect's particles start: how many, speed and life ranges (uniform between the
/// two), a colour range (linear, above 1 glows under bloom), size in pixels, drag (per second)
/// and gravity (pixels per second²).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Burst {
    pub(crate) count: u32,
    pub(crate) speed: [f32; 2],
    pub(crate) life: [f32; 2],
    pub(crate) color: [[f32; 3]; 2],
    pub(crate) size: f32,
    pub(crate) drag: f32,
    pub(crate) gravity: f32,
}

impl Burst {
    pub(crate) fn of(kind: EffectKind) -> Self {
        let (count, speed, life, color, size, drag, gravity) = match kind {
            EffectKind::Explosion => (
                600,
                [40.0, 260.0],
                [0.4, 1.2],
                [[3.0, 1.5, 0.4], [2.0, 0.5, 0.1]],
                2.0,
                1.5,
                90.0,
            ),
            EffectKind::Sparks => (
                80,
                [180.0, 420.0],
                [0.12, 0.4],
                [[3.0, 2.8, 1.8], [2.2, 1.6, 0.6]],
                1.0,
                3.0,
                300.0,
            ),
            EffectKind::Blood => (
                120,
                [30.0, 170.0],
                [0.3, 0.9],
                [[0.7, 0.02, 0.02], [0.4, 0.0, 0.01]],
                2.0,
                1.0,
                480.0,
            ),
            EffectKind::Dust => (
                60,
                [8.0, 50.0],
                [0.5, 1.2],
                [[0.30, 0.27, 0.22], [0.18, 0.16, 0.13]],
                2.0,
                2.5,
                -25.0,
            ),
        };
        Self {
            count,
            speed,
            life,
            color,
            size,
            drag,
            gravity,
        }
    }
}

/// SplitMix64 for particle draws.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[allow(clippy::cast_precision_loss)] // 24 bits are exact
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / 16_777_216.0
    }
}

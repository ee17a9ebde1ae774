//! The built-in colour-grading looks as 16³ lookup tables.

use trystero_core::render::Grading;

/// The tables' side.
pub(crate) const LUT: u32 = 16;

/// The built-in looks as 16³ tables.
pub(crate) fn built_in_lut(look: Grading) -> Vec<u8> {
    let mut texels = Vec::with_capacity((LUT * LUT * LUT * 4) as usize);
    #[allow(clippy::cast_precision_loss)] // table positions
    let step = |i: u32| i as f32 / (LUT - 1) as f32;
    for b in 0..LUT {
        for g in 0..LUT {
            for r in 0..LUT {
                let (r, g, b) = (step(r), step(g), step(b));
                let luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
                let out = match look {
                    Grading::Warm => [r * 1.08 + 0.03, g * 1.0 + 0.01, b * 0.82],
                    Grading::Night => {
                        let d = |c: f32| (c * 0.45 + luma * 0.55) * 0.8;
                        [d(r) * 0.8, d(g) * 0.95, d(b) * 1.25 + 0.03]
                    }
                    Grading::Sepia => [luma * 1.07 + 0.05, luma * 0.9 + 0.03, luma * 0.66],
                    Grading::Neutral | Grading::Custom(_) => [r, g, b],
                };
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped
                let byte = |c: f32| (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
                texels.extend_from_slice(&[byte(out[0]), byte(out[1]), byte(out[2]), 255]);
            }
        }
    }
    texels
}

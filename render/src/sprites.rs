//! Procedural sprites, so the game runs with no art files: the player (idle, two run frames, a
//! swing, a block, a roll), the wolf (a four-frame run and a lunge), rocks, trees, a ground
//! tile, a torch, a soft glow and a heart for the interface. All drawn from integer shapes and
//! a seeded hash, so every machine builds the same pixels.

use crate::atlas::AtlasBuilder;
use crate::image::Image;

/// Adds every procedural sprite to `atlas` under its name: `player`, `wolf`, `rock`, `tree`,
/// `grass`, `torch`, `glow`, `heart`.
pub fn add_all(atlas: &mut AtlasBuilder) {
    atlas.add_frames("player", player());
    atlas.add_frames("wolf", wolf());
    atlas.add("rock", rock());
    atlas.add("tree", tree());
    atlas.add("grass", grass());
    atlas.add("torch", torch());
    atlas.add("glow", glow());
    atlas.add("heart", heart());
    atlas.add_frames(trystero_core::render::FONT, font());
}

/// The font's glyphs, 5 × 7, in the order of `FONT_GLYPHS`: each row's five bits, the
/// leftmost column the highest.
const GLYPH_ROWS: [[u8; 7]; 51] = [
    [0, 0, 0, 0, 0, 0, 0],                      // space
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], // 0
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E], // 1
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], // 2
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E], // 3
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], // 4
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E], // 5
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], // 6
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08], // 7
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], // 8
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C], // 9
    [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], // A
    [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E], // B
    [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], // C
    [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C], // D
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], // E
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10], // F
    [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], // G
    [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], // H
    [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], // I
    [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C], // J
    [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], // K
    [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F], // L
    [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], // M
    [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11], // N
    [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], // O
    [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10], // P
    [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], // Q
    [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11], // R
    [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], // S
    [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04], // T
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], // U
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04], // V
    [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], // W
    [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11], // X
    [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], // Y
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F], // Z
    [0, 0, 0, 0, 0, 0x0C, 0x0C],                // .
    [0, 0, 0, 0, 0x0C, 0x04, 0x08],             // ,
    [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],          // :
    [0x04, 0x04, 0x04, 0x04, 0x04, 0, 0x04],    // !
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04],    // ?
    [0, 0, 0, 0x1F, 0, 0, 0],                   // -
    [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0],       // +
    [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0],       // /
    [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03], // %
    [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], // (
    [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08], // )
    [0x04, 0x04, 0x08, 0, 0, 0, 0],             // '
    [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A], // #
    [0, 0, 0x1F, 0, 0x1F, 0, 0],                // =
];

/// The font: one white 5 × 7 frame per glyph (tint it), transparent elsewhere.
fn font() -> Vec<Image> {
    GLYPH_ROWS
        .iter()
        .map(|rows| {
            let mut image = Image::new(5, 7);
            for (y, bits) in (0u32..).zip(rows) {
                for x in 0..5u32 {
                    if bits & (0x10 >> x) != 0 {
                        image.set(x, y, [255, 255, 255, 255]);
                    }
                }
            }
            image
        })
        .collect()
}

type Rgba = [u8; 4];

/// A small hash for texture noise.
fn hash(x: u32, y: u32, seed: u32) -> u32 {
    let mut h =
        x.wrapping_mul(0x8DA6_B343) ^ y.wrapping_mul(0xD816_3841) ^ seed.wrapping_mul(0xCB1A_B31F);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5BD1_E995);
    h ^ (h >> 15)
}

fn shade(color: Rgba, amount: i32) -> Rgba {
    let f = |c: u8| u8::try_from((i32::from(c) + amount).clamp(0, 255)).unwrap_or(0);
    [f(color[0]), f(color[1]), f(color[2]), color[3]]
}

/// Fills an ellipse centred at (cx, cy) with radii (rx, ry), shaded darker towards the
/// bottom right and noised by `seed`.
fn ellipse(image: &mut Image, cx: i32, cy: i32, rx: i32, ry: i32, color: Rgba, seed: u32) {
    for y in cy - ry..=cy + ry {
        for x in cx - rx..=cx + rx {
            let (dx, dy) = (x - cx, y - cy);
            // Inside: dx²/rx² + dy²/ry² ≤ 1, in integers.
            if dx * dx * ry * ry + dy * dy * rx * rx > rx * rx * ry * ry {
                continue;
            }
            let (Ok(ux), Ok(uy)) = (u32::try_from(x), u32::try_from(y)) else {
                continue;
            };
            let light = -(dx * 24 / rx.max(1)) - (dy * 24 / ry.max(1));
            let noise = i32::try_from(hash(ux, uy, seed) % 13).unwrap_or(0) - 6;
            image.set(ux, uy, shade(color, light + noise));
        }
    }
}

fn rect(image: &mut Image, x0: i32, y0: i32, x1: i32, y1: i32, color: Rgba) {
    for y in y0..y1 {
        for x in x0..x1 {
            if let (Ok(ux), Ok(uy)) = (u32::try_from(x), u32::try_from(y)) {
                image.set(ux, uy, color);
            }
        }
    }
}

/// A thick line from (x0, y0) to (x1, y1).
fn line(image: &mut Image, (x0, y0): (i32, i32), (x1, y1): (i32, i32), width: i32, color: Rgba) {
    let steps = (x1 - x0).abs().max((y1 - y0).abs()).max(1);
    for step in 0..=steps {
        let x = x0 + (x1 - x0) * step / steps;
        let y = y0 + (y1 - y0) * step / steps;
        rect(
            image,
            x - width / 2,
            y - width / 2,
            x - width / 2 + width,
            y - width / 2 + width,
            color,
        );
    }
}

const SKIN: Rgba = [236, 188, 150, 255];
const TUNIC: Rgba = [52, 92, 170, 255];
const STEEL: Rgba = [214, 222, 232, 255];
const LEATHER: Rgba = [110, 70, 40, 255];
const FUR: Rgba = [128, 128, 138, 255];

/// The player, 32×32: idle, run (2), attack, block, roll.
fn player() -> Vec<Image> {
    let mut frames = Vec::new();
    for pose in 0..6u32 {
        let mut image = Image::new(32, 32);
        let seed = 10 + pose;
        if pose == 5 {
            // Rolling: a ball.
            ellipse(&mut image, 16, 20, 9, 9, TUNIC, seed);
            ellipse(&mut image, 19, 16, 4, 4, SKIN, seed);
            frames.push(image);
            continue;
        }
        let stride = match pose {
            1 => 3,
            2 => -3,
            _ => 0,
        };
        // Legs, body, head.
        line(&mut image, (14, 22), (14 + stride, 30), 3, LEATHER);
        line(&mut image, (18, 22), (18 - stride, 30), 3, LEATHER);
        ellipse(&mut image, 16, 18, 6, 7, TUNIC, seed);
        ellipse(&mut image, 16, 8, 4, 4, SKIN, seed);
        match pose {
            3 => line(&mut image, (20, 16), (31, 6), 2, STEEL), // the swing, raised
            4 => rect(&mut image, 20, 12, 25, 24, STEEL),       // shield up
            _ => line(&mut image, (21, 18), (25, 28), 2, STEEL), // sword down
        }
        frames.push(image);
    }
    frames
}

/// The wolf, 40×24, facing right: run (4 frames), lunge.
fn wolf() -> Vec<Image> {
    let mut frames = Vec::new();
    for pose in 0..5u32 {
        let mut image = Image::new(40, 24);
        let swing = [3, 1, -3, -1, 5][pose as usize];
        // Legs (front and back pairs swing opposite).
        line(&mut image, (12, 14), (12 - swing, 23), 2, shade(FUR, -40));
        line(&mut image, (15, 14), (15 + swing, 23), 2, shade(FUR, -30));
        line(&mut image, (26, 14), (26 + swing, 23), 2, shade(FUR, -40));
        line(&mut image, (29, 14), (29 - swing, 23), 2, shade(FUR, -30));
        // Tail, body, head, ears, eye.
        line(
            &mut image,
            (7, 10),
            (1, 6 + i32::try_from(pose % 2).unwrap_or(0) * 2),
            3,
            FUR,
        );
        ellipse(&mut image, 19, 11, 12, 5, FUR, 20 + pose);
        let lunge = if pose == 4 { 3 } else { 0 };
        ellipse(&mut image, 32 + lunge, 8, 5, 4, FUR, 30 + pose);
        line(
            &mut image,
            (34 + lunge, 9),
            (38 + lunge, 10),
            2,
            shade(FUR, 20),
        );
        rect(&mut image, 30 + lunge, 2, 32 + lunge, 5, shade(FUR, -20));
        rect(
            &mut image,
            34 + lunge,
            6,
            35 + lunge,
            7,
            [250, 210, 40, 255],
        );
        frames.push(image);
    }
    frames
}

fn rock() -> Image {
    let mut image = Image::new(32, 32);
    ellipse(&mut image, 16, 18, 14, 11, [120, 116, 110, 255], 40);
    ellipse(&mut image, 12, 14, 7, 5, [140, 136, 128, 255], 41);
    image
}

fn tree() -> Image {
    let mut image = Image::new(48, 64);
    rect(&mut image, 21, 40, 27, 63, LEATHER);
    ellipse(&mut image, 24, 24, 20, 20, [40, 110, 50, 255], 50);
    ellipse(&mut image, 16, 30, 10, 9, [48, 124, 58, 255], 51);
    ellipse(&mut image, 30, 16, 11, 10, [56, 136, 64, 255], 52);
    image
}

fn grass() -> Image {
    let mut image = Image::new(32, 32);
    for y in 0..32 {
        for x in 0..32 {
            let n = hash(x, y, 60);
            let base: Rgba = [62, 98, 48, 255];
            let blade = if n.is_multiple_of(11) { 22 } else { 0 };
            image.set(
                x,
                y,
                shade(base, i32::try_from(n % 9).unwrap_or(0) - 4 + blade),
            );
        }
    }
    image
}

fn torch() -> Image {
    let mut image = Image::new(8, 16);
    rect(&mut image, 3, 6, 5, 16, LEATHER);
    ellipse(&mut image, 4, 4, 3, 4, [255, 180, 60, 255], 70);
    image
}

/// A soft round glow, white, alpha falling off from the centre.
fn glow() -> Image {
    let mut image = Image::new(32, 32);
    for y in 0..32u32 {
        for x in 0..32u32 {
            let (dx, dy) = (i64::from(x) * 2 - 31, i64::from(y) * 2 - 31);
            let d2 = dx * dx + dy * dy; // up to 2·31²
            let alpha = (255 - d2 * 255 / (31 * 31)).clamp(0, 255);
            let alpha = u8::try_from(alpha * alpha / 255).unwrap_or(0);
            image.set(x, y, [255, 255, 255, alpha]);
        }
    }
    image
}

fn heart() -> Image {
    let mut image = Image::new(12, 12);
    let red: Rgba = [220, 40, 50, 255];
    ellipse(&mut image, 3, 4, 3, 3, red, 80);
    ellipse(&mut image, 8, 4, 3, 3, red, 81);
    for y in 5..11 {
        let half = 11 - y;
        rect(&mut image, 6 - half, y, 6 + half, y + 1, red);
    }
    image
}

#[cfg(test)]
mod tests {
    use super::GLYPH_ROWS;

    #[test]
    fn the_font_has_a_glyph_for_every_character_of_the_table() {
        assert_eq!(
            GLYPH_ROWS.len(),
            trystero_core::render::FONT_GLYPHS.chars().count()
        );
        // Every glyph but the space draws something, inside five columns.
        for rows in &GLYPH_ROWS[1..] {
            assert!(rows.iter().any(|row| *row != 0));
            assert!(rows.iter().all(|row| *row < 0x20));
        }
    }
}

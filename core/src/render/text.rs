//! Text as sprites: a bitmap font is one image whose frames are glyphs, in the order of
//! [`FONT_GLYPHS`] (the wgpu adapter draws it procedurally as `font`, 5 × 7 pixels a glyph).
//! Lower case is drawn as upper case; a character the font lacks is drawn as `?`.

use super::{Color, Frame, ImageId, Layer, Sprite};

/// The font image's name.
pub const FONT: &str = "font";

/// The characters of the font, frame 0 first.
pub const FONT_GLYPHS: &str = " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:!?-+/%()'#=";

/// A glyph's size in font pixels (plus one pixel of spacing after each).
pub const GLYPH: (u32, u32) = (5, 7);

/// The font frame of `c` (upper-cased; `?` for one the font lacks).
pub fn glyph(c: char) -> u32 {
    let upper = c.to_ascii_uppercase();
    let index = FONT_GLYPHS
        .chars()
        .position(|g| g == upper)
        .or_else(|| FONT_GLYPHS.chars().position(|g| g == '?'))
        .unwrap_or(0);
    u32::try_from(index).unwrap_or(0)
}

impl Frame {
    /// Draws `text` on `layer` in `font`, its top-left corner at (x, y), each font pixel
    /// `scale` pixels, tinted `color`; returns the width drawn.
    #[allow(clippy::too_many_arguments)] // a text call names each of these
    pub fn text(
        &mut self,
        font: ImageId,
        layer: Layer,
        x: f32,
        y: f32,
        scale: f32,
        text: &str,
        color: Color,
    ) -> f32 {
        #[allow(clippy::cast_precision_loss)] // 5 and 7
        let (w, h) = (GLYPH.0 as f32 * scale, GLYPH.1 as f32 * scale);
        let advance = w + scale;
        let mut left = x;
        for c in text.chars() {
            if c != ' ' {
                let mut sprite = Sprite::new(layer, font, left + w / 2.0, y + h / 2.0, w, h);
                sprite.frame = glyph(c);
                sprite.tint = color;
                self.draw(sprite);
            }
            left += advance;
        }
        left - x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_map_upper_and_lower_case_and_fall_back_to_a_question_mark() {
        assert_eq!(glyph(' '), 0);
        assert_eq!(glyph('0'), 1);
        assert_eq!(glyph('A'), 11);
        assert_eq!(glyph('a'), 11);
        assert_eq!(glyph('~'), glyph('?'));
        let mut frame = Frame::default();
        let width = frame.text(
            ImageId(3),
            Layer::Ui,
            10.0,
            20.0,
            2.0,
            "Wave 3",
            Color::WHITE,
        );
        assert_eq!(frame.sprites.len(), 5, "no sprite for the space");
        assert!((width - 6.0 * 12.0).abs() < 1e-3);
        assert_eq!(frame.sprites[0].frame, glyph('W'));
        assert!(
            (frame.sprites[0].x - 15.0).abs() < 1e-3 && (frame.sprites[0].y - 27.0).abs() < 1e-3
        );
    }
}

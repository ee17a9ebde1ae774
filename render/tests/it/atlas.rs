//! The atlas: real sprite sheets from PNG, animation frames, bad input.

use std::sync::Arc;

use trystero_core::render::{Color, Frame, Layer, RenderError, Renderer, Sprite};
use trystero_render::{AtlasBuilder, Image, Settings, WgpuRenderer, sprites};

use crate::{draw, gpu};

#[test]
fn a_png_sprite_sheet_is_packed_and_its_frames_drawn() {
    let (gpu, _turn) = gpu();
    // Three 8×8 frames: red, green, blue.
    let mut sheet = Image::new(24, 8);
    for x in 0..24 {
        for y in 0..8 {
            let colour = match x / 8 {
                0 => [255, 0, 0, 255],
                1 => [0, 255, 0, 255],
                _ => [0, 0, 255, 255],
            };
            sheet.set(x, y, colour);
        }
    }
    let mut atlas = AtlasBuilder::new();
    sprites::add_all(&mut atlas);
    let id = atlas
        .add_sheet_png("gem", &sheet.to_png().unwrap(), 8, 8)
        .unwrap();
    let mut renderer =
        WgpuRenderer::offscreen_with_atlas(Arc::clone(&gpu), Settings::default(), atlas).unwrap();
    assert_eq!(renderer.image("gem"), Some(id));
    assert_eq!(renderer.atlas().frames(id), 3);
    let mut frame = Frame::default();
    frame.view.centre = [320.0, 180.0];
    for (index, x) in [100.0, 200.0, 300.0, 400.0].into_iter().enumerate() {
        let mut sprite = Sprite::new(Layer::Game, id, x, 180.0, 40.0, 40.0);
        sprite.frame = index as u32; // the fourth wraps to the first
        frame.draw(sprite);
    }
    frame.draw(Sprite::rect(
        Layer::Game,
        500.0,
        180.0,
        40.0,
        40.0,
        Color::rgb(1.0, 1.0, 0.0),
    ));
    let image = draw(&mut renderer, &[frame]);
    assert_eq!(image.get(100, 180), [255, 0, 0, 255]);
    assert_eq!(image.get(200, 180), [0, 255, 0, 255]);
    assert_eq!(image.get(300, 180), [0, 0, 255, 255]);
    assert_eq!(image.get(400, 180), [255, 0, 0, 255]);
    assert_eq!(image.get(500, 180), [255, 255, 0, 255]);
    // Frames do not bleed into each other at their edges (the one-pixel border).
    assert_eq!(image.get(119, 161), [255, 0, 0, 255]);
}

#[test]
fn bad_images_are_typed_errors() {
    let mut atlas = AtlasBuilder::new();
    assert!(matches!(
        atlas.add_sheet_png("x", b"\x89PNG\r\n\x1a\nnope", 8, 8),
        Err(RenderError::Image(_))
    ));
    let sheet = Image::new(16, 16);
    assert!(matches!(
        atlas.add_sheet("x", &sheet, 32, 8),
        Err(RenderError::Image(_))
    ));
    assert!(matches!(
        atlas.add_sheet("x", &sheet, 0, 8),
        Err(RenderError::Image(_))
    ));
    let mut too_wide = AtlasBuilder::new();
    too_wide.add("wide", Image::new(2_000, 4));
    assert!(matches!(too_wide.build(1_024), Err(RenderError::Image(_))));
    let mut empty = AtlasBuilder::new();
    empty.add_frames("none", vec![]);
    assert!(matches!(empty.build(1_024), Err(RenderError::Image(_))));
    // A PNG claiming a huge size is refused before allocating.
    let mut header = Image::new(1, 1).to_png().unwrap();
    // IHDR width at bytes 16..20: 100 000 (the CRC no longer matches either way).
    header[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(Image::from_png(&header).is_err());
    let round = Image::from_png(&sheet.to_png().unwrap()).unwrap();
    assert_eq!(round, sheet);
}

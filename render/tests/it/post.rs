//! Post-processing: bloom, blur, colour grading (built-in and loaded), FXAA.

use trystero_core::render::{Color, Frame, Grading, Layer, RenderError, Sprite};
use trystero_render::Image;

use crate::{draw, golden, gpu, renderer};

fn frame() -> Frame {
    let mut frame = Frame {
        clear: Color::BLACK,
        ..Frame::default()
    };
    frame.view.centre = [320.0, 180.0];
    frame
}

#[test]
fn bloom_spreads_light_from_bright_pixels() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut scene = frame();
    scene.draw(Sprite::rect(
        Layer::Game,
        320.0,
        180.0,
        20.0,
        20.0,
        Color::rgb(4.0, 3.0, 2.0),
    ));
    scene.draw(Sprite::rect(
        Layer::Game,
        120.0,
        180.0,
        20.0,
        20.0,
        Color::rgb(0.6, 0.6, 0.6),
    ));
    let plain = draw(&mut renderer, &[scene.clone()]);
    scene.post.bloom = 1.0;
    scene.post.bloom_threshold = 1.0;
    let bloomed = draw(&mut renderer, &[scene]);
    golden("bloom", &bloomed);
    // 16 px right of the bright square's edge.
    assert_eq!(plain.get(346, 180)[0], 0);
    assert!(bloomed.get(346, 180)[0] > 40, "{:?}", bloomed.get(346, 180));
    // The dim square (below the threshold) does not bloom.
    assert!(bloomed.get(146, 180)[0] < 5, "{:?}", bloomed.get(146, 180));
}

#[test]
fn blur_smooths_a_checkerboard() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut scene = frame();
    for row in 0..45 {
        for column in 0..80 {
            if (row + column) % 2 == 0 {
                let (x, y) = (column as f32 * 8.0 + 4.0, row as f32 * 8.0 + 4.0);
                scene.draw(Sprite::rect(Layer::Game, x, y, 8.0, 8.0, Color::WHITE));
            }
        }
    }
    let sharp = draw(&mut renderer, &[scene.clone()]);
    scene.post.blur = 8.0;
    let blurred = draw(&mut renderer, &[scene]);
    golden("blur", &blurred);
    let spread = |image: &Image| {
        let values: Vec<f32> = (100..140)
            .flat_map(|y| (200..260).map(move |x| (x, y)))
            .map(|(x, y)| f32::from(image.get(x, y)[0]))
            .collect();
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32).sqrt()
    };
    let (before, after) = (spread(&sharp), spread(&blurred));
    assert!(
        after * 4.0 < before,
        "standard deviation {before} → {after}"
    );
}

#[test]
fn grading_looks_change_colours_as_designed() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut scene = frame();
    let colours = [
        Color::rgb(0.8, 0.1, 0.1),
        Color::rgb(0.1, 0.7, 0.2),
        Color::rgb(0.1, 0.2, 0.9),
        Color::rgb(0.5, 0.5, 0.5),
    ];
    for (index, colour) in colours.iter().enumerate() {
        scene.draw(Sprite::rect(
            Layer::Game,
            80.0 + index as f32 * 160.0,
            180.0,
            140.0,
            300.0,
            *colour,
        ));
    }
    scene.post.grading_strength = 1.0;
    scene.post.grading = Grading::Sepia;
    let sepia = draw(&mut renderer, &[scene.clone()]);
    golden("grading_sepia", &sepia);
    for index in 0..4u32 {
        let [r, g, b, _] = sepia.get(80 + index * 160, 180);
        assert!(
            r >= g && g >= b && r > b + 15,
            "sepia tones: {:?}",
            [r, g, b]
        );
    }
    scene.post.grading = Grading::Night;
    let night = draw(&mut renderer, &[scene.clone()]);
    let [r, _, b, _] = night.get(560, 180); // the grey bar turns blue
    assert!(b > r + 20, "night is blue: {:?}", night.get(560, 180));
    // Half strength lies between neutral and full.
    scene.post.grading_strength = 0.5;
    let half = draw(&mut renderer, &[scene.clone()]);
    scene.post.grading_strength = 0.0;
    let neutral = draw(&mut renderer, &[scene.clone()]);
    let (n, h, f) = (
        neutral.get(560, 180)[2],
        half.get(560, 180)[2],
        night.get(560, 180)[2],
    );
    assert!(n < h && h < f, "{n} < {h} < {f}");

    // A loaded table (the strip layout): inversion.
    let mut strip = Image::new(256, 16);
    for b in 0..16u32 {
        for g in 0..16u32 {
            for r in 0..16u32 {
                let inv = |c: u32| (255 - c * 17) as u8;
                strip.set(b * 16 + r, g, [inv(r), inv(g), inv(b), 255]);
            }
        }
    }
    let look = renderer.load_lut_png(&strip.to_png().unwrap()).unwrap();
    assert_eq!(look, Grading::Custom(0));
    let mut single = frame();
    single.draw(Sprite::rect(
        Layer::Game,
        320.0,
        180.0,
        200.0,
        200.0,
        Color::rgb(0.2, 0.5, 0.8),
    ));
    single.post.grading = look;
    single.post.grading_strength = 1.0;
    let inverted = draw(&mut renderer, &[single]);
    // Linear (0.8, 0.5, 0.2), sRGB-encoded: (231, 188, 124).
    let got = inverted.get(320, 180);
    for (channel, want) in [231u8, 188, 124].into_iter().enumerate() {
        assert!(got[channel].abs_diff(want) <= 6, "inverted {got:?}");
    }
    let wrong = Image::new(64, 64).to_png().unwrap();
    assert!(matches!(
        renderer.load_lut_png(&wrong),
        Err(RenderError::Image(_))
    ));
    assert!(matches!(
        renderer.load_lut_png(b"not a png"),
        Err(RenderError::Image(_))
    ));
}

#[test]
fn fxaa_softens_hard_edges() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut scene = frame();
    let mut bar = Sprite::rect(Layer::Game, 320.0, 180.0, 400.0, 120.0, Color::WHITE);
    bar.rotation = 0.3;
    scene.draw(bar);
    let hard = draw(&mut renderer, &[scene.clone()]);
    scene.post.antialias = true;
    let smooth = draw(&mut renderer, &[scene]);
    golden("fxaa", &smooth);
    let partial = |image: &Image| {
        image
            .pixels
            .chunks_exact(4)
            .filter(|p| p[0] > 20 && p[0] < 235)
            .count()
    };
    let (before, after) = (partial(&hard), partial(&smooth));
    assert!(
        after * 2 > before * 3,
        "partly covered pixels: {before} → {after}"
    );
}

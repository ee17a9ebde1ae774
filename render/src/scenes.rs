//! Ready-made frames: the reference arena scene the golden tests, the benches and the demo
//! share, and small scenes that exercise one feature each.

use trystero_core::render::{
    CameraRig, Color, Frame, Grading, ImageId, Layer, Light, Renderer, Sprite,
};

/// The reference arena, `frame` frames in (60 Hz): a grass field with rocks and trees, the
/// player in the middle of a ring of six running wolves, four torches whose lights the rocks
/// shadow, an explosion at the start, dusk ambient light, bloom, warm grading, FXAA, and
/// hearts in the interface. Sprite names come from the procedural set.
pub fn arena(renderer: &impl Renderer, frame: u32) -> Frame {
    let id = |name: &str| renderer.image(name).unwrap_or(ImageId::WHITE);
    let (grass, rock, tree, torch, wolf, player, heart, glow) = (
        id("grass"),
        id("rock"),
        id("tree"),
        id("torch"),
        id("wolf"),
        id("player"),
        id("heart"),
        id("glow"),
    );
    let mut out = Frame {
        clear: Color::rgb(0.02, 0.02, 0.03),
        ambient: Color::rgb(0.22, 0.22, 0.32),
        ..Frame::default()
    };
    out.view.centre = [320.0, 180.0];
    for row in 0..12 {
        for column in 0..21 {
            let (x, y) = (column as f32 * 32.0 + 16.0, row as f32 * 32.0 + 16.0);
            out.draw(Sprite::new(Layer::Background, grass, x, y, 32.0, 32.0));
        }
    }
    let rocks = [
        (120.0, 90.0),
        (520.0, 100.0),
        (90.0, 280.0),
        (540.0, 270.0),
        (330.0, 60.0),
    ];
    for (x, y) in rocks {
        let mut sprite = Sprite::new(Layer::Game, rock, x, y, 40.0, 40.0);
        sprite.z = y;
        out.draw(sprite);
        out.occlude_box(x - 16.0, y - 10.0, x + 16.0, y + 14.0);
    }
    for (index, (x, y)) in [
        (40.0, 40.0),
        (600.0, 40.0),
        (30.0, 200.0),
        (610.0, 330.0),
        (250.0, 330.0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut sprite = Sprite::new(Layer::Game, tree, x, y, 48.0, 64.0);
        sprite.z = y;
        sprite.flip = index % 2 == 1;
        out.draw(sprite);
    }
    let torches = [
        (200.0, 130.0),
        (450.0, 130.0),
        (200.0, 250.0),
        (450.0, 250.0),
    ];
    for (index, (x, y)) in torches.into_iter().enumerate() {
        let mut sprite = Sprite::new(Layer::Game, torch, x, y, 10.0, 20.0);
        sprite.z = y;
        out.draw(sprite);
        let flicker = 1.0 + 0.08 * ((frame as f32 * 0.37 + index as f32 * 1.7).sin());
        out.add_lighting(Light {
            x,
            y: y - 8.0,
            radius: 190.0,
            color: Color::rgb(1.5 * flicker, 1.0 * flicker, 0.55 * flicker),
            shadows: true,
        });
        let mut halo = Sprite::new(Layer::Effects, glow, x, y - 8.0, 26.0, 26.0);
        halo.tint = Color::rgba(2.0, 1.4, 0.6, 0.7);
        out.draw(halo);
    }
    let centre = [320.0, 190.0];
    let mut hero = Sprite::new(Layer::Game, player, centre[0], centre[1], 40.0, 40.0);
    hero.z = centre[1];
    hero.frame = if frame % 40 < 20 { 3 } else { 0 };
    out.draw(hero);
    for index in 0..6 {
        let angle = index as f32 * std::f32::consts::TAU / 6.0 + frame as f32 * 0.01;
        let (x, y) = (
            centre[0] + angle.cos() * 95.0,
            centre[1] + angle.sin() * 70.0,
        );
        let mut sprite = Sprite::new(Layer::Game, wolf, x, y, 50.0, 30.0);
        sprite.z = y;
        sprite.frame = (frame / 6 + index) % 4;
        sprite.flip = x > centre[0];
        out.draw(sprite);
    }
    if frame == 0 {
        let _ = out.add_particle_effect("explosion", 420.0, 200.0);
    }
    if frame.is_multiple_of(30) {
        let _ = out.add_particle_effect("sparks", 330.0, 185.0);
    }
    for index in 0..3 {
        out.draw(Sprite::new(
            Layer::Ui,
            heart,
            18.0 + index as f32 * 22.0,
            18.0,
            18.0,
            18.0,
        ));
    }
    out.draw(Sprite::rect(
        Layer::Ui,
        96.0,
        340.0,
        180.0,
        8.0,
        Color::rgba(0.1, 0.8, 0.2, 0.9),
    ));
    out.post.bloom = 0.6;
    out.post.bloom_threshold = 0.9;
    out.post.grading = Grading::Warm;
    out.post.grading_strength = 0.6;
    out.post.antialias = true;
    out
}

/// A camera that follows the player and shakes at `seed`, after `frames` frames of the
/// reference arena's motion: its view for frame `frames`.
pub fn shaken_view(seed: u32, frames: u32) -> trystero_core::render::View {
    let mut rig = CameraRig::new([320.0, 180.0], seed);
    rig.shake(0.9, 1.0);
    for _ in 0..frames {
        rig.follow([330.0, 190.0], 1.0 / 60.0);
        rig.update(1.0 / 60.0);
    }
    rig.view()
}

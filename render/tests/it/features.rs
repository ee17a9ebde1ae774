//! Layers, particles, lights and shadows, camera shake, batching and culling.

use trystero_core::render::{Color, Frame, Layer, Light, Renderer, Sprite};
use trystero_render::{Settings, WgpuRenderer};

use crate::{draw, golden, gpu, renderer};

fn screen_frame() -> Frame {
    let mut frame = Frame {
        clear: Color::rgb(0.0, 0.0, 0.0),
        ..Frame::default()
    };
    frame.view.centre = [320.0, 180.0];
    frame
}

/// A white floor over the whole screen with no ambient light: only lights show it.
fn dark_white_floor() -> Frame {
    let mut frame = screen_frame();
    frame.ambient = Color::BLACK;
    let floor = Sprite::rect(Layer::Background, 320.0, 180.0, 640.0, 360.0, Color::WHITE);
    frame.draw(floor);
    frame
}

#[test]
fn layers_draw_in_order_whatever_the_submission_order() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut frame = screen_frame();
    let rect = |layer, w, h, color| Sprite::rect(layer, 320.0, 180.0, w, h, color);
    frame.draw(rect(Layer::Ui, 40.0, 40.0, Color::rgb(1.0, 1.0, 1.0)));
    frame.draw(rect(
        Layer::Effects,
        100.0,
        100.0,
        Color::rgb(0.0, 0.0, 1.0),
    ));
    frame.draw(rect(Layer::Game, 200.0, 150.0, Color::rgb(0.0, 1.0, 0.0)));
    frame.draw(rect(
        Layer::Background,
        300.0,
        200.0,
        Color::rgb(1.0, 0.0, 0.0),
    ));
    // Within a layer, z decides: yellow (z 2) over magenta (z 1), submitted first.
    let mut top = Sprite::rect(
        Layer::Game,
        100.0,
        60.0,
        40.0,
        40.0,
        Color::rgb(1.0, 1.0, 0.0),
    );
    top.z = 2.0;
    let mut under = Sprite::rect(
        Layer::Game,
        110.0,
        60.0,
        40.0,
        40.0,
        Color::rgb(1.0, 0.0, 1.0),
    );
    under.z = 1.0;
    frame.draw(top);
    frame.draw(under);
    let image = draw(&mut renderer, &[frame]);
    assert_eq!(image.get(320, 180), [255, 255, 255, 255], "UI on top");
    assert_eq!(image.get(290, 180), [0, 0, 255, 255], "effects over game");
    assert_eq!(
        image.get(250, 180),
        [0, 255, 0, 255],
        "game over background"
    );
    assert_eq!(image.get(200, 180), [255, 0, 0, 255], "background");
    assert_eq!(
        image.get(100, 60),
        [255, 255, 0, 255],
        "higher z over lower"
    );
    assert_eq!(image.get(125, 60), [255, 0, 255, 255]);
    golden("layers", &image);
}

#[test]
fn particles_are_simulated_counted_limited_and_drawn() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut first = screen_frame();
    first
        .add_particle_effect("explosion", 320.0, 180.0)
        .unwrap();
    let stats = renderer.render(&first).unwrap();
    assert_eq!(stats.particles, 600);
    let rest: Vec<Frame> = (0..19).map(|_| screen_frame()).collect();
    let image = draw(&mut renderer, &rest);
    golden("particles", &image);
    // Bright around the burst, dark far away.
    let near = image.mean(240, 100, 400, 260);
    let far = image.mean(0, 0, 80, 80);
    assert!(
        near[0] > 20.0 && far[0] == 0.0,
        "near {near:?}, far {far:?}"
    );
    // All gone after the longest life (1.2 s).
    let mut last = renderer.render(&screen_frame()).unwrap();
    for _ in 0..60 {
        last = renderer.render(&screen_frame()).unwrap();
    }
    assert_eq!(last.particles, 0);
    assert_eq!(renderer.read_pixels().unwrap().mean(0, 0, 640, 360)[0], 0.0);

    // The limit: three bursts into a pool of 1 000 keep the newest 1 000.
    let mut small = WgpuRenderer::offscreen(
        std::sync::Arc::clone(&gpu),
        Settings {
            particle_limit: 1_000,
            ..Settings::default()
        },
    )
    .unwrap();
    let mut burst = screen_frame();
    for x in [100.0, 300.0, 500.0] {
        burst.add_particle_effect("explosion", x, 180.0).unwrap();
    }
    assert_eq!(small.render(&burst).unwrap().particles, 1_000);
    let image = small.read_pixels().unwrap();
    assert!(
        image.mean(450, 130, 550, 230)[0] > image.mean(50, 130, 150, 230)[0],
        "the oldest burst was replaced"
    );
}

#[test]
fn occluders_cast_shadows_from_lights() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut frame = dark_white_floor();
    frame.add_lighting(Light {
        x: 200.0,
        y: 180.0,
        radius: 250.0,
        color: Color::rgb(1.0, 0.9, 0.7),
        shadows: true,
    });
    frame.occlude_box(300.0, 160.0, 330.0, 200.0);
    frame.draw(Sprite::rect(
        Layer::Game,
        315.0,
        180.0,
        30.0,
        40.0,
        Color::rgb(0.3, 0.3, 0.3),
    ));
    let image = draw(&mut renderer, &[frame.clone()]);
    golden("shadows", &image);
    let lit = image.mean(255, 175, 265, 185)[0]; // between the light and the box
    let behind = image.mean(375, 175, 385, 185)[0]; // 180 px away, behind the box
    let open = image.mean(15, 175, 25, 185)[0]; // 180 px away, nothing between
    assert!(
        lit > open && open > 50.0 && behind < 3.0,
        "lit {lit}, open {open}, behind {behind}"
    );
    // Without shadows the same spot is lit like the open one.
    frame.lights[0].shadows = false;
    let unshadowed = draw(&mut renderer, &[frame]);
    let behind_now = unshadowed.mean(375, 175, 385, 185)[0];
    assert!(
        (behind_now - open).abs() < 8.0,
        "{behind_now} against {open}"
    );
}

#[test]
fn thirty_two_lights_add_up() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut frame = dark_white_floor();
    for index in 0..32 {
        frame.add_lighting(Light {
            x: 40.0 + (index % 8) as f32 * 80.0,
            y: 45.0 + (index / 8) as f32 * 90.0,
            radius: 60.0,
            color: Color::rgb(0.8, 0.6, 0.3),
            shadows: true,
        });
    }
    let stats = renderer.render(&frame).unwrap();
    assert_eq!(stats.lights, 32);
    let image = renderer.read_pixels().unwrap();
    // Every light's centre is lit, the gaps between them are dark.
    for index in 0..32u32 {
        let (x, y) = (40 + (index % 8) * 80, 45 + (index / 8) * 90);
        assert!(image.get(x, y)[0] > 200, "light {index}");
    }
    assert!(image.get(80, 90)[0] < 10);
}

#[test]
fn camera_shake_at_a_fixed_seed_matches_its_golden() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut frame = trystero_render::scenes::arena(&renderer, 1);
    frame.effects.clear();
    frame.post.antialias = false;
    let still = draw(&mut renderer, &[frame.clone()]);
    frame.view = trystero_render::scenes::shaken_view(7, 10);
    assert!(frame.view.rotation != 0.0);
    let shaken = draw(&mut renderer, &[frame]);
    golden("shake", &shaken);
    let difference = shaken.difference(&still, 24);
    assert!(
        difference.mean_error > 5.0,
        "the view moved: {difference:?}"
    );
}

#[test]
fn ten_thousand_sprites_of_one_atlas_take_at_most_four_draw_calls() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let wolf = renderer.image("wolf").unwrap();
    let mut frame = screen_frame();
    for index in 0..10_000u32 {
        let layer = Layer::ALL[(index % 4) as usize];
        let (x, y) = (
            (index % 100) as f32 * 6.4 + 3.0,
            (index / 100) as f32 * 3.6 + 2.0,
        );
        let mut sprite = Sprite::new(layer, wolf, x, y, 12.0, 8.0);
        sprite.frame = index % 4;
        sprite.z = (index % 7) as f32;
        frame.draw(sprite);
    }
    let stats = renderer.render(&frame).unwrap();
    assert_eq!(stats.sprites_drawn, 10_000);
    assert!(stats.draw_calls <= 4, "{stats:?}");
    let image = renderer.read_pixels().unwrap();
    assert!(image.mean(0, 0, 640, 360)[1] > 30.0, "they were drawn");
}

#[test]
fn sprites_off_screen_are_not_submitted() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let rock = renderer.image("rock").unwrap();
    let mut visible = screen_frame();
    for index in 0..100 {
        let x = 20.0 + (index % 20) as f32 * 30.0;
        let y = 40.0 + (index / 20) as f32 * 60.0;
        visible.draw(Sprite::new(Layer::Game, rock, x, y, 24.0, 24.0));
    }
    let mut with_hidden = visible.clone();
    for index in 0..100 {
        // Beyond every edge.
        let (x, y) = match index % 4 {
            0 => (-100.0, 180.0),
            1 => (800.0, 180.0),
            2 => (320.0, -80.0),
            _ => (320.0, 500.0),
        };
        with_hidden.draw(Sprite::new(Layer::Game, rock, x, y, 24.0, 24.0));
    }
    let stats = renderer.render(&with_hidden).unwrap();
    assert_eq!((stats.sprites_drawn, stats.sprites_culled), (100, 100));
    let culled = renderer.read_pixels().unwrap();
    let plain = draw(&mut renderer, &[visible]);
    assert_eq!(culled, plain);
    assert_eq!(renderer.image("no such sprite"), None);
}

#[test]
fn non_finite_values_are_dropped_or_neutral_never_spread() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut clean = trystero_render::scenes::arena(&renderer, 3);
    clean.effects.clear();
    let mut dirty = clean.clone();
    let mut ghost = Sprite::rect(
        Layer::Game,
        300.0,
        180.0,
        50.0,
        50.0,
        Color::rgb(f32::NAN, 1.0, 1.0),
    );
    ghost.tint.a = f32::NAN;
    dirty.draw(ghost);
    dirty.draw(Sprite::rect(
        Layer::Game,
        f32::NAN,
        100.0,
        40.0,
        40.0,
        Color::WHITE,
    ));
    dirty.draw(Sprite::rect(
        Layer::Game,
        100.0,
        100.0,
        f32::INFINITY,
        40.0,
        Color::WHITE,
    ));
    dirty.add_lighting(Light {
        x: 320.0,
        y: 180.0,
        radius: 100.0,
        color: Color::rgb(f32::NAN, f32::INFINITY, 0.0),
        shadows: true,
    });
    dirty.add_lighting(Light {
        x: f32::NAN,
        y: 180.0,
        radius: 100.0,
        color: Color::WHITE,
        shadows: true,
    });
    dirty.occlude_box(f32::NAN, 0.0, 10.0, 10.0);
    dirty
        .add_particle_effect("explosion", f32::NAN, 10.0)
        .unwrap();
    let reference = draw(&mut renderer, &[clean]);
    let image = draw(&mut renderer, &[dirty]);
    let difference = image.difference(&reference, 2);
    assert_eq!(difference.over_threshold, 0, "{difference:?}");
    let mut zoomless = trystero_render::scenes::arena(&renderer, 3);
    zoomless.effects.clear();
    zoomless.view.zoom = f32::NAN;
    assert_eq!(
        draw(&mut renderer, &[zoomless]),
        reference,
        "a NaN zoom draws at 1"
    );
}

#[test]
fn particles_counted_dead_stay_dead_on_the_gpu() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut burst = screen_frame();
    burst
        .add_particle_effect("explosion", 100.0, 180.0)
        .unwrap();
    let mut stats = renderer.render(&burst).unwrap();
    while stats.particles > 0 {
        stats = renderer.render(&screen_frame()).unwrap();
    }
    // A new effect elsewhere with a tiny step: the old burst must not flicker back.
    let mut later = screen_frame();
    later.dt = 0.001;
    later.add_particle_effect("sparks", 540.0, 180.0).unwrap();
    renderer.render(&later).unwrap();
    let image = renderer.read_pixels().unwrap();
    assert_eq!(
        image.mean(0, 80, 280, 280)[0],
        0.0,
        "the old burst came back"
    );
    assert!(
        image.mean(500, 140, 580, 220)[0] > 0.0,
        "the sparks are drawn"
    );
}

#[test]
fn shadows_hold_when_the_lights_see_more_occluders_than_the_buffer_first_held() {
    let (gpu, _turn) = gpu();
    let mut renderer = renderer(&gpu);
    let mut frame = dark_white_floor();
    // 40 dim lights at one spot, each seeing the box and 30 small boxes nearby: 40 × 124
    // segments, well past the 1 024 the occluder buffer starts with.
    for _ in 0..40 {
        frame.add_lighting(Light {
            x: 200.0,
            y: 180.0,
            radius: 250.0,
            color: Color::rgb(0.025, 0.025, 0.025),
            shadows: true,
        });
    }
    frame.occlude_box(300.0, 160.0, 330.0, 200.0);
    for index in 0..30 {
        let y = 10.0 + index as f32 * 11.0;
        frame.occlude_box(60.0, y, 62.0, y + 2.0);
    }
    let image = draw(&mut renderer, &[frame]);
    let behind = image.mean(375, 175, 385, 185)[0];
    let open = image.mean(190, 250, 200, 260)[0];
    assert!(open > 50.0 && behind < 3.0, "open {open}, behind {behind}");
}

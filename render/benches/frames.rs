//! Frame timings on the real adapter (lavapipe here), 640×360, each iteration one whole frame
//! rendered and waited for:
//!
//! - `render/empty`: a frame with nothing in it (the fixed cost of the passes);
//! - `render/arena`: the reference arena scene (goal ≥ 30 fps);
//! - `render/particles_100k`: 100 200 live particles moved and splatted in compute (goal ≤ 8 ms);
//! - `render/lights_32_shadowed` and `render/lights_0`: a ground of 240 tiles with 16 boxes
//!   (64 occluder segments), with 32 shadow-casting lights and with none (goal ≤ 6 ms for the
//!   lights);
//! - `render/sprites_10k`: 10 000 sprites of one atlas on four layers.
//!
//! Run: `cargo bench -p trystero-render --bench frames`. The adapter and Mesa version are
//! printed first.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation
)]

use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use trystero_core::render::{Color, Frame, Layer, Light, Renderer, Sprite};
use trystero_render::{Gpu, Settings, WgpuRenderer, scenes};

fn ground(renderer: &WgpuRenderer) -> Frame {
    let grass = renderer.image("grass").unwrap();
    let mut frame = Frame::default();
    frame.view.centre = [320.0, 180.0];
    for row in 0..12 {
        for column in 0..20 {
            let (x, y) = (column as f32 * 32.0 + 16.0, row as f32 * 32.0 + 16.0);
            frame.draw(Sprite::new(Layer::Background, grass, x, y, 32.0, 32.0));
        }
    }
    frame
}

fn frames(c: &mut Criterion) {
    let gpu = Arc::new(Gpu::new().unwrap());
    let _ = writeln!(std::io::stderr(), "adapter: {}", gpu.describe());
    let mut group = c.benchmark_group("render");
    group.sample_size(20);
    let mut renderer = WgpuRenderer::offscreen(Arc::clone(&gpu), Settings::default()).unwrap();
    let run = |renderer: &mut WgpuRenderer, frame: &Frame| {
        black_box(renderer.render(frame).unwrap());
        renderer.wait().unwrap();
    };

    let empty = Frame::default();
    group.bench_function("empty", |b| b.iter(|| run(&mut renderer, &empty)));

    let mut tick = 0u32;
    group.bench_function("arena", |b| {
        b.iter(|| {
            tick += 1;
            let frame = scenes::arena(&renderer, tick);
            run(&mut renderer, &frame);
        });
    });

    // 167 explosions of 600: 100 200 particles, kept alive by a tiny time step.
    let mut particles = WgpuRenderer::offscreen(Arc::clone(&gpu), Settings::default()).unwrap();
    let mut burst = Frame::default();
    burst.view.centre = [320.0, 180.0];
    for index in 0..167 {
        let (x, y) = (
            40.0 + (index % 14) as f32 * 43.0,
            40.0 + (index / 14) as f32 * 25.0,
        );
        burst.add_particle_effect("explosion", x, y).unwrap();
    }
    burst.dt = 1e-6;
    particles.render(&burst).unwrap();
    let mut still = Frame {
        dt: 1e-6,
        ..Frame::default()
    };
    still.view.centre = [320.0, 180.0];
    assert!(particles.particles_alive() >= 100_000);
    group.bench_function("particles_100k", |b| b.iter(|| run(&mut particles, &still)));

    let mut boxes = ground(&renderer);
    for index in 0..16 {
        let (x, y) = (
            60.0 + (index % 4) as f32 * 160.0,
            50.0 + (index / 4) as f32 * 90.0,
        );
        boxes.occlude_box(x, y, x + 24.0, y + 24.0);
        boxes.draw(Sprite::rect(
            Layer::Game,
            x + 12.0,
            y + 12.0,
            24.0,
            24.0,
            Color::rgb(0.4, 0.4, 0.4),
        ));
    }
    boxes.ambient = Color::rgb(0.1, 0.1, 0.15);
    let dark = boxes.clone();
    group.bench_function("lights_0", |b| b.iter(|| run(&mut renderer, &dark)));
    for index in 0..32 {
        boxes.add_lighting(Light {
            x: 20.0 + (index % 8) as f32 * 80.0,
            y: 20.0 + (index / 8) as f32 * 90.0,
            radius: 120.0,
            color: Color::rgb(0.6, 0.5, 0.3),
            shadows: true,
        });
    }
    group.bench_function("lights_32_shadowed", |b| {
        b.iter(|| run(&mut renderer, &boxes))
    });

    let wolf = renderer.image("wolf").unwrap();
    let mut many = Frame::default();
    many.view.centre = [320.0, 180.0];
    for index in 0..10_000u32 {
        let (x, y) = (
            (index % 100) as f32 * 6.4 + 3.0,
            (index / 100) as f32 * 3.6 + 2.0,
        );
        let mut sprite = Sprite::new(Layer::ALL[(index % 4) as usize], wolf, x, y, 12.0, 8.0);
        sprite.frame = index % 4;
        many.draw(sprite);
    }
    group.bench_function("sprites_10k", |b| b.iter(|| run(&mut renderer, &many)));
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);

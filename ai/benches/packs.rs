//! The seed's "criterion benchmarks for AI": one full AI frame (perception, pack decisions,
//! roles, tokens, steering with separation) for 10 000 wolves in packs of 6 around a moving
//! player, with 8 obstacles (goal ≤ 1 ms a frame on one core).
//!
//! Run: `cargo bench -p trystero-ai --bench packs`.
#![allow(clippy::unwrap_used, missing_docs, clippy::cast_possible_truncation)]

use criterion::{Criterion, criterion_group, criterion_main};
use trystero_ai::{Config, Obstacle, Player, Vec2, Wolves, on_ring};

fn packs(c: &mut Criterion) {
    let config = Config::default();
    let centre = Vec2::new(640 * 60, 360 * 60);
    // 1 667 packs of 6 = 10 002 wolves, dens on rings around the player.
    let dens: Vec<Vec2> = (0..1_667)
        .map(|i| on_ring(centre, (150 + (i % 20) * 40) * 60, i * 7))
        .collect();
    let mut wolves = Wolves::new(&dens, 6, 1);
    let obstacles: Vec<Obstacle> = (0..8)
        .map(|i| Obstacle {
            at: on_ring(centre, 250 * 60, i * 32),
            radius: 30 * 60,
        })
        .collect();
    // Warm up into the stalking and engaging phases.
    let mut frame = 0i32;
    let mut player = Player::default();
    let mut tick = |wolves: &mut Wolves| {
        frame += 1;
        player.at = on_ring(centre, 60 * 60, frame);
        player.velocity = Vec2::new(100, 0);
        wolves.update(&player, &obstacles, &config);
    };
    for _ in 0..300 {
        tick(&mut wolves);
    }
    let mut group = c.benchmark_group("ai");
    group.sample_size(30);
    group.bench_function("wolves_10k", |b| b.iter(|| tick(&mut wolves)));
    group.finish();
}

criterion_group!(benches, packs);
criterion_main!(benches);

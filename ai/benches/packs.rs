//! The seed's "criterion benchmarks for AI": one full AI frame (perception, pack decisions,
//! roles, tokens, steering with separation) for 10 000 wolves in packs of 6 around a moving
//! player, with 8 obstacles (goal ≤ 1 ms a frame on one core).
//!
//! `wolves_10k_terrain` is the same frame with the terrain grid known (chokepoints ahead of
//! the running player, cover for the stalking wolves); `wolves_10k_terrain_stalking` the
//! worst case, every pack told to regroup each frame, so all 10k wolves look for cover and
//! every Alpha calls its flanks.
//!
//! Run: `cargo bench -p trystero-ai --bench packs`.
#![allow(clippy::unwrap_used, missing_docs, clippy::cast_possible_truncation)]

use criterion::{Criterion, criterion_group, criterion_main};
use trystero_ai::{Config, Obstacle, PackMessage, Player, Terrain, Vec2, Wolves, on_ring};

fn packs(c: &mut Criterion) {
    let mut group = c.benchmark_group("ai");
    group.sample_size(30);
    for (name, with_terrain, stalking) in [
        ("wolves_10k", false, false),
        ("wolves_10k_terrain", true, false),
        ("wolves_10k_terrain_stalking", true, true),
    ] {
        let mut tick = world(with_terrain, stalking);
        group.bench_function(name, |b| b.iter(&mut tick));
    }
    group.finish();
}

/// The bench's world, warmed up into the stalking and engaging phases: a closure running one
/// frame.
fn world(with_terrain: bool, stalking: bool) -> impl FnMut() {
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
    let terrain = Terrain::new(Vec2::new(1_280 * 60, 720 * 60), 20 * 60, &obstacles, 3);
    let mut frame = 0i32;
    let mut player = Player::default();
    let mut tick = move || {
        frame += 1;
        player.at = on_ring(centre, 60 * 60, frame);
        player.velocity = Vec2::new(100, 0);
        if stalking {
            for pack in 0..wolves.packs.len() {
                wolves.communicate_with_pack(pack, PackMessage::Regroup);
            }
        }
        let known = with_terrain.then_some(&terrain);
        wolves.update_with_terrain(&player, &obstacles, known, &config);
    };
    for _ in 0..300 {
        tick();
    }
    tick
}

criterion_group!(benches, packs);
criterion_main!(benches);

//! The world's cost per frame: one step of 4 players against 16 and against 64 wolves, and an
//! 8-frame rollback (load the saved state, simulate 8 frames again) of each — what a rollback
//! session asks of the game when inputs arrive 8 frames late. The state is taken 3 seconds into
//! a wave with 4 bots fighting, so the wolves are stalking and striking, not standing.
//!
//! Run: `cargo bench -p trystero-game --bench world`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use trystero_game::{Bot, Phase, Rules, World};
use trystero_netcode::{InputStatus, PlayerInput};

/// A world `wolves` wolves strong, 3 s into its first wave, and the bots' next 8 inputs.
fn fighting(wolves: usize) -> (Rules, World, Vec<Vec<PlayerInput<u16>>>) {
    let mut rules = Rules::new(42);
    rules.first_wave = wolves;
    rules.max_wolves = wolves;
    let mut world = World::new(42, 4, &rules);
    let mut bots: Vec<Bot> = (0..4).map(Bot::new).collect();
    let mut events = Vec::new();
    let inputs = |world: &World, bots: &mut Vec<Bot>| -> Vec<PlayerInput<u16>> {
        bots.iter_mut()
            .map(|bot| PlayerInput {
                input: bot.input(world, &rules),
                status: InputStatus::Confirmed,
            })
            .collect()
    };
    let mut fought = 0;
    while fought < 180 {
        let frame = inputs(&world, &mut bots);
        world.step(&rules, &frame, &mut events);
        if world.phase == Phase::Fighting {
            fought += 1;
        }
    }
    assert!(world.wolves_alive() > wolves / 2, "still a fight");
    let mut ahead = world.clone();
    let mut frames = Vec::new();
    for _ in 0..8 {
        let frame = inputs(&ahead, &mut bots);
        ahead.step(&rules, &frame, &mut events);
        frames.push(frame);
    }
    (rules, world, frames)
}

fn world(c: &mut Criterion) {
    let mut group = c.benchmark_group("world");
    for wolves in [16, 64] {
        let (rules, saved, frames) = fighting(wolves);
        let mut events = Vec::with_capacity(256);
        group.bench_function(format!("step_4_players_{wolves}_wolves"), |b| {
            b.iter_batched_ref(
                || saved.clone(),
                |world| {
                    events.clear();
                    world.step(&rules, &frames[0], &mut events);
                    black_box(world.frame)
                },
                BatchSize::SmallInput,
            );
        });
        let mut world = saved.clone();
        group.bench_function(
            format!("rollback_8_frames_4_players_{wolves}_wolves"),
            |b| {
                b.iter(|| {
                    world.clone_from(&saved);
                    for frame in &frames {
                        events.clear();
                        world.step(&rules, frame, &mut events);
                    }
                    black_box(world.frame)
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, world);
criterion_main!(benches);

//! The character crate's two budgets:
//! - `anim/controllers_100k`: 100 000 controllers stepped for one frame with varied inputs
//!   (moving, attacking, blocking, rolling), no combat (goal ≤ 0.5 ms on one core);
//! - `anim/combat_64`: one combat resolution of 64 fighters, every one with its hitbox out, in a
//!   grid 100 px apart: all 4 032 ordered pairs are tested, few connect (goal ≤ 2 µs);
//! - `anim/combat_64_crowd`: the same in a tight crowd where every pair connects (the worst
//!   case: 4 032 outcomes applied and reported). The arena is restored from a template outside
//!   the timing.
//!
//! Run: `cargo bench -p trystero-anim --bench arena`.
#![allow(clippy::unwrap_used, missing_docs, clippy::cast_possible_truncation)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use trystero_anim::{Arena, Fighter, FrameData, Input, Scratch, State, resolve};

fn inputs(count: usize) -> Vec<Input> {
    (0..count)
        .map(|i| Input::unpack(((i * 2_654_435_761) >> 7) as u16 & 0x1FF))
        .collect()
}

fn arena(c: &mut Criterion) {
    let data = FrameData::default();
    let mut group = c.benchmark_group("anim");

    let mut fighters: Vec<Fighter> = (0..100_000i32)
        .map(|i| Fighter::new(&data, (i % 1_000) * 60, (i / 1_000) * 60, 1))
        .collect();
    let frames = [inputs(100_000), inputs(100_001)[1..].to_vec()];
    let mut turn = 0;
    group.bench_function("controllers_100k", |b| {
        b.iter(|| {
            turn ^= 1;
            for (fighter, input) in fighters.iter_mut().zip(&frames[turn]) {
                fighter.step(*input, &data);
            }
            black_box(&fighters);
        });
    });

    // 64 fighters, all on an active attack frame: in a grid 100 px apart (every pair tested,
    // few connect), and in a tight crowd (every pair connects: the worst case).
    for (name, spacing) in [
        ("combat_64", (6_000, 6_000)),
        ("combat_64_crowd", (300, 200)),
    ] {
        let mut template = Arena::new(64, &data);
        for (index, fighter) in template.fighters.iter_mut().enumerate() {
            fighter.x = 3_000 + (index as i32 % 8) * spacing.0;
            fighter.y = 3_000 + (index as i32 / 8) * spacing.1;
            fighter.facing = if index % 2 == 0 { 1 } else { -1 };
            fighter.state = State::Attack;
            fighter.frame = data.combo[0].startup;
        }
        let (mut scratch, mut events) = (Scratch::default(), Vec::with_capacity(8_192));
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || template.fighters.clone(),
                |fighters| {
                    events.clear();
                    resolve(fighters, &data, &mut scratch, &mut events);
                    black_box(events.len())
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, arena);
criterion_main!(benches);

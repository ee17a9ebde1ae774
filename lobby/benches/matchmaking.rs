//! One matchmaking pass over 100 000 waiting players (goal ≤ 5 ms on this machine), beside a
//! naive sort-and-pair baseline in the same run.
//!
//! The players: ratings around 1500 (a sum of four uniforms, 900 to 2100), 4 modes × 5 regions
//! (20 queues), windows from 100 to 600 (how long each has waited). `match_pass` groups 4 players
//! of one queue that all accept each other; `sort_and_pair` sorts by rating alone and pairs
//! neighbours, ignoring queues and windows (the least any matcher does). Both get a fresh copy
//! of the same input each iteration.
//!
//! Run: `cargo bench -p trystero-lobby --bench matchmaking`.
#![allow(clippy::unwrap_used, missing_docs, clippy::cast_possible_truncation)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use trystero_core::SeededRandom;
use trystero_lobby::{PoolTicket, match_pass};

const PLAYERS: u32 = 100_000;

fn pool() -> Vec<PoolTicket> {
    let mut random = SeededRandom::new(19);
    (0..PLAYERS)
        .map(|id| {
            let rating = (0..4)
                .map(|_| (random.next_u64() % 301) as i32)
                .sum::<i32>()
                + 900;
            PoolTicket {
                id,
                queue: (random.next_u64() % 20) as u32,
                rating,
                window: 100 + (random.next_u64() % 6) as u32 * 100,
            }
        })
        .collect()
}

/// The baseline: sort by rating, pair neighbours.
fn sort_and_pair(tickets: &mut [PoolTicket]) -> Vec<[u32; 2]> {
    tickets.sort_unstable_by_key(|ticket| ticket.rating);
    tickets
        .chunks_exact(2)
        .map(|pair| [pair[0].id, pair[1].id])
        .collect()
}

fn matchmaking(c: &mut Criterion) {
    let tickets = pool();
    let groups = match_pass(&mut tickets.clone(), 4);
    eprintln!(
        "match_pass: {} groups of 4 from {PLAYERS} players",
        groups.len()
    );
    let mut group = c.benchmark_group("matchmaking");
    group.sample_size(50);
    group.bench_function("match_pass_100k", |b| {
        b.iter_batched_ref(
            || tickets.clone(),
            |tickets| match_pass(tickets, 4),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("sort_and_pair_100k", |b| {
        b.iter_batched_ref(
            || tickets.clone(),
            |tickets| sort_and_pair(tickets),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, matchmaking);
criterion_main!(benches);

//! Lobby state updates for a 64-player double-elimination tournament: seeding the bracket, then
//! every result reported until a champion (126 matches, a reset included), each report settling
//! byes and walkovers. One player withdraws midway.
//!
//! Run: `cargo bench -p trystero-lobby --bench tournament`.
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use trystero_lobby::tournament::{Bracket, Format, Slot};

fn run_tournament(ratings: &[i32]) -> u8 {
    let (mut bracket, _) = Bracket::new(Format::DoubleElimination, ratings).unwrap();
    let mut reports = 0;
    while let Some(&id) = bracket.ready().first() {
        let [Slot::Player(a), Slot::Player(b)] = bracket.matches[usize::from(id)].slots else {
            unreachable!()
        };
        // Mostly the better seed, sometimes an upset.
        let winner = if (a ^ b) % 5 == 0 { a.max(b) } else { a.min(b) };
        bracket.report(id, winner).unwrap();
        reports += 1;
        if reports == 40 {
            bracket.withdraw(17);
        }
    }
    bracket.champion().unwrap()
}

fn tournament(c: &mut Criterion) {
    let ratings: Vec<i32> = (0..64).map(|n| 1200 + n * 7).collect();
    let mut group = c.benchmark_group("tournament");
    group.sample_size(30);
    group.bench_function("double_elimination_64_to_champion", |b| {
        b.iter(|| run_tournament(&ratings));
    });
    group.finish();
}

criterion_group!(benches, tournament);
criterion_main!(benches);

//! A 7-frame rollback every tick, side by side: our sync-test session, GGRS 0.13's, and a
//! hand-written floor, all driving the same state (N entities of 32 bytes) and the same step.
//!
//! Per tick, each does 1 load, 7 saves and 8 advances (7 frames resimulated, then the new one):
//! - `rollback/floor/N`: those copies and steps written by hand, no session at all;
//! - `rollback/ours/N`: `SyncTestSession` requests carried out by `Slots` (`clone_from` into
//!   reused slots);
//! - `rollback/ggrs/N`: GGRS's `SyncTestSession` (check distance 7), saves as its docs show
//!   (`cell.save(frame, Some(state.clone()), None)`);
//! - `rollback/ours_checksum/N`: ours, also computing `checksum_words` of the state whenever a
//!   check frame (every 60th, the P2P default) is saved.
//!
//! Run: `cargo bench -p trystero-netcode --bench rollback` (or `cargo xtask bench`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use trystero_netcode::{Slots, SyncTestSession};

type State = Vec<[u64; 4]>;

fn state(n: usize) -> State {
    (0..n as u64).map(|i| [i, i * 3, i * 7, i * 11]).collect()
}

/// The game step: every entity moves by the inputs.
fn step(state: &mut State, inputs: impl Iterator<Item = u8> + Clone) {
    let push: u64 = inputs.map(u64::from).sum();
    for entity in state.iter_mut() {
        entity[0] = entity[0].wrapping_add(entity[2] ^ push);
        entity[1] = entity[1].wrapping_add(entity[3]);
        entity[2] = entity[2].rotate_left(1);
    }
}

fn checksum(state: &State) -> u64 {
    trystero_netcode::checksum_words(state.as_flattened())
}

struct GgrsConfig;

impl ggrs::Config for GgrsConfig {
    type Input = u8;
    type InputPredictor = ggrs::PredictRepeatLast;
    type State = State;
    type Address = usize;
}

const WARM_UP: u32 = 16;

fn rollback(c: &mut Criterion) {
    let mut group = c.benchmark_group("rollback");
    group.sample_size(20);
    for n in [100usize, 1_000, 10_000, 100_000] {
        group.bench_with_input(BenchmarkId::new("floor", n), &n, |b, &n| {
            let mut current = state(n);
            let mut saved: Vec<State> = (0..9).map(|_| state(n)).collect();
            let mut frame = 0usize;
            b.iter(|| {
                // The inputs are opaque to the optimizer, as they are for the sessions.
                let inputs = black_box([1u8, 2]);
                current.clone_from(&saved[frame % 9]);
                for offset in 0..7 {
                    step(&mut current, inputs.into_iter());
                    saved[(frame + offset + 1) % 9].clone_from(&current);
                }
                step(&mut current, inputs.into_iter());
                frame += 1;
                black_box(&current);
            });
        });

        for with_checksum in [false, true] {
            let name = if with_checksum {
                "ours_checksum"
            } else {
                "ours"
            };
            if with_checksum && n != 10_000 {
                continue;
            }
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, &n| {
                let mut session = SyncTestSession::<u8>::new(2, 7);
                let mut current = state(n);
                let mut slots = Slots::new(&current, session.slots());
                let mut requests = Vec::new();
                let mut tick = |session: &mut SyncTestSession<u8>| {
                    session.advance_frame(&[1, 2], &mut requests).unwrap();
                    slots.carry_out(
                        &requests,
                        &mut current,
                        |state, inputs| step(state, inputs.iter().map(|p| p.input)),
                        // What a P2P session asks: the check frames (every 60th).
                        |frame, state, wanted| {
                            if with_checksum && wanted && frame % 60 == 0 {
                                session.report_checksum(frame, &[checksum(state)]);
                            }
                        },
                    );
                };
                for _ in 0..WARM_UP {
                    tick(&mut session);
                }
                b.iter(|| tick(&mut session));
            });
        }

        group.bench_with_input(BenchmarkId::new("ggrs", n), &n, |b, &n| {
            let mut session = ggrs::SessionBuilder::<GgrsConfig>::new()
                .with_num_players(2)
                .unwrap()
                .with_check_distance(7)
                .with_input_delay(0)
                .start_synctest_session()
                .unwrap();
            let mut current = state(n);
            let mut tick = |session: &mut ggrs::SyncTestSession<GgrsConfig>| {
                session.add_local_input(0, 1).unwrap();
                session.add_local_input(1, 2).unwrap();
                for request in session.advance_frame().unwrap() {
                    match request {
                        ggrs::GgrsRequest::SaveGameState { cell, frame } => {
                            cell.save(frame, Some(current.clone()), None);
                        }
                        ggrs::GgrsRequest::LoadGameState { cell, .. } => {
                            current = cell.load().unwrap();
                        }
                        ggrs::GgrsRequest::AdvanceFrame { inputs } => {
                            step(&mut current, inputs.iter().map(|(input, _)| *input));
                        }
                    }
                }
            };
            for _ in 0..WARM_UP {
                tick(&mut session);
            }
            b.iter(|| tick(&mut session));
        });
    }
    group.finish();
}

criterion_group!(benches, rollback);
criterion_main!(benches);

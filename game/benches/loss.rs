//! The loss table: how the match plays when its inputs ride a reliable, ordered channel (what
//! Trystero's one `data` channel is) against an unordered channel without retransmissions (the
//! second channel two Rust peers open), on a simulated 100 ms round trip with 5 % loss.
//!
//! Not a speed figure: a deterministic simulation in virtual time (the netcode's `SimNetwork`),
//! so the same table comes out on every machine. Two bots play ten one-minute matches per
//! channel (seeds 1 to 10); the reliable channel resends a lost datagram after one round trip
//! plus 50 ms (SCTP's fast retransmit under a steady 60 Hz stream) and holds everything behind
//! it until then.
//!
//! Run: `cargo bench -p trystero-game --bench loss`.
#![allow(clippy::print_stdout, clippy::cast_precision_loss, missing_docs)]

use trystero_game::{Counters, bot_match};
use trystero_netcode::SimConfig;

const FRAMES: u32 = 3_600;
const SEEDS: u64 = 10;

struct Row {
    depths: [u64; 32],
    rollbacks: u64,
    stalled: u64,
    waited: u64,
    peer_seconds: f64,
    desyncs: usize,
    finished: usize,
}

fn measure(reliable: Option<u64>) -> Row {
    let mut row = Row {
        depths: [0; 32],
        rollbacks: 0,
        stalled: 0,
        waited: 0,
        peer_seconds: 0.0,
        desyncs: 0,
        finished: 0,
    };
    for seed in 1..=SEEDS {
        let sim = SimConfig {
            latency_ms: 50,
            jitter_ms: 10,
            loss: 0.05,
            reliable,
            ..SimConfig::default()
        };
        for game in bot_match(2, seed, FRAMES, sim, None) {
            let counters: &Counters = game.counters();
            for (total, count) in row.depths.iter_mut().zip(counters.depths) {
                *total += count;
            }
            row.rollbacks += counters.rollbacks();
            row.stalled += counters.stalled;
            row.waited += counters.waited;
            row.desyncs += counters.desyncs.len();
            row.finished += usize::from(game.finished().is_some());
            row.peer_seconds += f64::from(FRAMES) / 60.0;
        }
    }
    row
}

fn percentile(depths: &[u64; 32], per_mille: u64) -> usize {
    let total: u64 = depths.iter().sum();
    let wanted = (total * per_mille).div_ceil(1_000).max(1);
    let mut seen = 0;
    for (depth, count) in depths.iter().enumerate() {
        seen += count;
        if seen >= wanted {
            return depth;
        }
    }
    depths.len() - 1
}

fn main() {
    // `cargo bench` passes `--bench` (and criterion's filters when run with the others).
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    println!(
        "| input channel (100 ms RTT, 5 % loss) | rollback depth p50 | p99 | max | frames stalled waiting for input (per peer-minute) | prediction errors per second | matches finished | desyncs |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, reliable) in [
        ("reliable, ordered (`data`)", Some(150)),
        ("unordered, no retransmits (`data-unordered`)", None),
    ] {
        let row = measure(reliable);
        let max = row.depths.iter().rposition(|c| *c > 0).unwrap_or(0);
        println!(
            "| {name} | {} | {} | {} | {:.1} | {:.2} | {}/{} | {} |",
            percentile(&row.depths, 500),
            percentile(&row.depths, 990),
            max,
            row.stalled as f64 / (row.peer_seconds / 60.0),
            row.rollbacks as f64 / row.peer_seconds,
            row.finished,
            SEEDS * 2,
            row.desyncs,
        );
    }
}

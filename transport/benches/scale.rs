//! Room scale over real WebRTC on loopback (release build): peers in one process, on the
//! in-process relay, with Trystero's real keys.
//!
//! - `mesh/last_join_to_full_mesh/8`: seven peers already meshed, an eighth joins; the time
//!   until it saw the seven join and each of the seven saw it (the 8-peer full mesh, 28
//!   connections).
//!
//! After criterion, one 8-peer mesh is left idle for 10 s and the bench prints the process's CPU
//! time over it (per connection, as a share of one core) and its resident memory per connection
//! (the mesh's growth over the process before it, divided by 28). Those two are not criterion
//! figures: they are read from `/proc/self` around an idle wait, so they vary with the machine's
//! other load.
//!
//! Run: `cargo bench -p trystero-webrtc --bench scale` (or `cargo xtask bench`).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use trystero_core::PeerId;
use trystero_core::room::{Instance, Room};
use trystero_core::signaler::MemoryHub;
use trystero_testkit::rooms;

const PEERS: usize = 8;
const LINKS: usize = PEERS * (PEERS - 1) / 2;

async fn join(hub: &MemoryHub, room: &str) -> (Instance, Room) {
    let instance = rooms::instance(hub.connect());
    let joined = rooms::join(&instance, &[], room).await;
    (instance, joined)
}

/// `count` peers in room `name`, meshed.
async fn mesh(hub: &MemoryHub, name: &str, count: usize) -> (Vec<Instance>, Vec<Room>) {
    let mut instances = Vec::new();
    let mut joined = Vec::new();
    for _ in 0..count {
        let (instance, room) = join(hub, name).await;
        instances.push(instance);
        joined.push(room);
    }
    rooms::full_mesh(&mut joined).await;
    (instances, joined)
}

fn last_join(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("mesh");
    group.sample_size(20);
    group.bench_function(format!("last_join_to_full_mesh/{PEERS}"), |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for round in 0..iterations {
                    let hub = MemoryHub::new();
                    let name = format!("scale-{round}");
                    let (_instances, mut joined) = mesh(&hub, &name, PEERS - 1).await;
                    let earlier: Vec<PeerId> = joined.iter().map(Room::self_id).collect();
                    let start = Instant::now();
                    let (_last, mut room) = join(&hub, &name).await;
                    let last = room.self_id();
                    futures_util::future::join(
                        rooms::joined_all(&mut room, &earlier),
                        futures_util::future::join_all(
                            joined.iter_mut().map(|other| rooms::joined(other, last)),
                        ),
                    )
                    .await;
                    total += start.elapsed();
                }
                total
            })
        });
    });
    group.finish();
}

/// (CPU seconds used by this process so far, resident bytes now), from `/proc/self`.
fn usage() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The fields after the command name (which is in parentheses): utime and stime are 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: f64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // Linux reports CPU time in 100 Hz ticks and memory in 4 KiB pages on this machine kind.
    (ticks / 100.0, pages * 4096.0)
}

fn idle(_: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let hub = MemoryHub::new();
        // Warm the runtime and the allocator with one pair first, so the growth is the mesh's.
        let warm = mesh(&hub, "warm", 2).await;
        drop(warm);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (_, before) = usage();
        let start = Instant::now();
        let (_instances, _joined) = mesh(&hub, "idle", PEERS).await;
        let formed = start.elapsed();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (cpu_start, after) = usage();
        let wall = Instant::now();
        tokio::time::sleep(Duration::from_secs(10)).await;
        let (cpu_end, _) = usage();
        let share = (cpu_end - cpu_start) / wall.elapsed().as_secs_f64();
        println!(
            "scale/idle: {PEERS} peers, {LINKS} connections (formed from nothing in {:.0} ms): \
             idle CPU {:.2} % of a core in all, {:.3} % per connection; resident memory \
             {:.0} KiB per connection ({:.1} MiB for the mesh)",
            formed.as_secs_f64() * 1000.0,
            share * 100.0,
            share * 100.0 / LINKS as f64,
            (after - before) / LINKS as f64 / 1024.0,
            (after - before) / (1024.0 * 1024.0),
        );
    });
}

criterion_group!(benches, last_join, idle);
criterion_main!(benches);

//! Join → peer-joined for two peers on the same loopback relay, Rust beside Trystero JS 0.25.4
//! (Node, node-datachannel), in one run, for each strategy: Nostr (the embedded relay), MQTT
//! (mosquitto) and torrent (npm bittorrent-tracker).
//!
//! - `join/<strategy>/rust_pair`: two in-process Rust instances (the strategy's signaler,
//!   WebRTC transport) join at once; the time until both saw the other.
//! - `join/<strategy>/js_pair`: two Node processes, already started and waiting, are told to
//!   join at once; each reports the milliseconds from its `joinRoom` to its `onPeerJoin`; the
//!   iteration time is the larger (process start-up is excluded, as the Rust side has none).
//!
//! Run: `cargo bench -p trystero --bench join` (needs mosquitto and `npm ci --ignore-scripts`
//! in `interop/`; `.ci/run` installs both). `-- mqtt` runs one strategy.
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use common::rust_instance;
use criterion::{Criterion, criterion_group, criterion_main};
use trystero::relay::EmbeddedRelay;
use trystero::{RoomConfig, RoomEvent, RoomId, Strategy};
use trystero_crypto::TrysteroKeys;
use trystero_testkit::interop_dir;
use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::tracker::Tracker;

async fn until_joined(room: &mut trystero::Room) {
    loop {
        if let Some(RoomEvent::PeerJoined(_)) = room.next_event().await {
            return;
        }
    }
}

fn join_pairs(c: &mut Criterion, runtime: &tokio::runtime::Runtime, strategy: Strategy, url: &str) {
    let mut group = c.benchmark_group("join");
    group.sample_size(10);
    let name = strategy.name();
    let mut round = 0u32;

    group.bench_function(format!("{name}/rust_pair"), |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    round += 1;
                    let room = format!("rust-{round}");
                    let (a, b) = (rust_instance(strategy, url), rust_instance(strategy, url));
                    // Let both relay connections open first, as the JS processes have.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let config = RoomConfig::builder("trystero-bench")
                        .relay_urls([url])
                        .ice_servers(Vec::new())
                        .build()
                        .unwrap();
                    let keys = Arc::new(TrysteroKeys::new(
                        config.app_id(),
                        &RoomId::new(room).unwrap(),
                        "",
                    ));
                    let start = Instant::now();
                    let (mut room_a, mut room_b) = tokio::join!(
                        async { a.join(config.clone(), keys.clone()).await.unwrap() },
                        async { b.join(config.clone(), keys.clone()).await.unwrap() }
                    );
                    tokio::join!(until_joined(&mut room_a), until_joined(&mut room_b));
                    total += start.elapsed();
                }
                total
            })
        });
    });

    let script = interop_dir().join("join.mjs");
    group.bench_function(format!("{name}/js_pair"), |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                round += 1;
                let room = format!("js-{round}");
                let mut peers: Vec<_> = (0..2)
                    .map(|_| {
                        let mut child = Command::new("node")
                            .arg(&script)
                            .args(["--room", &room, "--relay", url, "--strategy", name])
                            .stdin(Stdio::piped())
                            .stdout(Stdio::piped())
                            .stderr(Stdio::null())
                            .spawn()
                            .unwrap();
                        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
                        assert_eq!(lines.next().unwrap().unwrap(), "ready");
                        (child, lines)
                    })
                    .collect();
                // Module loading done; give the WebSocket connections the same head start.
                std::thread::sleep(Duration::from_millis(100));
                for (child, _) in &mut peers {
                    writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
                }
                let slowest = peers
                    .iter_mut()
                    .map(|(_, lines)| lines.next().unwrap().unwrap().parse::<f64>().unwrap())
                    .fold(0.0, f64::max);
                total += Duration::from_secs_f64(slowest / 1000.0);
                for (mut child, _) in peers {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
            total
        });
    });
    group.finish();
}

fn join(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let relay = runtime.block_on(EmbeddedRelay::start(0)).unwrap();
    join_pairs(c, &runtime, Strategy::Nostr, relay.url());
    relay.shutdown();
    let broker = Mosquitto::start();
    join_pairs(c, &runtime, Strategy::Mqtt, &broker.url());
    let tracker = Tracker::start();
    join_pairs(c, &runtime, Strategy::Torrent, &tracker.url());
}

criterion_group!(benches, join);
criterion_main!(benches);

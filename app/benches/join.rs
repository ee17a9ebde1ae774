//! Join → peer-joined for two peers on the same loopback Nostr relay (the embedded one), Rust
//! beside Trystero JS 0.25.4 (Node, node-datachannel), in one run.
//!
//! - `join/rust_pair`: two in-process Rust instances (Nostr signaler, WebRTC transport) join at
//!   once; the time until both saw the other.
//! - `join/js_pair`: two Node processes, already started and waiting, are told to join at once;
//!   each reports the milliseconds from its `joinRoom` to its `onPeerJoin`; the iteration time is
//!   the larger (process start-up is excluded, as the Rust side has none).
//!
//! Run: `cargo bench -p trystero --bench join` (needs `npm ci` in `interop/`).
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use trystero::relay::EmbeddedRelay;
use trystero::{EngineConfig, PeerId, RoomConfig, RoomEvent, RoomId, WebRtcConfig};
use trystero_core::room::driver::Instance;
use trystero_crypto::TrysteroKeys;
use trystero_nostr::NostrSignaler;
use trystero_webrtc::{TokioClock, WebRtcTransport};

fn rust_instance(relay: &str) -> Instance {
    let (instance, driver) = Instance::new(
        PeerId::random().unwrap(),
        NostrSignaler::connect(&[relay.to_owned()]),
        WebRtcTransport::new(WebRtcConfig::loopback()),
        TokioClock::new(),
        EngineConfig::default(),
    );
    tokio::spawn(driver);
    instance
}

async fn until_joined(room: &mut trystero::Room) {
    loop {
        if let Some(RoomEvent::PeerJoined(_)) = room.next_event().await {
            return;
        }
    }
}

fn join(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let relay = runtime.block_on(EmbeddedRelay::start(0)).unwrap();
    let url = relay.url().to_owned();
    let mut group = c.benchmark_group("join");
    group.sample_size(10);
    let mut round = 0u32;

    group.bench_function("rust_pair", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    round += 1;
                    let room = format!("rust-{round}");
                    let (a, b) = (rust_instance(&url), rust_instance(&url));
                    // Let both relay connections open first, as the JS processes have.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let config = RoomConfig::builder("trystero-bench")
                        .relay_urls([url.as_str()])
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

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop/join.mjs");
    group.bench_function("js_pair", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                round += 1;
                let room = format!("js-{round}");
                let mut peers: Vec<_> = (0..2)
                    .map(|_| {
                        let mut child = Command::new("node")
                            .arg(&script)
                            .args(["--room", &room, "--relay", &url])
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
    relay.shutdown();
}

criterion_group!(benches, join);
criterion_main!(benches);

//! Relay traffic: the events per minute each peer of a room publishes to its Nostr relay, Rust
//! beside Trystero JS 0.25.4, while 8 peers join and while they sit idle; and what a flood of
//! forged announcements makes a Rust peer publish. Not criterion: these are counts, not times.
//!
//! Every peer reaches the embedded relay through a counting proxy on 127.0.0.1 (one WebSocket
//! connection per peer), which counts the `["EVENT", …]` messages each connection sends.
//! - `join`: 8 peers start at once in one room; events per peer in the first minute.
//! - `idle`: the same room's second minute.
//! - `flood`: two peers in a room while another client publishes forged announcements (made-up
//!   peer ids) straight to the relay, 200 a second; events per peer in that minute. Rust, then
//!   JS.
//!
//! Run: `cargo bench -p trystero --bench relay_traffic -- [--seconds S] [--flood-only]` (S: the
//! length of each window, default 60; `interop/` installed).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use trystero::relay::EmbeddedRelay;
use trystero::{RoomConfig, RoomId};
use trystero_core::AppId;
use trystero_core::PeerId;
use trystero_core::keys::RoomKeys;
use trystero_core::room::{Instance, Room};
use trystero_core::signaler::Signaler;
use trystero_crypto::TrysteroKeys;
use trystero_nostr::NostrSignaler;
use trystero_testkit::interop_dir;
use trystero_testkit::rooms::instance as spawn;

const APP: &str = "trystero-traffic";
const PEERS: usize = 8;

/// The EVENT messages each proxied connection sent, in connection order.
type Counters = Arc<Mutex<Vec<Arc<AtomicU64>>>>;

/// A WebSocket proxy to `upstream` counting each connection's `EVENT`s; returns its URL.
async fn counting_proxy(upstream: String, counters: Counters) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let count = Arc::new(AtomicU64::new(0));
            counters.lock().unwrap().push(count.clone());
            tokio::spawn(async move {
                let Ok(client) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let Ok((relay, _)) = tokio_tungstenite::connect_async(upstream.as_str()).await
                else {
                    return;
                };
                let (mut to_client, mut from_client) = client.split();
                let (mut to_relay, mut from_relay) = relay.split();
                let up = async {
                    while let Some(Ok(message)) = from_client.next().await {
                        if let Message::Text(text) = &message
                            && text.starts_with("[\"EVENT\"")
                        {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        if to_relay.send(message).await.is_err() {
                            break;
                        }
                    }
                };
                let down = async {
                    while let Some(Ok(message)) = from_relay.next().await {
                        if to_client.send(message).await.is_err() {
                            break;
                        }
                    }
                };
                tokio::select! {
                    () = up => {},
                    () = down => {},
                }
            });
        }
    });
    url
}

fn snapshot(counters: &Counters) -> Vec<u64> {
    counters
        .lock()
        .unwrap()
        .iter()
        .map(|count| count.load(Ordering::Relaxed))
        .collect()
}

/// Per-connection differences between two snapshots, as events per minute.
fn per_minute(before: &[u64], after: &[u64], window: Duration) -> Vec<f64> {
    after
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let earlier = before.get(i).copied().unwrap_or(0);
            (count - earlier) as f64 * 60.0 / window.as_secs_f64()
        })
        .collect()
}

fn summary(rates: &[f64]) -> String {
    let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    let max = rates.iter().copied().fold(0.0, f64::max);
    format!(
        "mean {mean:.1}, max {max:.1} events/min per peer ({} peers)",
        rates.len()
    )
}

/// The first window (the peers joining) and the second (idle), summarised.
async fn join_then_idle(counters: &Counters, window: Duration) -> (String, String) {
    let start = snapshot(counters);
    tokio::time::sleep(window).await;
    let joined = snapshot(counters);
    tokio::time::sleep(window).await;
    let idle = snapshot(counters);
    (
        summary(&per_minute(&start, &joined, window)),
        summary(&per_minute(&joined, &idle, window)),
    )
}

async fn rust_room(relay: &str, room: &str) -> (Instance, Room) {
    let instance = spawn(NostrSignaler::connect(&[relay.to_owned()]));
    let config = RoomConfig::builder(APP)
        .relay_urls([relay])
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    let keys = TrysteroKeys::new(config.app_id(), &RoomId::new(room).unwrap(), "");
    let joined = instance.join(config, Arc::new(keys)).await.unwrap();
    (instance, joined)
}

fn js_peer(relay: &str, room: &str) -> Child {
    Command::new("node")
        .arg(interop_dir().join("peer.mjs"))
        .args(["--room", room, "--relay", relay, "--app", APP])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Two peers already connected through the proxy that `counters` counts: forged announcements
/// in `room`, 200 a second for `window`, straight to `relay`; what each peer published then.
async fn flood(relay: &str, room: &str, counters: &Counters, window: Duration) -> String {
    while counters.lock().unwrap().len() < 2 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let flooder = NostrSignaler::connect(&[relay.to_owned()]);
    let keys = TrysteroKeys::new(&AppId::new(APP).unwrap(), &RoomId::new(room).unwrap(), "");
    let topic = keys.root_topic();
    let before = snapshot(counters);
    let flooding = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        loop {
            tick.tick().await;
            let forged = PeerId::random().unwrap();
            let payload = format!("{{\"peerId\":\"{forged}\"}}");
            let _ = flooder.publish(None, &topic, &payload).await;
        }
    });
    tokio::time::sleep(window).await;
    flooding.abort();
    summary(&per_minute(&before, &snapshot(counters), window))
}

/// Drains a room's events so it never holds its peers back.
fn drain(mut room: Room) {
    tokio::spawn(async move { while room.next_event().await.is_some() {} });
}

/// The join and idle windows: 8 Rust peers, then 8 JS peers, each through a counting proxy.
async fn join_and_idle(relay: &str, window: Duration) {
    // Rust: 8 instances, each its own connection through the proxy.
    let counters = Counters::default();
    let proxy = counting_proxy(relay.to_owned(), counters.clone()).await;
    let mut instances = Vec::new();
    for _ in 0..PEERS {
        let (instance, room) = rust_room(&proxy, "traffic-rust").await;
        drain(room);
        instances.push(instance);
    }
    let (joining, idle) = join_then_idle(&counters, window).await;
    println!("Rust join: {joining}\nRust idle: {idle}");
    drop(instances);

    // JS: 8 Node processes.
    let counters = Counters::default();
    let proxy = counting_proxy(relay.to_owned(), counters.clone()).await;
    let mut children: Vec<Child> = (0..PEERS).map(|_| js_peer(&proxy, "traffic-js")).collect();
    // Module loading: the connections open within a few seconds; count from the first.
    while counters.lock().unwrap().len() < PEERS {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (joining, idle) = join_then_idle(&counters, window).await;
    println!("JS join: {joining}\nJS idle: {idle}");
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = args
        .iter()
        .position(|arg| arg == "--seconds")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(60);
    let window = Duration::from_secs(seconds);
    let relay = EmbeddedRelay::start(0).await.unwrap();
    if !args.iter().any(|arg| arg == "--flood-only") {
        join_and_idle(relay.url(), window).await;
    }

    // Flood: forged announcements straight to the relay, two peers through the proxy.
    let counters = Counters::default();
    let proxy = counting_proxy(relay.url().to_owned(), counters.clone()).await;
    let mut pair = Vec::new();
    for _ in 0..2 {
        let (instance, room) = rust_room(&proxy, "traffic-flood").await;
        drain(room);
        pair.push(instance);
    }
    let rust = flood(relay.url(), "traffic-flood", &counters, window).await;
    println!("Rust under 200 forged announcements a second: {rust}");
    drop(pair);

    let counters = Counters::default();
    let proxy = counting_proxy(relay.url().to_owned(), counters.clone()).await;
    let mut children: Vec<Child> = (0..2)
        .map(|_| js_peer(&proxy, "traffic-flood-js"))
        .collect();
    let js = flood(relay.url(), "traffic-flood-js", &counters, window).await;
    println!("JS under 200 forged announcements a second: {js}");
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
    relay.shutdown();
}

//! Join tails: many joins per strategy, Rust beside Trystero JS 0.25.4, from the same starting
//! state, with percentiles and failures (not criterion: criterion reports no p99 and no
//! failures).
//!
//! Each sample is two peers joining a fresh room at the same moment, timed from the join call
//! to the moment both saw the other (`PeerJoined` / `onPeerJoin`), or a failure after 20 s.
//! Both sides start from the same state: relay connection **open**, no peer connection yet.
//! - Rust: two fresh instances per sample, timed once both report their relay open;
//! - JS: two fresh Node processes per sample (`interop/joins.mjs`; start-up not timed), whose
//!   relay socket a warm-up room opened first. Fresh, because Trystero JS keeps a peer's
//!   connection after a room is left and reuses it for the next room (a 4 ms "join").
//!
//! One real server per strategy on 127.0.0.1, as in the `join` bench: Nostr on the embedded
//! relay, MQTT on mosquitto, torrent on npm bittorrent-tracker.
//!
//! Run: `cargo bench -p trystero --bench joins -- [--joins N] [nostr|mqtt|torrent]...`
//! (default 200 joins, every strategy).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    missing_docs
)]

mod common;

use common::rust_instance;
use std::io::{BufRead, BufReader, Lines, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use trystero::relay::EmbeddedRelay;
use trystero::{RoomConfig, RoomEvent, RoomId, Strategy};
use trystero_core::room::Instance;
use trystero_core::signaler::RelayState;
use trystero_crypto::TrysteroKeys;
use trystero_testkit::interop_dir;
use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::tracker::Tracker;

/// A join that has not completed by then is a failure.
const DEADLINE: Duration = Duration::from_secs(20);

/// One side's samples: join times, and how many failed.
#[derive(Debug, Default)]
struct Samples {
    times: Vec<Duration>,
    failures: usize,
}

impl Samples {
    /// The nearest-rank percentile `p` (0–100) of the successful joins.
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.times.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    fn row(&self, strategy: &str, side: &str) -> String {
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        format!(
            "| {strategy} | {side} | {} | {} | {} | {} | {} | {} |",
            self.times.len() + self.failures,
            ms(self.percentile(50.0)),
            ms(self.percentile(90.0)),
            ms(self.percentile(99.0)),
            ms(self.percentile(100.0)),
            self.failures
        )
    }
}

async fn relay_open(instance: &Instance) {
    while !instance
        .relay_sockets()
        .await
        .iter()
        .all(|(_, state)| *state == RelayState::Open)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn until_joined(room: &mut trystero::Room) {
    while let Some(event) = room.next_event().await {
        if let RoomEvent::PeerJoined(_) = event {
            return;
        }
    }
}

async fn rust_joins(strategy: Strategy, url: &str, joins: usize) -> Samples {
    let mut samples = Samples::default();
    let config = RoomConfig::builder("trystero-bench")
        .relay_urls([url])
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    for round in 0..joins {
        let (a, b) = (rust_instance(strategy, url), rust_instance(strategy, url));
        tokio::join!(relay_open(&a), relay_open(&b));
        let keys = Arc::new(TrysteroKeys::new(
            config.app_id(),
            &RoomId::new(format!("rust-tails-{round}")).unwrap(),
            "",
        ));
        let start = Instant::now();
        let joined = tokio::time::timeout(DEADLINE, async {
            let (mut room_a, mut room_b) = tokio::join!(
                async { a.join(config.clone(), keys.clone()).await.unwrap() },
                async { b.join(config.clone(), keys.clone()).await.unwrap() }
            );
            tokio::join!(until_joined(&mut room_a), until_joined(&mut room_b));
        })
        .await;
        match joined {
            Ok(()) => samples.times.push(start.elapsed()),
            Err(_) => samples.failures += 1,
        }
    }
    samples
}

/// A `joins.mjs` process.
struct JsPeer {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl JsPeer {
    fn spawn(strategy: &str, url: &str) -> Self {
        let mut child = Command::new("node")
            .arg(interop_dir().join("joins.mjs"))
            .args(["--relay", url, "--strategy", strategy])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, lines }
    }

    fn say(&mut self, line: &str) {
        writeln!(self.child.stdin.as_mut().unwrap(), "{line}").unwrap();
    }

    fn answer(&mut self) -> String {
        self.lines.next().unwrap().unwrap()
    }
}

impl Drop for JsPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn js_joins(strategy: &str, url: &str, joins: usize) -> Samples {
    let mut samples = Samples::default();
    for round in 0..joins {
        // Both processes start (and warm up) side by side.
        let mut peers = [JsPeer::spawn(strategy, url), JsPeer::spawn(strategy, url)];
        for peer in &mut peers {
            peer.say("warm");
        }
        for peer in &mut peers {
            assert_eq!(peer.answer(), "ready");
        }
        for peer in &mut peers {
            peer.say(&format!("join js-tails-{round}"));
        }
        let answers: Vec<String> = peers.iter_mut().map(JsPeer::answer).collect();
        let times: Vec<f64> = answers.iter().filter_map(|a| a.parse().ok()).collect();
        if times.len() == 2 {
            samples
                .times
                .push(Duration::from_secs_f64(times[0].max(times[1]) / 1000.0));
        } else {
            samples.failures += 1;
        }
    }
    samples
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut joins = 200;
    let mut only = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--joins" => joins = rest.next().and_then(|n| n.parse().ok()).expect("--joins N"),
            "--bench" => {}
            name @ ("nostr" | "mqtt" | "torrent") => only.push(name.to_owned()),
            _ => {}
        }
    }
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut rows = Vec::new();
    let mut measure = |strategy: Strategy, url: &str| {
        let name = strategy.name();
        println!("joins: {name}, {joins} Rust joins");
        let rust = runtime.block_on(rust_joins(strategy, url, joins));
        rows.push(rust.row(name, "Rust"));
        println!("joins: {name}, {joins} JS joins");
        let js = js_joins(name, url, joins);
        rows.push(js.row(name, "JS"));
        println!("{}\n{}", rows[rows.len() - 2], rows[rows.len() - 1]);
    };
    if wanted("nostr") {
        let relay = runtime.block_on(EmbeddedRelay::start(0)).unwrap();
        measure(Strategy::Nostr, relay.url());
        relay.shutdown();
    }
    if wanted("mqtt") {
        let broker = Mosquitto::start();
        measure(Strategy::Mqtt, &broker.url());
    }
    if wanted("torrent") {
        let tracker = Tracker::start();
        measure(Strategy::Torrent, &tracker.url());
    }
    println!("| strategy | side | joins | p50 | p90 | p99 | max | failures |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
}

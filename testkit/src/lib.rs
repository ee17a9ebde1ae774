//! `trystero-testkit`: the test support the workspace's crates share, as a dev-dependency.
//!
//! - [`free_port`], [`WAIT`] and [`APP`]: a free TCP port on 127.0.0.1, how long a test waits
//!   for anything, and the app id of every test room; [`read_lines`], a child's output as a
//!   channel of lines.
//! - The real servers the integration tests and benches run against, each a struct that starts
//!   one process on 127.0.0.1 and a free port, waits (a bounded wait) until it is ready, gives
//!   its URL and kills the process on drop:
//!   [`mosquitto::Mosquitto`] (Debian's MQTT broker, with a WebSocket listener),
//!   [`tracker::Tracker`] (npm bittorrent-tracker, `interop/tracker.mjs`),
//!   [`nostr_relay::NostrRelay`] (PyPI `nostr-relay` in `interop/.venv`) and
//!   [`coturn::Coturn`] (coturn's `turnserver`, a TURN relay).
//! - Peers as processes: [`peer::Peer`], any program that speaks the `trystero peer`
//!   JSON-lines interface, and [`js_peer`], the Trystero JS peer (`interop/peer.mjs` on Node).
//! - [`rooms`]: Rust peers on any signaler with loopback WebRTC, joining, waiting for joins,
//!   messages and open relays, and two relay-fault scenarios every strategy runs.
//! - [`netlab`]: a simulated network of test hosts in network namespaces, whose links can be
//!   cut, for the fault tests.
//!
//! Invariants: no crate depends on this one except through dev-dependencies (`cargo xtask
//! tidy`); every server listens on 127.0.0.1 only, or on a [`netlab`] host's address; every process it starts is killed when its
//! handle drops. A server that cannot start panics with a message that names it: this is test
//! support, and a failure is a test failure.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![allow(clippy::unwrap_used)] // test support: a failure is a test failure

pub mod coturn;
pub mod js_peer;
pub mod mosquitto;
pub mod netlab;
pub mod nostr_relay;
pub mod peer;
pub mod rooms;
pub mod tracker;
pub mod xvfb;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The app of every test room.
pub const APP: &str = "trystero-rust-test";

/// How long a test waits for anything.
pub const WAIT: Duration = Duration::from_secs(20);

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The lines of `reader` (a child's stdout or stderr), read by a thread of their own until it
/// ends or the receiver is dropped.
pub fn read_lines(reader: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// Reads `lines` (from [`read_lines`]) until one contains `needle`, for at most `within`; that
/// line, or `None` if none came in time (or the child's output ended).
pub fn line_containing(lines: &Receiver<String>, needle: &str, within: Duration) -> Option<String> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let line = lines.recv_timeout(left).ok()?;
        if line.contains(needle) {
            return Some(line);
        }
    }
}

/// The workspace's `interop/` folder: the npm packages (`node_modules`), the Python venv
/// (`.venv`) and the Node scripts (`peer.mjs`, `tracker.mjs`, `join.mjs`).
pub fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop")
}

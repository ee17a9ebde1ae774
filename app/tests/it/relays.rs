//! Real relays on 127.0.0.1 for the tests, each in its own process for one test: the embedded
//! Nostr relay (`trystero relay`, rust-nostr's relay builder), and from `trystero-testkit` an
//! independent one (PyPI `nostr-relay`, which `.ci/run` installs into `interop/.venv`), an MQTT
//! broker (Debian's mosquitto) and a WebTorrent tracker (npm bittorrent-tracker).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use trystero_testkit::free_port;
use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::nostr_relay::NostrRelay;
use trystero_testkit::tracker::Tracker;

/// Which relay implementation a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelayKind {
    /// `trystero relay`.
    Embedded,
    /// PyPI `nostr-relay` 1.14 (uvicorn, SQLite storage, signatures checked).
    Independent,
    /// mosquitto, for the MQTT strategy.
    Mosquitto,
    /// npm bittorrent-tracker, for the torrent strategy.
    Tracker,
}

impl RelayKind {
    /// The `--strategy` that uses this relay.
    pub(crate) fn strategy(self) -> trystero::Strategy {
        match self {
            Self::Embedded | Self::Independent => trystero::Strategy::Nostr,
            Self::Mosquitto => trystero::Strategy::Mqtt,
            Self::Tracker => trystero::Strategy::Torrent,
        }
    }
}

/// A running relay, stopped (and its files removed) on drop.
pub(crate) struct Relay {
    process: Process,
    pub(crate) url: String,
    pub(crate) kind: RelayKind,
}

enum Process {
    /// `trystero relay`, killed on drop.
    Embedded(Child),
    /// Stopped when dropped.
    Independent { _relay: NostrRelay },
    /// Stopped when dropped.
    Mosquitto { _broker: Mosquitto },
    /// Stopped when dropped.
    Tracker { _tracker: Tracker },
}

impl Relay {
    /// `--strategy S --relay URL`, for either kind of peer.
    pub(crate) fn args(&self) -> [&str; 4] {
        [
            "--strategy",
            self.kind.strategy().name(),
            "--relay",
            &self.url,
        ]
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Process::Embedded(child) = &mut self.process {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The embedded relay.
pub(crate) fn relay() -> Relay {
    relay_of(RelayKind::Embedded)
}

pub(crate) fn relay_of(kind: RelayKind) -> Relay {
    let (process, url) = match kind {
        RelayKind::Embedded => return embedded(),
        RelayKind::Independent => {
            let relay = NostrRelay::start();
            let url = relay.url();
            (Process::Independent { _relay: relay }, url)
        }
        RelayKind::Mosquitto => {
            let broker = Mosquitto::start();
            let url = broker.url();
            (Process::Mosquitto { _broker: broker }, url)
        }
        RelayKind::Tracker => {
            let tracker = Tracker::start();
            let url = tracker.url();
            (Process::Tracker { _tracker: tracker }, url)
        }
    };
    Relay { process, url, kind }
}

/// `trystero relay` on a free port, listening once this returns.
fn embedded() -> Relay {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_trystero"))
        .args(["relay", "--port", &port.to_string()])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let relay = Relay {
        process: Process::Embedded(child),
        url: format!("ws://127.0.0.1:{port}"),
        kind: RelayKind::Embedded,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the {:?} relay did not start",
            RelayKind::Embedded
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    relay
}

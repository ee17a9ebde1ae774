//! Real relays on 127.0.0.1 for the tests, each in its own process for one test: the embedded
//! Nostr relay (`trystero relay`, rust-nostr's relay builder), an independent one (PyPI
//! `nostr-relay`, which `.ci/run` installs into `interop/.venv`), and an MQTT broker (Debian's
//! mosquitto, with the MQTT crate's test harness) and a WebTorrent tracker (npm
//! bittorrent-tracker, with the torrent crate's harness).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peer::free_port;

// The MQTT crate's harness, shared rather than copied; these tests use part of it.
#[allow(dead_code)]
#[path = "../../../signaling/mqtt/tests/it/broker.rs"]
pub(crate) mod broker;

use broker::Mosquitto;

// The torrent crate's tracker harness (npm bittorrent-tracker), shared the same way.
#[allow(dead_code)]
#[path = "../../../signaling/torrent/tests/it/server.rs"]
pub(crate) mod server;

use server::Tracker;

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
    Child {
        child: Child,
        dir: Option<PathBuf>,
    },
    /// Stopped when dropped.
    Mosquitto {
        _broker: Mosquitto,
    },
    /// Stopped when dropped.
    Tracker {
        _tracker: Tracker,
    },
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
        if let Process::Child { child, dir } = &mut self.process {
            let _ = child.kill();
            let _ = child.wait();
            if let Some(dir) = dir {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// The embedded relay.
pub(crate) fn relay() -> Relay {
    relay_of(RelayKind::Embedded)
}

pub(crate) fn relay_of(kind: RelayKind) -> Relay {
    if kind == RelayKind::Tracker {
        let tracker = Tracker::start();
        return Relay {
            url: tracker.url(),
            process: Process::Tracker { _tracker: tracker },
            kind,
        };
    }
    if kind == RelayKind::Mosquitto {
        let broker = Mosquitto::start();
        return Relay {
            url: broker.url(),
            process: Process::Mosquitto { _broker: broker },
            kind,
        };
    }
    let port = free_port();
    let (child, dir) = match kind {
        RelayKind::Embedded => {
            let child = Command::new(env!("CARGO_BIN_EXE_trystero"))
                .args(["relay", "--port", &port.to_string()])
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            (child, None)
        }
        RelayKind::Independent => {
            let program =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop/.venv/bin/nostr-relay");
            assert!(
                program.exists(),
                "no {}: run .ci/run (it installs PyPI nostr-relay into interop/.venv)",
                program.display()
            );
            let dir = std::env::temp_dir().join(format!("trystero-nostr-relay-{port}"));
            std::fs::create_dir_all(&dir).unwrap();
            // Events must be signed and small; no proof of work, no rate limits.
            let config = format!(
                "relay_name: trystero test relay\n\
                 storage:\n  sqlalchemy.url: sqlite+aiosqlite:///{db}\n  validators:\n    \
                 - nostr_relay.validators.is_not_too_large\n    \
                 - nostr_relay.validators.is_signed\n\
                 gunicorn:\n  bind: 127.0.0.1:{port}\n  workers: 1\n  loglevel: warning\n  \
                 reload: false\n",
                db = dir.join("nostr.sqlite3").display()
            );
            std::fs::write(dir.join("config.yaml"), config).unwrap();
            // uvicorn rather than gunicorn: one process, so killing it stops the relay.
            let child = Command::new(program)
                .args(["-c", "config.yaml", "serve", "--use-uvicorn"])
                .current_dir(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            (child, Some(dir))
        }
        RelayKind::Mosquitto | RelayKind::Tracker => unreachable!("started above"),
    };
    let relay = Relay {
        process: Process::Child { child, dir },
        url: format!("ws://127.0.0.1:{port}"),
        kind,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the {kind:?} relay did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    relay
}

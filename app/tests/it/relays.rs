//! Real Nostr relays on 127.0.0.1 for the tests, each in its own process for one test: the
//! embedded one (`trystero relay`, rust-nostr's relay builder) and an independent one (PyPI
//! `nostr-relay`, which `.ci/run` installs into `interop/.venv`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peer::free_port;

/// Which relay implementation a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelayKind {
    /// `trystero relay`.
    Embedded,
    /// PyPI `nostr-relay` 1.14 (uvicorn, SQLite storage, signatures checked).
    Independent,
}

/// A running relay, stopped (and its files removed) on drop.
pub(crate) struct Relay {
    child: Child,
    dir: Option<PathBuf>,
    pub(crate) url: String,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The embedded relay.
pub(crate) fn relay() -> Relay {
    relay_of(RelayKind::Embedded)
}

pub(crate) fn relay_of(kind: RelayKind) -> Relay {
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
    };
    let relay = Relay {
        child,
        dir,
        url: format!("ws://127.0.0.1:{port}"),
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

//! An independent Nostr relay on 127.0.0.1, one per test: PyPI `nostr-relay` 1.14 (uvicorn,
//! SQLite storage, signatures checked), which `.ci/run` installs into `interop/.venv`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, interop_dir};

/// A `nostr-relay` process on 127.0.0.1, killed (and its database removed) on drop.
#[derive(Debug)]
pub struct NostrRelay {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl NostrRelay {
    /// A relay that takes signed, small events (no proof of work, no rate limits), listening
    /// once it returns.
    pub fn start() -> Self {
        let program = interop_dir().join(".venv/bin/nostr-relay");
        assert!(
            program.exists(),
            "no {}: run .ci/run (it installs PyPI nostr-relay into interop/.venv)",
            program.display()
        );
        let port = free_port();
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
            .expect("interop/.venv/bin/nostr-relay runs");
        let relay = Self { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the nostr-relay (PyPI) relay did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        relay
    }

    /// The WebSocket URL, `ws://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }
}

impl Drop for NostrRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

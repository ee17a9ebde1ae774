//! npm's bittorrent-tracker server (WebSocket only) on 127.0.0.1, one per test, started by
//! `interop/tracker.mjs` (`.ci/run` installs the npm packages).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::{WAIT, free_port, interop_dir};

/// A bittorrent-tracker process on 127.0.0.1, killed on drop.
#[derive(Debug)]
pub struct Tracker {
    child: Child,
    port: u16,
    extra: Vec<String>,
}

impl Tracker {
    /// A tracker that takes every torrent, listening once it returns.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A tracker with more `interop/tracker.mjs` flags (e.g. `--reject PREFIX`).
    pub fn start_with(extra: &[&str]) -> Self {
        let extra: Vec<String> = extra.iter().map(|arg| (*arg).to_owned()).collect();
        let port = free_port();
        Self {
            child: spawn(port, &extra),
            port,
            extra,
        }
    }

    /// The WebSocket URL, `ws://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// Stops the tracker (it forgets every swarm).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops it and starts a fresh one on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn(self.port, &self.extra);
    }
}

/// Starts `interop/tracker.mjs` and waits for the `listening` line it prints once ready.
fn spawn(port: u16, extra: &[String]) -> Child {
    let script = interop_dir().join("tracker.mjs");
    assert!(
        script
            .with_file_name("node_modules")
            .join("bittorrent-tracker")
            .exists(),
        "run `npm ci --ignore-scripts` in interop/ (.ci/run does)"
    );
    let mut child = Command::new("node")
        .arg(script)
        .arg(port.to_string())
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node is installed (.ci/run installs it)");
    let stdout = child.stdout.take().unwrap();
    // Read the line on a thread so a tracker that hangs before listening fails the test in
    // bounded time instead of blocking it.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    match receiver.recv_timeout(WAIT) {
        Ok(line) => assert_eq!(line.trim(), "listening", "the tracker did not start"),
        Err(_) => {
            let _ = child.kill();
            panic!("the tracker did not start within {WAIT:?}");
        }
    }
    child
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.stop();
    }
}

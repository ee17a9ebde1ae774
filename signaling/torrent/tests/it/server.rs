//! npm's bittorrent-tracker server (WebSocket only) on 127.0.0.1, one per test, started by
//! `interop/tracker.mjs` (`.ci/run` installs the npm packages).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub(crate) struct Tracker {
    child: Child,
    port: u16,
    extra: Vec<String>,
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Tracker {
    pub(crate) fn start() -> Self {
        Self::start_with(&[])
    }

    /// A tracker with more `interop/tracker.mjs` flags (e.g. `--reject PREFIX`).
    pub(crate) fn start_with(extra: &[&str]) -> Self {
        let extra: Vec<String> = extra.iter().map(|arg| (*arg).to_owned()).collect();
        let port = free_port();
        Self {
            child: spawn(port, &extra),
            port,
            extra,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// Stops the tracker (it forgets every swarm).
    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops it and starts a fresh one on the same port.
    pub(crate) fn restart(&mut self) {
        self.stop();
        self.child = spawn(self.port, &self.extra);
    }
}

fn spawn(port: u16, extra: &[String]) -> Child {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop/tracker.mjs");
    let script = if script.exists() {
        script
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop/tracker.mjs")
    };
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
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "listening", "the tracker did not start");
    child
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.stop();
    }
}

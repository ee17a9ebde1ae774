//! `trystero peer --local`: two processes meet through the embedded relay one of them starts,
//! and talk through the documented JSON lines.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub(crate) struct Peer {
    child: Child,
    stdin: ChildStdin,
    pub(crate) lines: Receiver<Value>,
    pub(crate) id: String,
}

impl Peer {
    fn start(port: u16, room: &str, extra: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
        command
            .args([
                "peer",
                "--local",
                "--local-port",
                &port.to_string(),
                "--room",
                room,
            ])
            .args(extra);
        Self::spawn(command)
    }

    /// Starts any program that speaks the `trystero peer` JSON-lines interface.
    pub(crate) fn spawn(mut command: Command) -> Self {
        command.stderr(if std::env::var_os("TRYSTERO_TRACE").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        Self::start_piped(command)
    }

    /// Like [`Peer::spawn`], with stderr piped: take it with [`Peer::take_stderr`] and read it
    /// from another thread (or after the peer exits).
    pub(crate) fn spawn_with_stderr(mut command: Command) -> Self {
        command.stderr(Stdio::piped());
        Self::start_piped(command)
    }

    pub(crate) fn take_stderr(&mut self) -> std::process::ChildStderr {
        self.child.stderr.take().expect("stderr is piped")
    }

    fn start_piped(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: Value = serde_json::from_str(&line).expect("stdout is JSON lines");
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        let mut peer = Self {
            child,
            stdin,
            lines,
            id: String::new(),
        };
        let first = peer.next("self");
        peer.id = first["id"].as_str().unwrap().to_owned();
        assert_eq!(peer.id.len(), 20);
        peer
    }

    pub(crate) fn send(&mut self, line: &Value) {
        writeln!(self.stdin, "{line}").unwrap();
    }

    fn send_raw(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
    }

    /// The next event of this kind (others are skipped), within 20 s.
    pub(crate) fn next(&self, kind: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(value) if value["event"] == kind => return value,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("no {kind:?} event within 20 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("the peer exited before {kind:?}"),
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn two_cli_peers_exchange_json_text_binary_and_ping() {
    let port = free_port();
    let mut a = Peer::start(port, "cli", &[]);
    let mut b = Peer::start(port, "cli", &[]);
    assert_eq!(a.next("join")["peer"], b.id.as_str());
    assert_eq!(b.next("join")["peer"], a.id.as_str());

    a.send(&json!({"send": {"action": "chat", "data": {"hello": "B", "n": 1}, "meta": {"m": 1}}}));
    let message = b.next("message");
    assert_eq!(message["action"], "chat");
    assert_eq!(message["peer"], a.id.as_str());
    assert_eq!(message["data"], json!({"hello": "B", "n": 1}));
    assert_eq!(message["meta"], json!({"m": 1}));

    b.send(&json!({"send": {"action": "chat", "data": "plain string", "to": [a.id]}}));
    let message = a.next("message");
    assert_eq!(message["data"], "plain string");
    assert_eq!(message["meta"], Value::Null);

    a.send(&json!({"send": {"action": "blob", "binary": "AQID"}}));
    assert_eq!(b.next("message")["binary"], "AQID");

    a.send(&json!({"ping": b.id}));
    let pong = a.next("pong");
    assert_eq!(pong["peer"], b.id.as_str());
    assert!(pong["ms"].as_f64().unwrap() < 1000.0);

    // A malformed line is an error event, and the peer keeps working.
    a.send_raw("{not json");
    assert!(
        a.next("error")["message"]
            .as_str()
            .unwrap()
            .contains("not JSON")
    );
    a.send(&json!({"send": {"action": "chat", "data": "still here"}}));
    assert_eq!(b.next("message")["data"], "still here");

    a.send(&json!({"leave": true}));
    assert_eq!(b.next("leave")["peer"], a.id.as_str());
}

#[test]
fn different_passwords_report_a_join_error() {
    let port = free_port();
    let a = Peer::start(port, "locked", &["--password", "one"]);
    let b = Peer::start(port, "locked", &["--password", "two"]);
    // One side fails to decrypt the other's offer.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "no join error");
        let event = a
            .lines
            .recv_timeout(Duration::from_millis(100))
            .or_else(|_| b.lines.recv_timeout(Duration::from_millis(100)));
        if let Ok(event) = event {
            assert_ne!(event["event"], "join", "different passwords must not join");
            if event["event"] == "error" {
                assert_eq!(event["kind"], "join");
                assert!(event["message"].as_str().unwrap().contains("password"));
                break;
            }
        }
    }
}

#[test]
fn bad_flags_fail_with_one_clear_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_trystero"))
        .args(["peer", "--room", "x", "--strategy", "carrier-pigeon"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown strategy"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

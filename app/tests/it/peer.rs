//! `trystero peer --local`: two processes meet through the embedded relay one of them starts,
//! and talk through the documented JSON lines.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trystero_testkit::free_port;
use trystero_testkit::peer::Peer;

/// A `trystero peer --local` on the embedded relay at `port` (the first peer starts it).
pub(crate) fn start(port: u16, room: &str, extra: &[&str]) -> Peer {
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
    Peer::spawn(command)
}

#[test]
fn two_cli_peers_exchange_json_text_binary_and_ping() {
    let port = free_port();
    let mut a = start(port, "cli", &[]);
    let mut b = start(port, "cli", &[]);
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
    let a = start(port, "locked", &["--password", "one"]);
    let b = start(port, "locked", &["--password", "two"]);
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

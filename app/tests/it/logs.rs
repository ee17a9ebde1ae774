//! Logs: a password-protected join, logged at the most verbose level, shows the join as spans
//! and never the password, the signalling key or a session description.

use std::io::Read;
use std::process::Command;

use base64::Engine as _;
use trystero_core::{AppId, RoomId};
use trystero_crypto::sdp_key_bytes;

use trystero_testkit::free_port;
use trystero_testkit::peer::Peer;

const PASSWORD: &str = "hunter2-correct-horse";

/// A `trystero peer` logging everything to a pipe, read by a thread (a full pipe would block
/// the peer); returns the peer and the thread that yields the log once the peer exits.
fn logged_peer(port: u16) -> (Peer, std::thread::JoinHandle<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
    command
        .args(["peer", "--local", "--local-port", &port.to_string()])
        .args([
            "--app",
            "logs-test",
            "--room",
            "secret-room",
            "--password",
            PASSWORD,
        ])
        .env("RUST_LOG", "trace");
    let mut peer = Peer::spawn_with_stderr(command);
    let mut stderr = peer.take_stderr();
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });
    (peer, log)
}

#[test]
fn a_password_protected_join_is_logged_as_spans_without_secrets() {
    let port = free_port();
    let (mut a, a_log) = logged_peer(port);
    let (b, b_log) = logged_peer(port);
    assert_eq!(a.next("join")["peer"], b.id.as_str());
    assert_eq!(b.next("join")["peer"], a.id.as_str());
    a.send(&serde_json::json!({"send": {"action": "chat", "data": "hi"}}));
    b.next("message");
    a.send(&serde_json::json!({"leave": true}));
    b.next("leave");
    drop(a);
    drop(b);
    let log = a_log.join().unwrap() + &b_log.join().unwrap();

    // The join, as spans: the room with its app, room and strategy, then each link's peer.
    assert!(
        log.contains("room{app=logs-test room=secret-room strategy=\"nostr\""),
        "{log}"
    );
    assert!(log.contains("joined; announcing"), "{log}");
    assert!(log.contains(":link{peer="), "{log}");
    assert!(log.contains("peer joined"), "{log}");
    assert!(log.contains("relay{url=ws://127.0.0.1:"), "{log}");
    assert!(log.contains("ICE state"), "{log}");

    // No secret: the password, the AES key (hex or base64), or any SDP line.
    let key = sdp_key_bytes(
        PASSWORD,
        &AppId::new("logs-test").unwrap(),
        &RoomId::new("secret-room").unwrap(),
    );
    let key_hex: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
    let key_b64 = base64::engine::general_purpose::STANDARD.encode(key);
    for secret in [
        PASSWORD,
        &key_hex,
        &key_b64,
        "a=ice-pwd",
        "a=fingerprint",
        "v=0",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}");
    }
}

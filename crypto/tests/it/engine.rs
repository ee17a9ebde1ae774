//! The room engine with the real keys: two engines with Trystero's derivations join when their
//! passwords match and reject each other when they do not.

use std::sync::Arc;
use std::time::Duration;

use trystero_core::keys::RoomKeys;
use trystero_core::room::{Engine, EngineConfig, LinkId, Output, RoomEvent};
use trystero_core::time::Millis;
use trystero_core::{AppId, PeerId, RoomId, SeededRandom};
use trystero_crypto::TrysteroKeys;

fn keys(password: &str) -> TrysteroKeys {
    TrysteroKeys::new(
        &AppId::new("trystero-rust-test").unwrap(),
        &RoomId::new("room1").unwrap(),
        password,
    )
}

/// Runs two engines over one in-memory link; returns the events of each.
fn pair(password_a: &str, password_b: &str) -> [Vec<RoomEvent>; 2] {
    let ids = [
        PeerId::parse("Zk4EuH4FDB2jqJYMw0Ug").unwrap(),
        PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap(),
    ];
    let mut engines = [
        Engine::new(ids[0], SeededRandom::new(1), EngineConfig::default()),
        Engine::new(ids[1], SeededRandom::new(2), EngineConfig::default()),
    ];
    let timeout = Duration::from_secs(10);
    let room = engines[0]
        .join(Millis(0), Arc::new(keys(password_a)), timeout)
        .unwrap();
    engines[1]
        .join(Millis(0), Arc::new(keys(password_b)), timeout)
        .unwrap();
    engines[0]
        .link_opened(Millis(0), LinkId(0), ids[1], room)
        .unwrap();
    engines[1]
        .link_opened(Millis(0), LinkId(0), ids[0], room)
        .unwrap();
    let mut events: [Vec<RoomEvent>; 2] = [Vec::new(), Vec::new()];
    let mut now = Millis(0);
    for _ in 0..2 {
        loop {
            let mut moved = false;
            for side in 0..2 {
                while let Some(output) = engines[side].poll_output() {
                    moved = true;
                    match output {
                        Output::SendFrame { frame, .. } => {
                            engines[1 - side].link_message(now, LinkId(0), &frame);
                        }
                        Output::Event { event, .. } => events[side].push(event),
                        Output::CloseLink { .. } | Output::OpenUnordered { .. } => {}
                    }
                }
            }
            if !moved {
                break;
            }
        }
        now = now.after(timeout);
        engines[0].tick(now);
        engines[1].tick(now);
    }
    events
}

#[test]
fn matching_passwords_join_with_real_keys() {
    let [a, b] = pair("hunter2", "hunter2");
    assert!(matches!(&a[..], [RoomEvent::PeerJoined(_)]), "{a:?}");
    assert!(matches!(&b[..], [RoomEvent::PeerJoined(_)]), "{b:?}");
}

#[test]
fn different_passwords_are_rejected_with_real_keys() {
    let [a, b] = pair("hunter2", "hunter3");
    assert!(
        matches!(&a[..], [RoomEvent::JoinError { error, .. }] if error.contains("incorrect password")),
        "{a:?}"
    );
    assert!(
        matches!(&b[..], [RoomEvent::JoinError { error, .. }] if error.contains("timed out")),
        "{b:?}"
    );
}

#[test]
fn real_keys_derive_the_spec_values() {
    let keys = keys("hunter2");
    assert_eq!(keys.root_topic(), "222j6441452ns4d05p4305d3w1f5g5g3sc36");
    assert_eq!(
        keys.token().as_str(),
        "9302173d192360b032399473746e09bc3d52415204426651551919a5adee9913"
    );
    assert_eq!(
        keys.peer_topic(&PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap()),
        "6p1m2a4p595c57645h212s2a6y6i4d7150295821"
    );
    assert_eq!(
        keys.challenge_response("HN4fG2bXVrkO5DRVj26um70a5mtAO3nNUMmz"),
        "02ee2585b91e9363a5921ff58214337414351f9f0fc7d7ab36a326816e5b79fe"
    );
    let sealed = keys.encrypt("v=0").unwrap();
    assert_eq!(keys.decrypt(&sealed).unwrap(), "v=0");
    assert!(self::keys("").decrypt(&sealed).is_err());
    assert!(keys.has_password() && !self::keys("").has_password());
}

//! The hardened password mode end to end on the in-memory network: two hardened peers with one
//! password meet; a hardened and a plain peer with the same password do not (to the plain one,
//! and to Trystero JS, the hardened peer's password is simply wrong).

use std::time::Duration;

use trystero::memory::Network;
use trystero::{PasswordMode, PeerId, RoomConfig, RoomEvent};

fn config(mode: PasswordMode) -> RoomConfig {
    RoomConfig::builder("hardened-test")
        .password("correct horse")
        .password_mode(mode)
        .build()
        .unwrap()
}

/// The first event that is a join or a join error, within 10 s.
async fn outcome(room: &mut trystero::Room) -> RoomEvent {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match room.next_event().await {
                Some(event @ (RoomEvent::PeerJoined(_) | RoomEvent::JoinError { .. })) => {
                    return event;
                }
                Some(_) => {}
                None => panic!("the room closed"),
            }
        }
    })
    .await
    .expect("a join or a join error")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardened_peers_meet_and_a_plain_one_sees_a_wrong_password() {
    let network = Network::new();
    let (a, b, c) = (
        PeerId::random().unwrap(),
        PeerId::random().unwrap(),
        PeerId::random().unwrap(),
    );
    let mut room_a = network
        .join_room(config(PasswordMode::Hardened), "vault", a)
        .await
        .unwrap();
    let mut room_b = network
        .join_room(config(PasswordMode::Hardened), "vault", b)
        .await
        .unwrap();
    assert!(matches!(outcome(&mut room_a).await, RoomEvent::PeerJoined(peer) if peer == b));
    assert!(matches!(outcome(&mut room_b).await, RoomEvent::PeerJoined(peer) if peer == a));
    room_b.leave().await.unwrap();

    let mut room_c = network
        .join_room(config(PasswordMode::Trystero), "vault", c)
        .await
        .unwrap();
    // Whichever side decrypts the other's offer (the lower id offers) reports the password;
    // nobody joins.
    let error = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let event = tokio::select! {
                event = room_a.next_event() => event,
                event = room_c.next_event() => event,
            };
            match event {
                Some(RoomEvent::JoinError { error, peer }) if peer == a || peer == c => {
                    return error;
                }
                Some(RoomEvent::PeerJoined(peer)) => panic!("{peer} joined with a plain password"),
                Some(_) => {}
                None => panic!("a room closed"),
            }
        }
    })
    .await
    .expect("a join error");
    assert!(error.contains("password"), "{error}");
}

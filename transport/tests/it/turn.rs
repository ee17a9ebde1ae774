//! TURN: Debian's coturn started on 127.0.0.1 with a static user; peers restricted to relayed
//! candidates still connect, both as bare links and as a room.

use std::sync::Arc;
use std::time::Duration;

use trystero_core::room::RoomEvent;
use trystero_core::signaler::MemoryHub;
use trystero_core::transport::{LinkEvent, LinkOptions, PeerLink, PeerTransport};
use trystero_core::wire::Payload;
use trystero_core::{AppId, RoomConfig, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_testkit::coturn::Coturn;
use trystero_webrtc::{WebRtcConfig, WebRtcTransport};

async fn next_open(link: &impl PeerLink) -> LinkEvent {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), link.next_event())
            .await
            .expect("an event within 20 s")
        {
            LinkEvent::LocalCandidate(_) => {}
            event => return event,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_links_connect_through_coturn() {
    let _heavy = super::heavy();
    let coturn = Coturn::start();
    let transport = WebRtcTransport::new(WebRtcConfig::loopback());
    let options = LinkOptions {
        ice_servers: vec![coturn.ice_server()],
        trickle: false,
        relay_only: true,
    };
    let (offerer, offer) = transport.create_offer(&options).await.unwrap();
    assert!(
        offer.contains("typ relay"),
        "relay candidates in the offer:\n{offer}"
    );
    assert!(
        !offer.contains("typ host"),
        "no host candidates when relay-only"
    );
    let (answerer, answer) = transport.accept_offer(&offer, &options).await.unwrap();
    offerer.apply_answer(&answer).await.unwrap();
    assert_eq!(next_open(&offerer).await, LinkEvent::Open);
    assert_eq!(next_open(&answerer).await, LinkEvent::Open);
    offerer.send(b"through the relay".to_vec()).await.unwrap();
    assert_eq!(
        next_open(&answerer).await,
        LinkEvent::Message(b"through the relay".to_vec())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_only_room_joins_and_exchanges() {
    let _heavy = super::heavy();
    let coturn = Coturn::start();
    let hub = MemoryHub::new();
    let config = RoomConfig::builder("trystero-rust-test")
        .ice_servers(vec![coturn.ice_server()])
        .relay_only(true)
        .build()
        .unwrap();
    let keys = Arc::new(TrysteroKeys::new(
        &AppId::new("trystero-rust-test").unwrap(),
        &RoomId::new("turn").unwrap(),
        "",
    ));
    let mut rooms = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let instance = super::room::instance(&hub);
        ids.push(instance.self_id());
        rooms.push((
            instance.join(config.clone(), keys.clone()).await.unwrap(),
            instance,
        ));
    }
    for (room, _) in &mut rooms {
        loop {
            match tokio::time::timeout(Duration::from_secs(30), room.next_event())
                .await
                .expect("joined through the relay within 30 s")
                .unwrap()
            {
                RoomEvent::PeerJoined(_) => break,
                RoomEvent::JoinError { error, .. } => panic!("{error}"),
                _ => {}
            }
        }
    }
    rooms[0]
        .0
        .send("chat", Payload::Text("relayed".into()))
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rooms[1].0.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            RoomEvent::Message(message) => {
                assert_eq!(message.payload, Payload::Text("relayed".into()));
                assert_eq!(message.peer, ids[0]);
                break;
            }
            RoomEvent::Progress { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Relay-only: the peers see their connection go through the TURN relay.
    let peers = rooms[1].0.peers().await;
    assert_eq!(peers.len(), 1);
    assert_eq!(
        peers[0].candidate,
        Some(trystero_core::transport::CandidateType::Relay),
        "{peers:?}"
    );
}

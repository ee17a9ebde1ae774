//! Whole rooms over real WebRTC: the core engine and driver, the in-process relay, the real
//! keys (Trystero's topics, AES-GCM and password proof) and `WebRtcTransport` on loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::future::IntoFuture;
use trystero_core::PeerId;
use trystero_core::room::action::{ActionError, Json};
use trystero_core::room::{Instance, Room, RoomError, RoomEvent, RoomStats};
use trystero_core::signaler::MemoryHub;
use trystero_core::transport::CandidateType;
use trystero_core::wire::{JsonText, Payload};
use trystero_testkit::WAIT;
use trystero_testkit::rooms::{self, join_with_password, next_event as next};

/// An instance on the in-process relay `hub` with real WebRTC on loopback, its driver spawned.
pub(crate) fn instance(hub: &MemoryHub) -> Instance {
    rooms::instance(hub.connect())
}

/// Joins `room` of the test app on the hub, with a password (`""` for none).
async fn join(instance: &Instance, room: &str, password: &str) -> Room {
    join_with_password(instance, &[], room, password).await
}

async fn joined(room: &mut Room, count: usize) -> Vec<PeerId> {
    let mut peers = Vec::new();
    while peers.len() < count {
        match next(room).await {
            RoomEvent::PeerJoined(peer) => peers.push(peer),
            other => panic!("unexpected {other:?}"),
        }
    }
    peers.sort();
    peers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_peers_exchange_json_text_and_binary_with_metadata() {
    let _heavy = super::heavy();
    let hub = MemoryHub::new();
    let peers = [instance(&hub), instance(&hub), instance(&hub)];
    let mut rooms = Vec::new();
    for peer in &peers {
        rooms.push(join(peer, "room1", "").await);
    }
    for (index, room) in rooms.iter_mut().enumerate() {
        let mut expected: Vec<PeerId> = peers
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != index)
            .map(|(_, peer)| peer.self_id())
            .collect();
        expected.sort();
        assert_eq!(joined(room, 2).await, expected);
    }
    let meta = JsonText::parse(r#"{"m":1}"#).unwrap();
    let payloads = [
        Payload::json(&serde_json::json!({"hello": "B", "n": 1})).unwrap(),
        Payload::Text("plain string".into()),
        Payload::Binary(vec![1, 2, 3]),
    ];
    for payload in &payloads {
        rooms[0]
            .send("chat", payload.clone())
            .meta(&meta)
            .await
            .unwrap();
    }
    for room in &mut rooms[1..] {
        for payload in &payloads {
            match next(room).await {
                RoomEvent::Message(message) => {
                    assert_eq!(&message.payload, payload);
                    assert_eq!(message.metadata.as_ref(), Some(&meta));
                    assert_eq!(message.peer, peers[0].self_id());
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    let rtt = rooms[1].ping(peers[2].self_id()).await.unwrap();
    assert!(rtt < Duration::from_secs(1), "{rtt:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_mib_with_progress_on_both_sides() {
    let _heavy = super::heavy();
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, "big", "").await;
    let mut room_b = join(&b, "big", "").await;
    joined(&mut room_a, 1).await;
    joined(&mut room_b, 1).await;
    let data: Vec<u8> = (0..64u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let payload = Payload::Binary(data);
    let sent_progress = Arc::new(Mutex::new(Vec::new()));
    let record = sent_progress.clone();
    let receive = async {
        let mut progress = Vec::new();
        loop {
            match tokio::time::timeout(Duration::from_secs(120), room_b.next_event())
                .await
                .unwrap()
                .unwrap()
            {
                RoomEvent::Progress { progress: p, .. } => progress.push(p),
                RoomEvent::Message(message) => return (progress, message),
                other => panic!("unexpected {other:?}"),
            }
        }
    };
    let (sent, (received_progress, message)) = tokio::join!(
        room_a
            .send("file", payload.clone())
            .progress(move |_, fraction| record
                .lock()
                .unwrap()
                .push((fraction * 255.0).round() as u8))
            .into_future(),
        receive
    );
    sent.unwrap();
    assert!(message.payload == payload, "64 MiB arrive intact");
    let sent_progress = sent_progress.lock().unwrap().clone();
    assert_eq!(sent_progress.len(), 4_106);
    assert_eq!(sent_progress.last(), Some(&255));
    assert!(sent_progress.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(received_progress.len(), 4_105, "every chunk but the last");
    assert!(received_progress.windows(2).all(|w| w[0] <= w[1]));
}

/// The sender runs on a runtime of its own, which is shut down as soon as `leave` resolves (as a
/// process exits after its last line): every frame it sent must reach the receiver anyway.
#[test]
fn a_sender_that_leaves_right_after_sending_delivers_everything() {
    let _heavy = super::heavy();
    let runtime = |threads| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .unwrap()
    };
    let receiver = runtime(1);
    let hub = MemoryHub::new();
    let a = receiver.block_on(async { instance(&hub) });
    let mut room_a = receiver.block_on(join(&a, "flush", ""));
    let payload: Vec<u8> = (0..16u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let sent = payload.clone();
    let sender = std::thread::spawn(move || {
        let sender = runtime(1);
        let left = sender.block_on(async {
            let b = instance(&hub);
            let mut room_b = join(&b, "flush", "").await;
            joined(&mut room_b, 1).await;
            room_b.send("file", Payload::Binary(sent)).await.unwrap();
            let left = room_b.leave().await;
            (b.self_id(), left)
        });
        // Every task of the sender (its driver, its WebRTC stacks) dies here.
        drop(sender);
        left
    });
    let (b, left) = sender.join().unwrap();
    left.expect("leave resolves once the receiver acknowledged everything");
    receiver.block_on(async {
        assert_eq!(joined(&mut room_a, 1).await, [b]);
        match next(&mut room_a).await {
            RoomEvent::Message(message) => {
                assert!(
                    message.payload == Payload::Binary(payload),
                    "16 MiB arrive whole"
                );
            }
            other => panic!("expected the file, got {other:?}"),
        }
        assert!(matches!(next(&mut room_a).await, RoomEvent::PeerLeft(p) if p == b));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_and_rejoin_the_same_room() {
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, "again", "").await;
    let mut room_b = join(&b, "again", "").await;
    joined(&mut room_a, 1).await;
    joined(&mut room_b, 1).await;
    room_b
        .leave()
        .await
        .expect("a acknowledged everything b sent");
    assert!(matches!(next(&mut room_a).await, RoomEvent::PeerLeft(p) if p == b.self_id()));
    let mut room_b = join(&b, "again", "").await;
    assert_eq!(joined(&mut room_b, 1).await, [a.self_id()]);
    assert_eq!(joined(&mut room_a, 1).await, [b.self_id()]);
    let names = room_b.make_action::<String>("name").await.unwrap();
    let mut names_a = room_a.make_action::<String>("name").await.unwrap();
    names.send(&"back".to_owned()).await.unwrap();
    let message = tokio::time::timeout(WAIT, names_a.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.value, "back");
    assert_eq!(names_a.invalid(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_join_error_and_no_data_flows() {
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, "secret", "hunter2").await;
    let mut room_b = join(&b, "secret", "hunter3").await;
    // The answerer cannot decrypt the offer.
    let (event, _) =
        futures_util::future::select(Box::pin(next(&mut room_a)), Box::pin(next(&mut room_b)))
            .await
            .factor_first();
    assert!(
        matches!(&event, RoomEvent::JoinError { error, .. } if error == "incorrect room password when decrypting offer"),
        "{event:?}"
    );
    assert!(room_a.peers().await.is_empty());
    let sent = room_a
        .send("chat", Payload::Text("x".into()))
        .to(b.self_id())
        .await;
    assert!(matches!(sent, Err(ActionError::Room(RoomError::Engine(_)))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_come_with_their_connection_stats() {
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, "stats", "").await;
    let mut room_b = join(&b, "stats", "").await;
    joined(&mut room_a, 1).await;
    joined(&mut room_b, 1).await;
    room_b
        .send("blob", Payload::Binary(vec![9; 100_000]))
        .await
        .unwrap();
    assert!(matches!(next(&mut room_a).await, RoomEvent::Message(_)));
    room_a.ping(b.self_id()).await.unwrap();
    let peers = room_a.peers().await;
    assert_eq!(peers.len(), 1);
    let peer = &peers[0];
    assert_eq!(peer.id, b.self_id());
    assert_eq!(
        peer.candidate,
        Some(CandidateType::Host),
        "loopback: {peer:?}"
    );
    assert!(peer.bytes_received > 100_000, "{peer:?}");
    assert!(peer.bytes_sent > 0, "{peer:?}");
    assert!(peer.rtt.is_some_and(|rtt| rtt < WAIT), "{peer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_json_action_over_webrtc() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Move {
        x: i32,
    }
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, "typed", "").await;
    let mut room_b = join(&b, "typed", "").await;
    let moves_a = room_a.make_action::<Json<Move>>("move").await.unwrap();
    let mut moves_b = room_b.make_action::<Json<Move>>("move").await.unwrap();
    joined(&mut room_a, 1).await;
    joined(&mut room_b, 1).await;
    moves_a.send(&Json(Move { x: 7 })).await.unwrap();
    let message = tokio::time::timeout(WAIT, moves_b.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.value, Json(Move { x: 7 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_vanishing_mid_transfer_fails_the_send() {
    let _heavy = super::heavy();
    let hub = MemoryHub::new();
    let (a, b) = (instance(&hub), instance(&hub));
    let mut room_a = join(&a, "vanish", "").await;
    let mut room_b = join(&b, "vanish", "").await;
    joined(&mut room_a, 1).await;
    joined(&mut room_b, 1).await;
    let target = b.self_id();
    let payload = Payload::Binary(vec![1; 64 << 20]);
    let send = room_a.send("file", payload).to(target).into_future();
    let vanish = async move {
        // Wait until part of the transfer arrived, then drop B entirely.
        loop {
            if let Some(RoomEvent::Progress { progress, .. }) = room_b.next_event().await
                && progress > 20
            {
                break;
            }
        }
        drop(room_b);
        drop(b);
    };
    let (result, ()) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(send, vanish)
    })
    .await
    .expect("the send ends within the timeout");
    assert!(
        matches!(result, Err(ActionError::Room(RoomError::PeerLeft(peer))) if peer == target),
        "{result:?}"
    );
}

/// A sender vanishing mid-transfer: its partial buffer is freed, and the receiver's room and
/// the runtime's tasks return to what they were before the sender came.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_vanishing_mid_transfer_frees_the_partial_buffer() {
    let _heavy = super::heavy();
    let hub = MemoryHub::new();
    let a = instance(&hub);
    let mut room_a = join(&a, "vanish2", "").await;
    let baseline = room_a.stats().await;
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    assert_eq!(baseline, RoomStats::default());

    let b = instance(&hub);
    let room_b = join(&b, "vanish2", "").await;
    joined(&mut room_a, 1).await;
    let sender = b.self_id();
    let payload = Payload::Binary(vec![2; 64 << 20]);
    let sending = tokio::spawn(async move {
        let _ = room_b.send("file", payload).await;
    });
    // Part of it arrives and is buffered...
    loop {
        match next_with_progress(&mut room_a).await {
            RoomEvent::Progress { progress, .. } if progress > 20 => break,
            _ => {}
        }
    }
    let during = room_a.stats().await;
    assert!(
        during.peers == 1
            && during.links == 1
            && during.incoming_transfers == 1
            && during.buffered_bytes > 0,
        "{during:?}"
    );
    // ...then the sender disappears.
    sending.abort();
    drop(b);
    loop {
        match next(&mut room_a).await {
            RoomEvent::PeerLeft(peer) => {
                assert_eq!(peer, sender);
                break;
            }
            RoomEvent::Message(_) => panic!("a partial message must never be delivered"),
            _ => {}
        }
    }
    assert_eq!(
        room_a.buffered_bytes().await,
        0,
        "the partial buffer is freed"
    );
    // The connection's tasks wind down after the leave.
    let settled = tokio::time::timeout(WAIT, async {
        loop {
            let now = room_a.stats().await;
            let alive = tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks();
            if now == baseline && alive <= tasks {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        settled.is_ok(),
        "back to the baseline ({baseline:?}, {tasks} tasks): {:?}, {} tasks",
        room_a.stats().await,
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    );
}

/// The next event, progress included.
async fn next_with_progress(room: &mut Room) -> RoomEvent {
    tokio::time::timeout(WAIT, room.next_event())
        .await
        .expect("an event in time")
        .expect("the driver is running")
}

/// Room scale, the stress case: 16 peers in one room on loopback form the full mesh (120
/// connections in one process), and a message from one reaches the 15 others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_peers_form_the_full_mesh() {
    let hub = MemoryHub::new();
    let instances: Vec<Instance> = (0..16).map(|_| instance(&hub)).collect();
    let mut rooms = Vec::new();
    for peer in &instances {
        rooms.push(join(peer, "sixteen", "").await);
    }
    rooms::full_mesh(&mut rooms).await;
    for room in &rooms {
        assert_eq!(room.peers().await.len(), 15);
    }
    rooms::say(&rooms[0], "to all fifteen").await;
    for room in &mut rooms[1..] {
        assert_eq!(
            rooms::text(room).await,
            Payload::Text("to all fifteen".into())
        );
    }
}

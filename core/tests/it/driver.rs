//! The async driver end to end on the in-memory adapters: an in-process relay, in-memory links
//! and a manual clock. Two instances find each other through the relay, connect, hand-shake,
//! exchange messages, ping, and see each other leave.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use super::keys;
use futures_executor::LocalPool;
use futures_util::task::SpawnExt;
use std::future::IntoFuture;

use trystero_core::room::action::ActionError;
use trystero_core::room::{DropReason, EVENT_QUEUE, EngineConfig, RoomEvent, WRITE_QUEUE};
use trystero_core::room::{Instance, Room, RoomError, RoomStats};
use trystero_core::signaler::{MemoryHub, RelayState};
use trystero_core::time::ManualClock;
use trystero_core::transport::CandidateType;
use trystero_core::transport::MemoryTransport;
use trystero_core::wire::{JsonText, Payload};
use trystero_core::{PeerId, RoomConfig};

struct World {
    pool: LocalPool,
    hub: MemoryHub,
    transport: MemoryTransport,
    clock: ManualClock,
}

impl World {
    fn new() -> Self {
        Self {
            pool: LocalPool::new(),
            hub: MemoryHub::new(),
            transport: MemoryTransport::new(),
            clock: ManualClock::new(),
        }
    }

    fn instance(&mut self) -> Instance {
        self.pausable_instance().0
    }

    /// An instance whose driver can be paused: while paused it reads nothing, and its links
    /// stay open (a peer that is there but stalled).
    fn pausable_instance(&mut self) -> (Instance, Arc<AtomicBool>) {
        let (instance, driver) = Instance::new(
            PeerId::random().unwrap(),
            self.hub.connect(),
            self.transport.clone(),
            self.clock.clone(),
            EngineConfig::default(),
        );
        let paused = Arc::new(AtomicBool::new(false));
        let gate = paused.clone();
        let mut driver = Box::pin(driver);
        self.pool
            .spawner()
            .spawn(std::future::poll_fn(move |cx| {
                if gate.load(Ordering::SeqCst) {
                    // Stay asleep; nothing wakes a paused driver.
                    return Poll::Pending;
                }
                driver.as_mut().poll(cx)
            }))
            .unwrap();
        (instance, paused)
    }
}

fn config() -> RoomConfig {
    RoomConfig::builder("app")
        .ice_servers(Vec::new())
        .build()
        .unwrap()
}

async fn join(instance: &Instance, room: &str, password: &str) -> Room {
    instance
        .join(config(), Arc::new(keys(room, password)))
        .await
        .unwrap()
}

/// `a` and `b` join `room` and see each other.
async fn meet(a: &Instance, b: &Instance, room: &str) -> (Room, Room) {
    let mut room_a = join(a, room, "").await;
    let mut room_b = join(b, room, "").await;
    assert_eq!(
        (room_a.self_id(), room_b.self_id()),
        (a.self_id(), b.self_id())
    );
    assert!(matches!(next(&mut room_a).await, RoomEvent::PeerJoined(p) if p == b.self_id()));
    assert!(matches!(next(&mut room_b).await, RoomEvent::PeerJoined(p) if p == a.self_id()));
    (room_a, room_b)
}

/// The next event that is not receive progress.
async fn next(room: &mut Room) -> RoomEvent {
    loop {
        match room.next_event().await.expect("the driver is running") {
            RoomEvent::Progress { .. } => {}
            event => return event,
        }
    }
}

#[test]
fn two_instances_meet_exchange_ping_and_leave() {
    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    world.pool.run_until(async {
        let mut room_a = join(&a, "lobby", "").await;
        let mut room_b = join(&b, "lobby", "").await;
        assert!(matches!(next(&mut room_a).await, RoomEvent::PeerJoined(p) if p == b.self_id()));
        assert!(matches!(next(&mut room_b).await, RoomEvent::PeerJoined(p) if p == a.self_id()));
        let peers = room_a.peers().await;
        assert_eq!(
            peers.iter().map(|p| p.id).collect::<Vec<_>>(),
            [b.self_id()]
        );
        // The handshake went over the link: bytes both ways, a host connection, no RTT yet.
        assert!(
            peers[0].bytes_sent > 0 && peers[0].bytes_received > 0,
            "{peers:?}"
        );
        assert_eq!(peers[0].candidate, Some(CandidateType::Host));
        assert_eq!(peers[0].rtt, None);
        let sockets = [("memory".to_owned(), RelayState::Open)];
        assert_eq!(room_a.relay_sockets().await, sockets);
        assert_eq!(a.relay_sockets().await, sockets);

        let hello = Payload::json(&serde_json::json!({"hello": "B", "n": 1})).unwrap();
        let meta = JsonText::parse(r#"{"m":1}"#).unwrap();
        room_a
            .send("chat", hello.clone())
            .meta(&meta)
            .await
            .unwrap();
        match next(&mut room_b).await {
            RoomEvent::Message(message) => {
                assert_eq!(message.payload, hello);
                assert_eq!(message.metadata, Some(meta));
                assert_eq!(message.peer, a.self_id());
            }
            other => panic!("unexpected {other:?}"),
        }

        // A large binary goes through the bounded in-memory queues with back-pressure.
        let big = Payload::Binary((0..3_000_000u32).map(|i| i as u8).collect());
        let (sent, received) = futures_util::join!(
            room_b.send("file", big.clone()).into_future(),
            next(&mut room_a)
        );
        sent.unwrap();
        assert!(matches!(received, RoomEvent::Message(m) if m.payload == big));

        let rtt = room_a.ping(b.self_id()).await.unwrap();
        assert_eq!(rtt.as_millis(), 0, "the manual clock did not move");
        let peer = room_a.peers().await.remove(0);
        assert_eq!(
            peer.rtt,
            Some(rtt),
            "the last ping, as memory links measure none"
        );
        assert!(
            peer.bytes_received > 3_000_000,
            "b's 3 MB arrived: {peer:?}"
        );

        room_b.leave().await.expect("a has everything b sent");
        assert!(matches!(next(&mut room_a).await, RoomEvent::PeerLeft(p) if p == b.self_id()));
        assert!(room_a.peers().await.is_empty());
        assert!(matches!(
            room_a.ping(b.self_id()).await,
            Err(RoomError::Engine(_))
        ));
    });
}

#[test]
fn leaving_reports_a_peer_that_stopped_reading() {
    let mut world = World::new();
    let a = world.instance();
    let (b, paused) = world.pausable_instance();
    let clock = world.clock.clone();
    world.pool.run_until(async {
        let (room_a, _room_b) = meet(&a, &b, "lobby").await;
        // b stalls: its connection stays up, but nothing reads what a sends any more.
        paused.store(true, Ordering::SeqCst);
        let text = Payload::Text("anyone?".into());
        room_a.send("chat", text).await.unwrap();
        let advance = async {
            for _ in 0..50 {
                yield_now().await;
            }
            clock.advance(EngineConfig::default().leave_flush_timeout);
        };
        let (left, ()) = futures_util::join!(room_a.leave(), advance);
        assert_eq!(left, Err(RoomError::FlushTimeout(b.self_id())));
    });
}

#[test]
fn a_dropped_room_is_left() {
    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    world.pool.run_until(async {
        let (mut room_a, room_b) = meet(&a, &b, "lobby").await;
        // A second handle on the same room keeps it joined when the first is dropped…
        let second = join(&b, "lobby", "").await;
        let names = room_b.make_action::<String>("name").await.unwrap();
        drop(room_b);
        drop(second);
        names.send(&"still here".to_owned()).await.unwrap();
        assert!(matches!(next(&mut room_a).await, RoomEvent::Message(_)));
        // …and so does an action made from it, until it goes too.
        drop(names);
        assert!(matches!(next(&mut room_a).await, RoomEvent::PeerLeft(p) if p == b.self_id()));
    });
}

#[test]
fn sending_to_an_unknown_peer_is_an_error() {
    let mut world = World::new();
    let a = world.instance();
    world.pool.run_until(async {
        let room = join(&a, "lobby", "").await;
        let stranger = PeerId::random().unwrap();
        let result = room
            .send("chat", Payload::Text("hi".into()))
            .to(stranger)
            .await;
        assert!(
            matches!(result, Err(ActionError::Room(RoomError::Engine(_)))),
            "{result:?}"
        );
    });
}

#[test]
fn a_wrong_password_never_joins() {
    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    world.pool.run_until(async {
        let mut room_a = join(&a, "lobby", "one").await;
        let mut room_b = join(&b, "lobby", "two").await;
        // Whoever answers fails to decrypt the offer.
        let event = futures_util::future::select(
            Box::pin(next(&mut room_a)),
            Box::pin(next(&mut room_b)),
        )
        .await
        .factor_first()
        .0;
        assert!(
            matches!(&event, RoomEvent::JoinError { error, .. } if error.contains("incorrect room password")),
            "{event:?}"
        );
    });
}

#[test]
fn three_instances_form_a_mesh() {
    let mut world = World::new();
    let peers = [world.instance(), world.instance(), world.instance()];
    world.pool.run_until(async {
        let mut rooms = Vec::new();
        for peer in &peers {
            rooms.push(join(peer, "mesh", "").await);
        }
        for room in &mut rooms {
            for _ in 0..2 {
                assert!(matches!(next(room).await, RoomEvent::PeerJoined(_)));
            }
        }
        rooms[2]
            .send("chat", Payload::Text("all".into()))
            .await
            .unwrap();
        for room in &mut rooms[..2] {
            assert!(matches!(next(room).await, RoomEvent::Message(m) if m.payload == Payload::Text("all".into())));
        }
    });
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Move {
    x: i32,
    y: i32,
}

/// Gives the other tasks of the pool a turn.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

#[test]
fn typed_actions_carry_json_text_and_binary_with_js_flags() {
    use trystero_core::room::action::Json;

    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    world.pool.run_until(async {
        let mut room_a = join(&a, "typed", "").await;
        let mut room_b = join(&b, "typed", "").await;
        let moves_a = room_a.make_action::<Json<Move>>("move").await.unwrap();
        let mut moves_b = room_b.make_action::<Json<Move>>("move").await.unwrap();
        let names_a = room_a.make_action::<String>("name").await.unwrap();
        let mut names_b = room_b.make_action::<String>("name").await.unwrap();
        let files_a = room_a.make_action::<Vec<u8>>("file").await.unwrap();
        let mut files_b = room_b.make_action::<Vec<u8>>("file").await.unwrap();
        // A text sent on the JSON action: the receiver reports it, it does not panic.
        let wrong_a = room_a.make_action::<String>("move").await.unwrap();
        assert!(matches!(next(&mut room_a).await, RoomEvent::PeerJoined(_)));
        assert!(matches!(next(&mut room_b).await, RoomEvent::PeerJoined(_)));

        moves_a.send(&Json(Move { x: 1, y: -2 })).await.unwrap();
        let moved = moves_b.recv().await.unwrap();
        assert_eq!(moved.value, Json(Move { x: 1, y: -2 }));
        names_a
            .send(&"Ada".to_owned())
            .meta(serde_json::json!({"v": 2}))
            .await
            .unwrap();
        let named = names_b.recv().await.unwrap();
        assert_eq!(named.value, "Ada");
        assert_eq!(named.metadata.unwrap().get(), "{\"v\":2}");
        assert_eq!(named.peer, a.self_id());
        files_a.send(&vec![0xde, 0xad]).await.unwrap();
        assert_eq!(files_b.recv().await.unwrap().value, [0xde, 0xad]);

        // A text on the JSON action is dropped and counted; the next move still arrives.
        wrong_a.send(&"not a move".to_owned()).await.unwrap();
        moves_a.send(&Json(Move { x: 3, y: 4 })).await.unwrap();
        assert_eq!(
            moves_b.recv().await.unwrap().value,
            Json(Move { x: 3, y: 4 })
        );
        assert_eq!(moves_b.invalid(), 1);

        assert!(matches!(
            room_a.make_action::<String>(&"x".repeat(33)).await,
            Err(ActionError::Name(_))
        ));
    });
}

#[test]
fn senders_see_progress_per_peer_and_receivers_too() {
    use std::sync::Mutex;

    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    world.pool.run_until(async {
        let (room_a, mut room_b) = meet(&a, &b, "progress").await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let payload = Payload::Binary(vec![7; 100_000]);
        let receive = async {
            let mut progress = Vec::new();
            loop {
                match room_b.next_event().await.unwrap() {
                    RoomEvent::Progress { progress: p, .. } => progress.push(p),
                    RoomEvent::Message(m) => return (progress, m),
                    _ => {}
                }
            }
        };
        let (sent, (received_progress, message)) = futures_util::join!(
            room_a
                .send("file", payload.clone())
                .progress(move |peer, fraction| {
                    let byte = (fraction * 255.0).round() as u8;
                    record.lock().unwrap().push((peer, byte));
                })
                .into_future(),
            receive
        );
        sent.unwrap();
        assert_eq!(message.payload, payload);
        let seen = seen.lock().unwrap().clone();
        let bytes: Vec<u8> = seen.iter().map(|(_, byte)| *byte).collect();
        assert_eq!(bytes, [36, 73, 109, 146, 182, 219, 255]);
        assert!(seen.iter().all(|(peer, _)| *peer == b.self_id()));
        assert_eq!(received_progress, [36, 73, 109, 146, 182, 219]);
    });
}

#[test]
fn requests_are_answered_rejected_timed_out_and_disconnected() {
    use std::time::Duration;
    use trystero_core::room::action::Json;
    use trystero_core::room::request::RequestError;

    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    let clock = world.clock.clone();
    let spawner = world.pool.spawner();
    world.pool.run_until(async {
        let mut room_a = join(&a, "rpc", "").await;
        let mut room_b = join(&b, "rpc", "").await;
        let ask = room_a
            .make_request_action::<Json<u32>, Json<u32>>("double")
            .await
            .unwrap();
        let mut serve = room_b
            .make_request_action::<Json<u32>, Json<u32>>("double")
            .await
            .unwrap();
        assert!(matches!(next(&mut room_a).await, RoomEvent::PeerJoined(_)));
        assert!(matches!(next(&mut room_b).await, RoomEvent::PeerJoined(_)));

        // B answers the first request, rejects the second, ignores the third.
        spawner
            .spawn(async move {
                let first = serve.recv().await.unwrap();
                let Ok(Json(n)) = first.value else {
                    panic!("bad request")
                };
                assert_eq!(
                    first.metadata.as_ref().map(JsonText::get),
                    Some(r#"{"k":1}"#)
                );
                first.respond(&Json(n * 2)).await.unwrap();
                let second = serve.recv().await.unwrap();
                second.reject("odd numbers only").await.unwrap();
                let _third = serve.recv().await.unwrap();
                std::future::pending::<()>().await;
            })
            .unwrap();

        let timeout = Duration::from_secs(5);
        let meta = JsonText::parse(r#"{"k":1}"#).unwrap();
        let answer = ask
            .request(&Json(21), b.self_id())
            .meta(meta)
            .timeout(timeout)
            .await;
        assert_eq!(answer.unwrap(), Json(42));
        let rejected = ask.request(&Json(2), b.self_id()).timeout(timeout).await;
        assert_eq!(
            rejected,
            Err(RequestError::Rejected("odd numbers only".into()))
        );

        let unanswered = ask
            .request(&Json(3), b.self_id())
            .timeout(timeout)
            .into_future();
        let advance = async {
            // Let the request go out, then move the clock past its deadline.
            for _ in 0..50 {
                yield_now().await;
            }
            assert_eq!(room_a.stats().await.pending_requests, 1);
            clock.advance(Duration::from_secs(6));
        };
        let (result, ()) = futures_util::join!(unanswered, advance);
        assert_eq!(result, Err(RequestError::Timeout));
        assert_eq!(room_a.stats().await.pending_requests, 0);

        // A request to a peer that leaves fails as disconnected.
        let pending = ask
            .request(&Json(4), b.self_id())
            .timeout(Duration::from_secs(60))
            .into_future();
        let leave = async {
            for _ in 0..50 {
                yield_now().await;
            }
            room_b.leave().await.expect("a has everything b sent");
        };
        let (result, ()) = futures_util::join!(pending, leave);
        assert_eq!(result, Err(RequestError::Disconnected));
    });
}

#[test]
fn two_rooms_between_the_same_peers_share_one_connection() {
    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    let transport = world.transport.clone();
    world.pool.run_until(async {
        let mut one_a = join(&a, "one", "").await;
        let mut one_b = join(&b, "one", "").await;
        assert!(matches!(next(&mut one_a).await, RoomEvent::PeerJoined(_)));
        assert!(matches!(next(&mut one_b).await, RoomEvent::PeerJoined(_)));
        let mut two_a = join(&a, "two", "").await;
        let mut two_b = join(&b, "two", "").await;
        assert!(matches!(next(&mut two_a).await, RoomEvent::PeerJoined(p) if p == b.self_id()));
        assert!(matches!(next(&mut two_b).await, RoomEvent::PeerJoined(p) if p == a.self_id()));
        // Room one saw nothing: no churn from a second connection replacing the first.
        two_a
            .send("chat", Payload::Text("in two".into()))
            .await
            .unwrap();
        assert!(matches!(next(&mut two_b).await, RoomEvent::Message(m) if m.payload == Payload::Text("in two".into())));
        one_b
            .send("chat", Payload::Text("in one".into()))
            .await
            .unwrap();
        assert!(matches!(next(&mut one_a).await, RoomEvent::Message(m) if m.payload == Payload::Text("in one".into())));
        assert_eq!(transport.offers_made(), 1, "one WebRTC connection for both rooms");
    });
}

/// Everything published on the relay while peers `peer(1)` and `peer(2)` meet in a room, their
/// drivers drawing from `SeededRandom::new(seed)`, as an observer on the relay sees it.
fn signalling_of_a_meeting(seed: u64) -> Vec<String> {
    use trystero_core::SeededRandom;
    use trystero_core::keys::RoomKeys;
    use trystero_core::signaler::Signaler;

    let mut world = World::new();
    let keys = keys("seeded", "");
    let observer = world.hub.connect();
    let [a, b] = [1, 2].map(|n| {
        let (instance, driver) = Instance::with_random(
            super::peer(n),
            world.hub.connect(),
            world.transport.clone(),
            world.clock.clone(),
            SeededRandom::new(seed + u64::from(n)),
            EngineConfig::default(),
        );
        world.pool.spawner().spawn(driver).unwrap();
        instance
    });
    world.pool.run_until(async {
        for topic in [
            keys.root_topic(),
            keys.peer_topic(&a.self_id()),
            keys.peer_topic(&b.self_id()),
        ] {
            observer.subscribe(&topic).await.unwrap();
        }
        meet(&a, &b, "seeded").await;
    });
    let mut seen = Vec::new();
    while let Some(Some(message)) = world
        .pool
        .run_until(async { futures_util::FutureExt::now_or_never(observer.recv()) })
    {
        seen.push(message.payload);
    }
    seen
}

#[test]
fn seeded_randomness_makes_the_signalling_repeatable() {
    let first = signalling_of_a_meeting(40);
    assert!(
        first.iter().any(|payload| payload.contains("\"offerId\"")),
        "an offer went through the relay: {first:?}"
    );
    assert_eq!(first, signalling_of_a_meeting(40));
    // The offer ids come from the seed.
    assert_ne!(first, signalling_of_a_meeting(41));
}

/// Two of our peers open their connection's second, unordered channel by themselves; a send
/// that asks for it goes there when the message is one small frame, and on the reliable
/// channel otherwise (with metadata, or too large).
#[test]
fn two_instances_open_the_unordered_channel_and_small_messages_use_it() {
    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    let transport = world.transport.clone();
    world.pool.run_until(async {
        let (room_a, mut room_b) = meet(&a, &b, "arena").await;
        // `@_features` crossed, the leader opened the channel: a ping round trip later both
        // ends know.
        room_a.ping(b.self_id()).await.unwrap();
        room_b.ping(a.self_id()).await.unwrap();
        assert!(room_a.peers().await[0].unordered);
        assert!(room_b.peers().await[0].unordered);
        assert_eq!(
            transport.unordered_frames_sent(),
            0,
            "nothing sent on it yet"
        );

        let small = Payload::Binary(vec![7; 300]);
        room_a
            .send("inputs", small.clone())
            .unordered()
            .await
            .unwrap();
        match next(&mut room_b).await {
            RoomEvent::Message(message) => {
                assert_eq!(message.payload, small);
                assert_eq!(message.peer, a.self_id());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(transport.unordered_frames_sent(), 1);

        // Too large for one datagram, or two chunks with its metadata: the reliable channel.
        let large = Payload::Binary(vec![9; 4_000]);
        room_a
            .send("inputs", large.clone())
            .unordered()
            .await
            .unwrap();
        let meta = JsonText::parse("1").unwrap();
        room_a
            .send("inputs", small.clone())
            .meta(&meta)
            .unordered()
            .await
            .unwrap();
        for expected in [large, small] {
            match next(&mut room_b).await {
                RoomEvent::Message(message) => assert_eq!(message.payload, expected),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(transport.unordered_frames_sent(), 1, "both went reliably");
        // Without asking, nothing goes unordered.
        room_a
            .send("inputs", Payload::Text("x".into()))
            .await
            .unwrap();
        assert!(matches!(next(&mut room_b).await, RoomEvent::Message(_)));
        assert_eq!(transport.unordered_frames_sent(), 1);
    });
}

/// A user that stops reading its room's events holds the room's peers back (their sends wait)
/// instead of queueing events without bound; once it reads again, every message arrives, in
/// order.
#[test]
fn unread_events_hold_the_peers_back_and_lose_nothing() {
    use std::sync::atomic::AtomicUsize;

    const COUNT: usize = 3 * EVENT_QUEUE;
    let mut world = World::new();
    let (a, b) = (world.instance(), world.instance());
    let spawner = world.pool.spawner();
    world.pool.run_until(async {
        let (room_a, mut room_b) = meet(&a, &b, "backlog").await;
        let sent = Arc::new(AtomicUsize::new(0));
        let (sender, counter) = (room_a.sender(), sent.clone());
        spawner
            .spawn(async move {
                for i in 0..COUNT {
                    let payload = Payload::Binary(u32::try_from(i).unwrap().to_le_bytes().to_vec());
                    sender.send("n", payload).await.unwrap();
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            })
            .unwrap();
        for _ in 0..20_000 {
            yield_now().await;
        }
        // b reads nothing: its queue stops near the mark, and a's sends wait.
        let waiting = room_b.pending_events();
        assert!(
            (EVENT_QUEUE..EVENT_QUEUE + 8).contains(&waiting),
            "{waiting} events waiting"
        );
        assert!(
            sent.load(Ordering::SeqCst) < COUNT,
            "a's sends were never held back"
        );
        let mut next_expected = 0;
        while next_expected < COUNT {
            if let RoomEvent::Message(message) = next(&mut room_b).await {
                let Payload::Binary(bytes) = message.payload else {
                    panic!("binary expected");
                };
                assert_eq!(bytes, u32::try_from(next_expected).unwrap().to_le_bytes());
                next_expected += 1;
            }
        }
        // The last message arrived, so its send resolved (or is about to, once a's task runs).
        yield_now().await;
        assert_eq!(sent.load(Ordering::SeqCst), COUNT);
        drop(room_a);
    });
}

/// A peer that stops reading while our engine frames to it pile up (here: pings) is dropped
/// with a clear event once [`WRITE_QUEUE`] wait, instead of the frames queueing without bound.
#[test]
fn a_peer_that_stops_reading_is_dropped_when_our_frames_pile_up() {
    use futures_util::FutureExt;

    let mut world = World::new();
    let a = world.instance();
    let (b, b_paused) = world.pausable_instance();
    let spawner = world.pool.spawner();
    world.pool.run_until(async {
        let (mut room_a, _room_b) = meet(&a, &b, "stalled").await;
        b_paused.store(true, Ordering::SeqCst);
        let failed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // The stalled peer answers no ping: the first waits for its pong.
        let first = {
            let (sender, failed, peer) = (room_a.sender(), failed.clone(), b.self_id());
            async move {
                if sender.ping(peer).await.is_err() {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
        };
        spawner.spawn(first).unwrap();
        for _ in 0..10 {
            yield_now().await;
        }
        assert_eq!(room_a.stats().await.pending_pings, 1);
        // More pings than the link's own queue (64 frames) and the writer's together hold.
        for _ in 0..2 * WRITE_QUEUE + 64 {
            let (sender, failed, peer) = (room_a.sender(), failed.clone(), b.self_id());
            spawner
                .spawn(async move {
                    if sender.ping(peer).await.is_err() {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .unwrap();
        }
        let mut events = Vec::new();
        for _ in 0..10_000 {
            yield_now().await;
            while let Some(Some(event)) = room_a.next_event().now_or_never() {
                events.push(event);
            }
            if events.len() >= 2 {
                break;
            }
        }
        let b_id = b.self_id();
        assert!(
            matches!(
                events.as_slice(),
                [
                    RoomEvent::PeerDropped { peer, reason: DropReason::Unresponsive },
                    RoomEvent::PeerLeft(left),
                ] if *peer == b_id && *left == b_id
            ),
            "{events:?}"
        );
        for _ in 0..100 {
            yield_now().await;
        }
        // Every ping ends: the ones queued behind the stalled link fail with the peer gone.
        assert_eq!(failed.load(Ordering::SeqCst), 2 * WRITE_QUEUE + 64 + 1);
        assert!(room_a.peers().await.is_empty());
        // Nothing of b is left: no peer, link, ping or queued event.
        assert_eq!(room_a.stats().await, RoomStats::default());
    });
}

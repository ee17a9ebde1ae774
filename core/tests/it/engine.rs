//! The room engine, deterministic: several engines wired by an in-memory network under a manual
//! clock. Covers the handshake, password mismatch and timeout, leave/rejoin, two rooms over one
//! connection, link loss, idle close, pending-peer filtering, and the exact first frames.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use trystero_core::keys::{KeyError, RoomKeys};
use trystero_core::room::{Engine, EngineConfig, EngineError, LinkId, Output, RoomEvent};
use trystero_core::time::Millis;
use trystero_core::wire::{ActionType, Payload, chunks};
use trystero_core::{PeerId, RoomToken, SeededRandom};

use super::keys;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Engines connected by in-memory links that deliver frames in order.
struct Net {
    engines: Vec<Engine>,
    /// (engine, its link id) → (other engine, its link id)
    wires: BTreeMap<(usize, LinkId), (usize, LinkId)>,
    next_link: u64,
    now: Millis,
    events: Vec<(usize, RoomToken, RoomEvent)>,
    sent: Vec<(usize, Vec<u8>)>,
    /// Engines standing in for Trystero JS peers: their `@_features` frames are not delivered.
    plain: Vec<usize>,
    /// Second channels opened: (engine that asked, its link).
    unordered: Vec<(usize, LinkId)>,
}

impl Net {
    /// Peers with ids in ascending order: engine 0 has the lowest id.
    fn new(count: usize) -> Self {
        let engines = (0..count)
            .map(|i| {
                let id = PeerId::parse(&format!("peer{i:016}")).unwrap();
                Engine::new(id, SeededRandom::new(i as u64), EngineConfig::default())
            })
            .collect();
        Self {
            engines,
            wires: BTreeMap::new(),
            next_link: 1,
            now: Millis(0),
            events: Vec::new(),
            sent: Vec::new(),
            plain: Vec::new(),
            unordered: Vec::new(),
        }
    }

    fn id(&self, engine: usize) -> PeerId {
        self.engines[engine].self_id()
    }

    fn join(&mut self, engine: usize, room: &str, password: &str) -> RoomToken {
        let keys = keys(room, password);
        let token = self.engines[engine]
            .join(self.now, Arc::new(keys), TIMEOUT)
            .unwrap();
        self.run();
        token
    }

    /// Opens a link between `a` and `b`, made for `room` (as the signalling layer would).
    fn connect(&mut self, a: usize, b: usize, room: RoomToken) -> (LinkId, LinkId) {
        let (la, lb) = (LinkId(self.next_link), LinkId(self.next_link + 1));
        self.next_link += 2;
        self.wires.insert((a, la), (b, lb));
        self.wires.insert((b, lb), (a, la));
        let (id_a, id_b) = (self.id(a), self.id(b));
        self.engines[a]
            .link_opened(self.now, la, id_b, room)
            .unwrap();
        self.engines[b]
            .link_opened(self.now, lb, id_a, room)
            .unwrap();
        self.run();
        (la, lb)
    }

    /// Carries out every output until nothing moves.
    fn run(&mut self) {
        loop {
            let mut moved = false;
            for index in 0..self.engines.len() {
                while let Some(output) = self.engines[index].poll_output() {
                    moved = true;
                    match output {
                        Output::SendFrame { link, frame } => {
                            self.sent.push((index, frame.clone()));
                            let features = frame
                                .windows(ActionType::FEATURES.len())
                                .any(|w| w == ActionType::FEATURES.as_bytes());
                            if features && self.plain.contains(&index) {
                                continue;
                            }
                            if let Some(&(to, their)) = self.wires.get(&(index, link)) {
                                self.engines[to].link_message(self.now, their, &frame);
                            }
                        }
                        Output::CloseLink { link } => {
                            if let Some((to, their)) = self.wires.remove(&(index, link)) {
                                self.wires.remove(&(to, their));
                                self.engines[to].link_closed(self.now, their);
                            }
                        }
                        Output::Event { room, event } => self.events.push((index, room, event)),
                        Output::OpenUnordered { link } => {
                            // The transport opens it; both ends hear.
                            self.unordered.push((index, link));
                            self.engines[index].unordered_opened(link);
                            if let Some(&(to, their)) = self.wires.get(&(index, link)) {
                                self.engines[to].unordered_opened(their);
                            }
                        }
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn advance(&mut self, by: Duration) {
        self.now = self.now.after(by);
        for engine in &mut self.engines {
            engine.tick(self.now);
        }
        self.run();
    }

    /// Sends a user payload the way the driver does: prepare, then stream every frame.
    fn send(&mut self, from: usize, room: RoomToken, action: &str, payload: &Payload) {
        let action = ActionType::new(action).unwrap();
        let transmission = self.engines[from].prepare_send(room, action, None).unwrap();
        for (_, link) in transmission.targets {
            let frames = chunks(
                action,
                transmission.nonce,
                payload.kind(),
                payload.as_bytes(),
                None,
            )
            .into_room_frames(room);
            let (to, their) = self.wires[&(from, link)];
            for frame in frames {
                self.engines[to].link_message(self.now, their, &frame);
            }
        }
        self.run();
    }

    fn take_events(&mut self) -> Vec<(usize, RoomToken, RoomEvent)> {
        std::mem::take(&mut self.events)
    }

    /// Who saw whom join, sorted by engine.
    fn joined(&mut self) -> Vec<(usize, PeerId)> {
        let mut joined: Vec<(usize, PeerId)> = self
            .take_events()
            .into_iter()
            .filter_map(|(engine, _, event)| match event {
                RoomEvent::PeerJoined(peer) => Some((engine, peer)),
                _ => None,
            })
            .collect();
        joined.sort();
        joined
    }
}

#[test]
fn two_peers_join_exchange_and_ping() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.connect(0, 1, room);
    let (a, b) = (net.id(0), net.id(1));
    assert_eq!(net.joined(), [(0, b), (1, a)]);
    assert_eq!(net.engines[0].peers(room), [b]);
    assert!(net.engines[1].is_active(room, a));

    let payload = Payload::json(&serde_json::json!({"hello": "B", "n": 1})).unwrap();
    net.send(0, room, "chat", &payload);
    let events = net.take_events();
    assert_eq!(events.len(), 1);
    match &events[0] {
        (1, token, RoomEvent::Message(message)) => {
            assert_eq!(*token, room);
            assert_eq!(message.peer, a);
            assert_eq!(message.action.as_str(), "chat");
            assert_eq!(message.payload, payload);
        }
        other => panic!("unexpected {other:?}"),
    }

    net.engines[0].ping(net.now, room, b).unwrap();
    net.advance(Duration::from_millis(3));
    net.run();
    let events = net.take_events();
    assert!(
        matches!(&events[..], [(0, _, RoomEvent::Pong { peer, .. })] if *peer == b),
        "{events:?}"
    );
}

#[test]
fn ping_measures_the_round_trip_on_the_clock() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.connect(0, 1, room);
    net.take_events();
    let b = net.id(1);
    // Hold the ping back: send it, but advance the clock before the network runs.
    net.engines[0].ping(net.now, room, b).unwrap();
    net.now = net.now.after(Duration::from_millis(42));
    net.run();
    let rtt = net
        .take_events()
        .into_iter()
        .find_map(|(_, _, event)| match event {
            RoomEvent::Pong { rtt, .. } => Some(rtt),
            _ => None,
        })
        .unwrap();
    assert_eq!(rtt, Duration::from_millis(42));
    let me = net.id(0);
    assert_eq!(
        net.engines[0].ping(net.now, room, me),
        Err(EngineError::PeerNotInRoom(me))
    );
}

#[test]
fn matching_passwords_join() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "hunter2");
    net.join(1, "r", "hunter2");
    net.connect(0, 1, room);
    assert_eq!(net.joined().len(), 2);
}

#[test]
fn mismatched_passwords_fail_and_time_out() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "right");
    net.join(1, "r", "wrong");
    net.connect(0, 1, room);
    let (a, b) = (net.id(0), net.id(1));
    let events = net.take_events();
    // The initiator (lower id) sees the wrong response at once.
    assert!(
        matches!(&events[..], [(0, _, RoomEvent::JoinError { peer, error })]
            if *peer == b && error == "handshake failed: incorrect password for overlapping room"),
        "{events:?}"
    );
    // The responder never gets the initiator's ready and times out.
    net.advance(Duration::from_millis(9_999));
    assert!(net.take_events().is_empty());
    net.advance(Duration::from_millis(1));
    let events = net.take_events();
    assert!(
        matches!(&events[..], [(1, _, RoomEvent::JoinError { peer, error })]
            if *peer == a && error == "handshake timed out after 10000ms"),
        "{events:?}"
    );
    assert!(net.engines[0].peers(room).is_empty() && net.engines[1].peers(room).is_empty());
}

#[test]
fn a_peer_not_in_the_room_times_out() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.connect(0, 1, room);
    assert!(net.take_events().is_empty());
    assert_eq!(net.engines[0].next_deadline(), Some(Millis(10_000)));
    net.advance(TIMEOUT);
    let events = net.take_events();
    assert!(
        matches!(&events[..], [(0, _, RoomEvent::JoinError { .. })]),
        "{events:?}"
    );
}

/// Two engines in room "r", where engine 1 has a link to engine 0 whose handshake never
/// completes (the link is opened on engine 1's side only): engine 0 stays a pending peer.
fn pending_peer() -> (Net, RoomToken, LinkId) {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    let link = LinkId(99);
    let first = net.id(0);
    net.engines[1]
        .link_opened(net.now, link, first, room)
        .unwrap();
    while net.engines[1].poll_output().is_some() {}
    (net, room, link)
}

#[test]
fn user_actions_from_pending_peers_are_dropped() {
    let (mut net, room, link) = pending_peer();
    let frame = chunks(
        ActionType::new("chat").unwrap(),
        0,
        Payload::Text("x".into()).kind(),
        b"x",
        None,
    )
    .into_room_frames(room)
    .next()
    .unwrap();
    net.engines[1].link_message(net.now, link, &frame);
    assert!(net.engines[1].poll_output().is_none());
    assert_eq!(net.engines[1].stats().dropped_while_pending, 1);
}

#[test]
fn leave_then_rejoin_over_the_same_link() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.connect(0, 1, room);
    net.take_events();
    let (a, b) = (net.id(0), net.id(1));

    net.engines[0].leave(net.now, room).unwrap();
    net.run();
    let events = net.take_events();
    assert!(
        matches!(&events[..], [(1, _, RoomEvent::PeerLeft(peer))] if *peer == a),
        "{events:?}"
    );
    assert!(net.engines[1].peers(room).is_empty());

    // The link stays open (idle); joining again binds on it through presence frames.
    net.join(0, "r", "");
    assert_eq!(net.joined(), [(0, b), (1, a)]);
    assert_eq!(net.wires.len(), 2, "no new connection");
}

#[test]
fn an_idle_link_closes_after_123_333_ms() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.connect(0, 1, room);
    net.engines[0].leave(net.now, room).unwrap();
    net.run();
    net.take_events();
    assert_eq!(net.engines[0].next_deadline(), Some(Millis(123_333)));
    net.advance(Duration::from_millis(123_332));
    assert_eq!(net.wires.len(), 2);
    net.advance(Duration::from_millis(1));
    assert!(net.wires.is_empty(), "closed on both sides");
}

#[test]
fn two_rooms_share_one_connection() {
    let mut net = Net::new(2);
    let first = net.join(0, "one", "");
    let second = net.join(0, "two", "");
    net.join(1, "one", "");
    net.join(1, "two", "");
    net.connect(0, 1, first);
    let joined: Vec<(usize, RoomToken)> = net
        .take_events()
        .into_iter()
        .filter_map(|(engine, room, event)| {
            matches!(event, RoomEvent::PeerJoined(_)).then_some((engine, room))
        })
        .collect();
    assert_eq!(joined.len(), 4, "both rooms on both sides: {joined:?}");
    assert!(joined.contains(&(0, second)) && joined.contains(&(1, second)));
    assert_eq!(net.wires.len(), 2, "one connection");

    net.send(1, second, "chat", &Payload::Text("in two".into()));
    let events = net.take_events();
    assert!(
        matches!(&events[..], [(0, room, RoomEvent::Message(m))] if *room == second && m.payload == Payload::Text("in two".into())),
        "{events:?}"
    );

    // Leaving one room keeps the other.
    net.engines[1].leave(net.now, first).unwrap();
    net.run();
    assert!(net.engines[0].peers(first).is_empty());
    assert_eq!(net.engines[0].peers(second), [net.id(1)]);
}

#[test]
fn a_room_joined_later_binds_on_the_existing_link() {
    let mut net = Net::new(2);
    let first = net.join(0, "one", "");
    net.join(1, "one", "");
    net.connect(0, 1, first);
    net.take_events();
    let second = net.join(0, "two", "");
    assert!(
        net.take_events().is_empty(),
        "engine 1 is not in room two yet"
    );
    net.join(1, "two", "");
    let mut joined: Vec<(usize, RoomToken)> = net
        .take_events()
        .into_iter()
        .filter_map(|(engine, room, event)| {
            matches!(event, RoomEvent::PeerJoined(_)).then_some((engine, room))
        })
        .collect();
    joined.sort();
    assert_eq!(joined, [(0, second), (1, second)]);
}

#[test]
fn a_closed_link_makes_its_peer_leave_every_room() {
    let mut net = Net::new(2);
    let first = net.join(0, "one", "");
    let second = net.join(0, "two", "");
    net.join(1, "one", "");
    net.join(1, "two", "");
    let (link, _) = net.connect(0, 1, first);
    net.take_events();
    net.engines[0].link_closed(net.now, link);
    net.run();
    let left: Vec<RoomToken> = net
        .take_events()
        .into_iter()
        .filter_map(|(_, room, event)| matches!(event, RoomEvent::PeerLeft(_)).then_some(room))
        .collect();
    assert_eq!(left.len(), 2);
    assert!(left.contains(&first) && left.contains(&second));
}

#[test]
fn three_peers_in_one_room() {
    let mut net = Net::new(3);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.join(2, "r", "");
    net.connect(0, 1, room);
    net.connect(0, 2, room);
    net.connect(1, 2, room);
    assert_eq!(net.joined().len(), 6);
    net.send(2, room, "chat", &Payload::Binary(vec![1, 2, 3]));
    let receivers: Vec<usize> = net
        .take_events()
        .into_iter()
        .filter_map(|(engine, _, event)| matches!(event, RoomEvent::Message(_)).then_some(engine))
        .collect();
    assert_eq!(receivers, [0, 1]);
}

#[test]
fn large_messages_report_progress() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.connect(0, 1, room);
    net.take_events();
    let payload = Payload::Binary(vec![9; 100_000]);
    net.send(0, room, "file", &payload);
    let events = net.take_events();
    let progress: Vec<u8> = events
        .iter()
        .filter_map(|(_, _, event)| match event {
            RoomEvent::Progress { progress, .. } => Some(*progress),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [36, 73, 109, 146, 182, 219]);
    assert!(matches!(events.last(), Some((1, _, RoomEvent::Message(m))) if m.payload == payload));
}

#[test]
fn joining_twice_is_idempotent_and_unknown_rooms_are_errors() {
    let mut net = Net::new(1);
    let room = net.join(0, "r", "");
    assert_eq!(net.join(0, "r", "other password ignored"), room);
    let stranger = keys("elsewhere", "").token();
    assert_eq!(
        net.engines[0].leave(net.now, stranger),
        Err(EngineError::UnknownRoom(stranger))
    );
}

/// Keys that produce the spec's real token, to compare first frames with the JS capture.
struct SpecToken;

impl RoomKeys for SpecToken {
    fn root_topic(&self) -> String {
        String::new()
    }
    fn peer_topic(&self, _: &PeerId) -> String {
        String::new()
    }
    fn token(&self) -> RoomToken {
        super::token()
    }
    fn encrypt(&self, plaintext: &str) -> Result<String, KeyError> {
        Ok(plaintext.to_owned())
    }
    fn decrypt(&self, wire: &str) -> Result<String, KeyError> {
        Ok(wire.to_owned())
    }
    fn challenge_response(&self, challenge: &str) -> String {
        challenge.to_owned()
    }
    fn has_password(&self) -> bool {
        false
    }
}

#[test]
fn first_frames_match_the_js_capture() {
    let mut engine = Engine::new(
        PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap(),
        SeededRandom::new(0),
        EngineConfig::default(),
    );
    let room = engine
        .join(Millis(0), Arc::new(SpecToken), TIMEOUT)
        .unwrap();
    engine
        .link_opened(
            Millis(0),
            LinkId(1),
            PeerId::parse("Zk4EuH4FDB2jqJYMw0Ug").unwrap(),
            room,
        )
        .unwrap();
    let mut frames = VecDeque::new();
    while let Some(output) = engine.poll_output() {
        if let Output::SendFrame { frame, .. } = output {
            frames.push_back(frame);
        }
    }
    // presence(1), then @_hsready "" with nonce 0 (§6.3).
    let presence = frames.pop_front().unwrap();
    assert_eq!(&presence[..4], &[0x02, 0x01, 0x00, 0x40]);
    assert_eq!(&presence[4..], super::TOKEN_HEX.as_bytes());
    let ready = frames.pop_front().unwrap();
    assert_eq!(ready.len(), 103);
    assert_eq!(&ready[67..76], b"@_hsready");
    assert_eq!(&ready[99..], &[0x00, 0x00, 0x01, 0xff]);
    assert!(frames.is_empty());
}

/// `@_features` goes out once per connection; the leader of two of ours opens the second
/// channel; a peer that never announces it (a Trystero JS peer) keeps one channel.
#[test]
fn only_two_of_our_peers_open_the_unordered_channel() {
    let mut net = Net::new(3);
    net.plain.push(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.join(2, "r", "");
    let (l01, l10) = net.connect(0, 1, room);
    let (l02, l20) = net.connect(0, 2, room);
    let (l12, l21) = net.connect(1, 2, room);
    assert_eq!(
        net.unordered,
        [(0, l01)],
        "engine 0 leads engine 1; nobody opens to 2"
    );
    assert!(net.engines[0].is_unordered_open(l01) && net.engines[1].is_unordered_open(l10));
    for (engine, link) in [(0, l02), (2, l20), (1, l12), (2, l21)] {
        assert!(!net.engines[engine].is_unordered_open(link));
    }
    let features = |net: &Net, engine: usize| {
        net.sent
            .iter()
            .filter(|(from, frame)| {
                *from == engine
                    && frame
                        .windows(ActionType::FEATURES.len())
                        .any(|w| w == ActionType::FEATURES.as_bytes())
            })
            .count()
    };
    assert_eq!(features(&net, 0), 2, "once per connection");
    // A second room on the same connections announces nothing more.
    let other = net.join(0, "s", "");
    net.join(1, "s", "");
    net.run();
    assert_eq!(features(&net, 0), 2);
    let _ = other;
}

/// The second channel takes only a whole user message in one frame from an active peer of a
/// room bound on that connection; anything else is dropped and counted, never half-kept.
#[test]
fn the_unordered_channel_takes_only_whole_user_messages_from_active_peers() {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    let (_, l10) = net.connect(0, 1, room);
    net.take_events();
    let frames = |action: &str, payload: &Payload, meta: Option<&trystero_core::wire::JsonText>| {
        chunks(
            ActionType::new(action).unwrap(),
            7,
            payload.kind(),
            payload.as_bytes(),
            meta,
        )
        .into_room_frames(room)
        .collect::<Vec<_>>()
    };
    let hello = Payload::Binary(vec![1, 2, 3]);
    let now = net.now;
    net.engines[1].unordered_message(now, l10, &frames("inputs", &hello, None)[0]);
    net.run();
    let events = net.take_events();
    assert!(
        matches!(&events[..], [(1, _, RoomEvent::Message(m))] if m.payload == hello),
        "{events:?}"
    );
    let dropped = net.engines[1].stats().dropped_frames;
    // The first of two chunks (metadata first), an internal action, garbage, another room.
    let meta = trystero_core::wire::JsonText::parse("1").unwrap();
    net.engines[1].unordered_message(now, l10, &frames("inputs", &hello, Some(&meta))[0]);
    net.engines[1].unordered_message(
        now,
        l10,
        &frames("@_ping", &Payload::Text(String::new()), None)[0],
    );
    let malformed = net.engines[1].stats().malformed_frames;
    net.engines[1].unordered_message(now, l10, b"not a frame");
    net.run();
    assert!(net.take_events().is_empty());
    assert_eq!(net.engines[1].stats().dropped_frames, dropped + 2);
    assert_eq!(net.engines[1].stats().malformed_frames, malformed + 1);
    // Nothing was answered (no pong for the ping).
    assert!(net.sent.iter().all(|(_, frame)| {
        !frame
            .windows(ActionType::PONG.len())
            .any(|w| w == ActionType::PONG.as_bytes())
    }));
}

/// A peer pinging far faster than anyone needs gets its burst answered, then a few a second;
/// past `PING_FLOOD` refused pings its link is closed and it leaves the room. Before, every
/// ping was answered, and the pongs queued on the link without bound.
#[test]
fn a_ping_flood_is_answered_within_a_budget_then_its_link_closed() {
    use trystero_core::room::{PING_BURST, PING_FLOOD, PINGS_PER_SECOND};
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    net.connect(0, 1, room);
    net.take_events();
    let (a, b) = (net.id(0), net.id(1));
    let pongs = |net: &Net| {
        net.sent
            .iter()
            .filter(|(from, frame)| {
                *from == 1
                    && frame
                        .windows(ActionType::PONG.len())
                        .any(|w| w == ActionType::PONG.as_bytes())
            })
            .count()
    };
    let before = pongs(&net);
    for _ in 0..100 {
        let now = net.now;
        net.engines[0].ping(now, room, b).unwrap();
        net.run();
    }
    assert_eq!(pongs(&net) - before, PING_BURST as usize);
    net.advance(Duration::from_secs(1));
    for _ in 0..100 {
        let now = net.now;
        net.engines[0].ping(now, room, b).unwrap();
        net.run();
    }
    assert_eq!(
        pongs(&net) - before,
        (PING_BURST + PINGS_PER_SECOND) as usize
    );
    let refused = 200 - u64::from(PING_BURST + PINGS_PER_SECOND);
    assert_eq!(net.engines[1].stats().unanswered_pings, refused);
    // It keeps on: the link is closed, and each side sees the other leave.
    for _ in 0..PING_FLOOD {
        let now = net.now;
        if net.engines[0].ping(now, room, b).is_err() {
            break;
        }
        net.run();
    }
    assert_eq!(net.engines[1].stats().flooding_links, 1);
    let events = net.take_events();
    let left: Vec<(usize, PeerId)> = events
        .iter()
        .filter_map(|(engine, _, event)| match event {
            RoomEvent::PeerLeft(peer) => Some((*engine, *peer)),
            _ => None,
        })
        .collect();
    assert!(left.contains(&(1, a)) && left.contains(&(0, b)), "{left:?}");
    // The flooded side says why, before the leave.
    let from_b: Vec<&RoomEvent> = events
        .iter()
        .filter(|(engine, _, _)| *engine == 1)
        .map(|(_, _, event)| event)
        .collect();
    assert!(
        matches!(
            from_b.as_slice(),
            [
                RoomEvent::PeerDropped { peer, reason: trystero_core::room::DropReason::PingFlood },
                RoomEvent::PeerLeft(left),
            ] if *peer == a && *left == a
        ),
        "{from_b:?}"
    );
}

/// A peer still in the handshake may send handshake frames, but not a long one: internal
/// messages are one chunk, and the chunks of a longer one are dropped, never buffered (before,
/// a pending peer could make us hold up to the 64 MiB message cap).
#[test]
fn a_long_internal_message_is_dropped_not_buffered() {
    let (mut net, room, link) = pending_peer();
    let big = vec![b'x'; 200_000];
    let frames: Vec<Vec<u8>> = chunks(
        ActionType::new("@_hsdata").unwrap(),
        3,
        Payload::Binary(big.clone()).kind(),
        &big,
        None,
    )
    .into_room_frames(room)
    .collect();
    assert!(frames.len() > 2, "a message of several chunks");
    let dropped = net.engines[1].stats().dropped_frames;
    for frame in &frames[..frames.len() - 1] {
        net.engines[1].link_message(net.now, link, frame);
    }
    assert_eq!(net.engines[1].buffered_bytes(room), 0, "nothing held");
    assert_eq!(
        net.engines[1].stats().dropped_frames,
        dropped + frames.len() as u64 - 1
    );
}

/// A peer that opens more transfers at once than the reassembler allows (256) is
/// desynchronized: none of its later chunks could be read. It is cut off with a clear event
/// instead of being kept in the room, useless (before, it stayed, every chunk refused).
#[test]
fn a_peer_with_too_many_transfers_at_once_is_dropped() {
    use trystero_core::room::DropReason;
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    let (_, link_b) = net.connect(0, 1, room);
    net.take_events();
    let a = net.id(0);
    let data = vec![1u8; 2 * 16_348];
    for nonce in 0..=256u16 {
        // The first chunk of a two-chunk transfer, never finished.
        let frame = chunks(
            ActionType::new("big").unwrap(),
            nonce,
            Payload::Binary(Vec::new()).kind(),
            &data,
            None,
        )
        .into_room_frames(room)
        .next()
        .unwrap();
        let now = net.now;
        net.engines[1].link_message(now, link_b, &frame);
    }
    net.run();
    let events: Vec<RoomEvent> = net
        .take_events()
        .into_iter()
        .filter(|(engine, _, _)| *engine == 1)
        .map(|(_, _, event)| event)
        .filter(|event| !matches!(event, RoomEvent::Progress { .. }))
        .collect();
    assert!(
        matches!(
            events.as_slice(),
            [
                RoomEvent::ReceiveError { .. },
                RoomEvent::PeerDropped { peer, reason: DropReason::TooManyTransfers },
                RoomEvent::PeerLeft(left),
            ] if *peer == a && *left == a
        ),
        "{events:?}"
    );
    assert!(net.engines[1].peers(room).is_empty());
}

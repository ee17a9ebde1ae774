//! Joining, the handshake, leaving, shared links and the first frames.

use super::*;

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
    let (mut net, room, _) = joined_pair();
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

#[test]
fn leave_then_rejoin_over_the_same_link() {
    let (mut net, room, _) = joined_pair();
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
    let (mut net, room, _) = joined_pair();
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
        super::super::token()
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
    assert_eq!(&presence[4..], super::super::TOKEN_HEX.as_bytes());
    let ready = frames.pop_front().unwrap();
    assert_eq!(ready.len(), 103);
    assert_eq!(&ready[67..76], b"@_hsready");
    assert_eq!(&ready[99..], &[0x00, 0x00, 0x01, 0xff]);
    assert!(frames.is_empty());
}

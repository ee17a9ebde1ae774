//! The second, unordered channel.

use super::*;

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

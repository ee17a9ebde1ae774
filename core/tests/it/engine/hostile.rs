//! What a misbehaving peer may not do to the engine.

use super::*;

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

/// A peer pinging far faster than anyone needs gets its burst answered, then a few a second;
/// past `PING_FLOOD` refused pings its link is closed and it leaves the room. Before, every
/// ping was answered, and the pongs queued on the link without bound.
#[test]
fn a_ping_flood_is_answered_within_a_budget_then_its_link_closed() {
    use trystero_core::room::{PING_BURST, PING_FLOOD, PINGS_PER_SECOND};
    let (mut net, room, _) = joined_pair();
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
    let (mut net, room, (_, link_b)) = joined_pair();
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

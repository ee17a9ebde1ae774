//! Fuzzes a room's signalling half, both strategies: relay payloads (announces, offers, answers,
//! candidates, tracker messages) on the room's topics, with time passing between them. Checks
//! the bounds on tracked peers and connections being set up hold throughout.
//!
//! Input: the first byte picks the strategy; then messages, each a length byte, a byte that picks
//! the topic and the relay, and the payload; time moves 0–2.55 s per message.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use trystero_core::keys::PlainKeys;
use trystero_core::keys::RoomKeys;
use trystero_core::random::SeededRandom;
use trystero_core::room::signaling::{
    LinkIds, SignalingOutput, Step, TopicSignaling, TrackerSignaling,
};
use trystero_core::time::Millis;
use trystero_core::{AppId, PeerId, RoomId};

fn step<'a>(
    now: Millis,
    links: &'a mut LinkIds,
    random: &'a mut SeededRandom,
    out: &'a mut Vec<SignalingOutput>,
) -> Step<'a> {
    Step {
        now,
        links,
        random,
        out,
    }
}

/// The input's messages: each a length byte, a pick byte, then the payload (`None` if it is not
/// UTF-8).
fn messages(mut rest: &[u8]) -> impl Iterator<Item = (u8, Option<&str>)> {
    std::iter::from_fn(move || {
        let [len, pick, tail @ ..] = rest else {
            return None;
        };
        let (message, next) = tail.split_at(usize::from(*len).min(tail.len()));
        rest = next;
        Some((*pick, std::str::from_utf8(message).ok()))
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&strategy, rest)) = input.split_first() else {
        return;
    };
    let keys: Arc<dyn RoomKeys> = Arc::new(PlainKeys::new(
        &AppId::new("app").unwrap(),
        &RoomId::new("room").unwrap(),
        "",
    ));
    let self_id = PeerId::parse("mmmmmmmmmmmmmmmmmmmm").unwrap();
    let mut links = LinkIds::default();
    let mut random = SeededRandom::new(1);
    let mut out = Vec::new();
    let mut now = Millis(1_000);
    let own_topic = keys.peer_topic(&self_id);
    let root_topic = keys.root_topic();
    if strategy % 2 == 0 {
        let mut signaling = TopicSignaling::start(
            &mut step(now, &mut links, &mut random, &mut out),
            self_id,
            keys.clone(),
            false,
            false,
        );
        for (pick, payload) in messages(rest) {
            now = Millis(now.0 + u64::from(pick) * 10);
            let Some(payload) = payload else {
                continue;
            };
            let topic = if pick % 2 == 0 {
                &root_topic
            } else {
                &own_topic
            };
            let mut step = step(now, &mut links, &mut random, &mut out);
            signaling.on_relay_message(&mut step, usize::from(pick % 3), topic, payload);
            signaling.tick(&mut step);
            assert!(signaling.tracked_peers() <= 256);
            assert!(signaling.half_open() <= 32);
            out.clear();
        }
    } else {
        let mut signaling = TrackerSignaling::start(
            &mut step(now, &mut links, &mut random, &mut out),
            self_id,
            keys.clone(),
            false,
        );
        for (pick, payload) in messages(rest) {
            now = Millis(now.0 + u64::from(pick) * 10);
            let Some(payload) = payload else {
                continue;
            };
            let mut step = step(now, &mut links, &mut random, &mut out);
            signaling.on_relay_message(&mut step, usize::from(pick % 3), &root_topic, payload);
            signaling.tick(&mut step);
            out.clear();
        }
    }
});

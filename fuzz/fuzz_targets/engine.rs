//! Fuzzes the data half with frames from a connected peer: presence frames, the handshake,
//! internal messages (`@_ping`, `@_leave`, `@_features`), requests and user chunks, on the
//! ordered and the unordered channel, with time passing. Checks the engine's buffers stay
//! within the reassembler's bounds.
//!
//! Input: messages, each a length byte and a byte whose low bit picks the channel and whose
//! rest moves the clock (0–1.27 s); the byte 0xff closes the link and opens a new one.
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use trystero_core::keys::PlainKeys;
use trystero_core::random::SeededRandom;
use trystero_core::room::{Engine, EngineConfig, LinkId};
use trystero_core::time::Millis;
use trystero_core::{AppId, PeerId, RoomId};

fuzz_target!(|input: &[u8]| {
    let mut engine = Engine::new(
        PeerId::parse("mmmmmmmmmmmmmmmmmmmm").unwrap(),
        SeededRandom::new(3),
        EngineConfig::default(),
    );
    let mut now = Millis(1_000);
    let keys = Arc::new(PlainKeys::new(
        &AppId::new("app").unwrap(),
        &RoomId::new("room").unwrap(),
        "",
    ));
    let room = engine.join(now, keys, Duration::from_secs(10)).unwrap();
    let peer = PeerId::parse("aaaaaaaaaaaaaaaaaaaa").unwrap();
    let mut link = LinkId(1);
    engine.link_opened(now, link, peer, room).unwrap();
    engine.unordered_opened(link);
    let mut rest = input;
    while let [len, how, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (message, next) = tail.split_at(len);
        rest = next;
        now = Millis(now.0 + u64::from(how >> 1) * 10);
        if *how == 0xff {
            engine.link_closed(now, link);
            link = LinkId(link.0 + 1);
            let _ = engine.link_opened(now, link, peer, room);
            continue;
        }
        if how & 1 == 0 {
            engine.link_message(now, link, message);
        } else {
            engine.unordered_message(now, link, message);
        }
        engine.tick(now);
        while engine.poll_output().is_some() {}
        assert!(engine.buffered_bytes(room) <= 512 << 20);
    }
});

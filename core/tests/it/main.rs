//! Integration tests of trystero-core: the wire codec (captured frames byte for byte, reassembly,
//! memory limits, round trips), the room engine, signalling and the async driver.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code: a failure is a test failure

mod audio;
mod driver;
mod engine;
mod frames;
mod limits;
mod reassembly;
mod render;
mod roundtrip;
mod signaling;
mod tracker;

use trystero_core::keys::PlainKeys;
use trystero_core::wire::{
    ActionChunk, ActionType, Frame, JsonText, Payload, Reassembler, ReassemblyError, Received,
    chunks, decode_frame,
};
use trystero_core::{AppId, PeerId, RoomId, RoomToken};

/// The token of app `trystero-rust-test`, room `room1` (protocol §1.3).
pub(crate) const TOKEN_HEX: &str =
    "9302173d192360b032399473746e09bc3d52415204426651551919a5adee9913";

pub(crate) fn token() -> RoomToken {
    TOKEN_HEX.parse().unwrap()
}

pub(crate) fn peer(n: u8) -> PeerId {
    let mut id = *b"peer0000000000000000";
    id[19] = b'0' + n % 10;
    id[18] = b'0' + n / 10 % 10;
    PeerId::from_bytes(&id).unwrap()
}

/// The keys of app `app`, room `room` with `password`: what the engine, signalling and driver
/// tests use.
pub(crate) fn keys(room: &str, password: &str) -> PlainKeys {
    PlainKeys::new(
        &AppId::new("app").unwrap(),
        &RoomId::new(room).unwrap(),
        password,
    )
}

pub(crate) fn action(name: &str) -> ActionType {
    ActionType::new(name).unwrap()
}

/// All room frames of one transmission.
pub(crate) fn encode(
    action: ActionType,
    nonce: u16,
    payload: &Payload,
    metadata: Option<&JsonText>,
) -> Vec<Vec<u8>> {
    chunks(action, nonce, payload.kind(), payload.as_bytes(), metadata)
        .into_room_frames(token())
        .collect()
}

/// Decodes a room frame for our token and feeds its chunk to `reassembler`.
pub(crate) fn receive<'r>(
    reassembler: &'r mut Reassembler,
    from: PeerId,
    frame: &[u8],
) -> Result<Received<'r>, ReassemblyError> {
    let Frame::Room { token: got, chunk } = decode_frame(frame).unwrap() else {
        panic!("expected a room frame");
    };
    assert_eq!(got, token().as_bytes());
    reassembler.push(from, ActionChunk::decode(chunk).unwrap())
}

/// Feeds every frame; returns the message the last one completes.
pub(crate) fn receive_all(
    reassembler: &mut Reassembler,
    from: PeerId,
    frames: &[Vec<u8>],
) -> trystero_core::wire::ReceivedMessage {
    let (last, rest) = frames.split_last().unwrap();
    for frame in rest {
        assert!(matches!(
            receive(reassembler, from, frame).unwrap(),
            Received::Progress(_)
        ));
    }
    match receive(reassembler, from, last).unwrap() {
        Received::Message(message) => message,
        other => panic!("expected a message, got {other:?}"),
    }
}

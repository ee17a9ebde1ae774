//! The data-channel wire codec of Trystero JS 0.25 (protocol §6), byte for byte.
//!
//! Every data-channel message is binary and is one of two outer [`frame`]s: a room frame that
//! carries one action chunk for a room (identified by its [`RoomToken`](crate::RoomToken)), or a
//! presence frame that says whether the sender is in a room. An action chunk is a 36-byte
//! [`chunk::ChunkHeader`] (action type, nonce, flags, progress) and up to 16 348 payload bytes.
//!
//! Sending: [`payload::Payload`] → [`chunker::chunks`] → [`frame::encode_room_frame`].
//! Receiving: [`frame::decode_frame`] → [`chunk::ActionChunk::decode`] →
//! [`reassembler::Reassembler::push`] → a [`reassembler::ReceivedMessage`].
//!
//! All decoding is total: malformed input is a typed error, never a panic, and the reassembler's
//! memory is bounded by [`reassembler::ReassemblyLimits`].

pub mod chunk;
pub mod chunker;
pub mod frame;
pub mod payload;
pub mod reassembler;

pub use chunk::{ActionChunk, ActionType, ActionTypeError, ChunkError, ChunkFlags, ChunkHeader};
pub use chunker::{Chunks, NonceCounter, RoomFrames, chunks};
pub use frame::{
    Frame, FrameError, decode_frame, encode_presence_frame, encode_room_frame,
    encode_room_frame_chunk,
};
pub use payload::{JsonText, Payload, PayloadError, PayloadKind};
pub use reassembler::{
    Reassembler, ReassemblyError, ReassemblyLimits, ReassemblyStats, ReceiveProgress, Received,
    ReceivedMessage,
};

/// Bytes in an action chunk header: 32 (type) + 2 (nonce) + 1 (flags) + 1 (progress).
pub const CHUNK_HEADER_LEN: usize = 36;

/// The largest action chunk a sender produces: 16 KiB.
pub const MAX_CHUNK_LEN: usize = 16 * 1024;

/// Payload bytes per chunk: 16 384 − 36.
pub const CHUNK_PAYLOAD_LEN: usize = MAX_CHUNK_LEN - CHUNK_HEADER_LEN;

/// Bytes of the action type field (UTF-8, zero-padded).
pub const ACTION_TYPE_LEN: usize = 32;

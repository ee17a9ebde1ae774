//! The wire format between sessions: one compact little-endian message kind that carries every
//! input the receiver has not acknowledged (so a lost packet costs no extra round trip), the
//! acknowledgement of theirs, the sender's frame (for time sync), a ping/pong pair (for the
//! round trip), and at times a checksum of a confirmed frame.
//!
//! ```text
//! 0  "tR"  magic          2  version (1)     3  flags (bit 0: checksum follows;
//!                                                  bit 1: a spectator stream, where the
//!                                                  inputs are every player's, frame by frame;
//!                                                  bit 2: dropped players follow)
//! 4  u32 ack: every input frame below it received from the receiver
//! 8  u32 the sender's current frame       12 u32 ping (sender's ms)   16 u32 pong (echo)
//! 20 u32 the sender's confirmed frame (every player's input below it received)
//! 24 u32 first input frame                28 u8 input count (≤ 128)
//! 29 count × Input::SIZE bytes
//! [  u32 checksum frame, u8 part count (1..=8), parts × u64 ]
//! [  u8 count (1..=8), count × (u8 player, u32 the frame from which it is dropped) ]
//! ```

use crate::Frame;
use crate::input::Input;

const MAGIC: [u8; 2] = *b"tR";
const VERSION: u8 = 1;
const HEADER: usize = 29;
/// The most inputs one message carries.
pub const MAX_INPUTS: usize = 128;
/// The most checksum parts per frame.
pub const MAX_PARTS: usize = 8;

/// Why bytes were not a message (the session drops and counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Shorter than its own fields say.
    #[error("truncated message")]
    Truncated,
    /// Not ours (magic) or a version we do not speak.
    #[error("not a netcode message (magic or version)")]
    Foreign,
    /// More inputs or checksum parts than allowed, or bytes left over.
    #[error("malformed message")]
    Malformed,
    /// An input's bytes are not a valid input.
    #[error("invalid input bytes")]
    BadInput,
}

/// A checksum report: the game's checksum parts of one confirmed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checksum {
    /// The frame (the state at its start).
    pub frame: Frame,
    /// How many parts are used.
    pub len: u8,
    /// The parts (the first `len`).
    pub parts: [u64; MAX_PARTS],
}

impl Checksum {
    /// A report of these parts (at most [`MAX_PARTS`]; more are cut).
    pub fn new(frame: Frame, parts: &[u64]) -> Self {
        let mut checksum = Self {
            frame,
            ..Self::default()
        };
        let len = parts.len().min(MAX_PARTS);
        checksum.parts[..len].copy_from_slice(&parts[..len]);
        checksum.len = u8::try_from(len).unwrap_or(0);
        checksum
    }

    /// The used parts.
    pub fn parts(&self) -> &[u64] {
        &self.parts[..usize::from(self.len)]
    }
}

/// One message. Decoding reuses the input buffer, so a steady stream allocates nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message<I> {
    /// Every frame below this of the receiver's inputs was received.
    pub ack: Frame,
    /// The sender's current frame.
    pub frame: Frame,
    /// The sender's clock in ms (truncated), for the round trip.
    pub ping: u32,
    /// The last `ping` the sender got from the receiver (0: none yet).
    pub pong: u32,
    /// Every player's input below this frame is in the sender's hands.
    pub confirmed: Frame,
    /// The frame of `inputs[0]`.
    pub start: Frame,
    /// Consecutive inputs from `start`.
    pub inputs: Vec<I>,
    /// A confirmed frame's checksum.
    pub checksum: Option<Checksum>,
    /// A host's stream to a spectator: `inputs` holds every player's confirmed input for
    /// each frame from `start`, player 0 first.
    pub stream: bool,
    /// Players the sender dropped, with the first frame it plays without each.
    pub dropped: [Option<Frame>; crate::MAX_PLAYERS],
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, MessageError> {
    let field = bytes.get(at..at + 4).ok_or(MessageError::Truncated)?;
    Ok(u32::from_le_bytes(
        field.try_into().map_err(|_| MessageError::Truncated)?,
    ))
}

impl<I: Input> Message<I> {
    /// Appends the encoding to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let count = self.inputs.len().min(MAX_INPUTS);
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        let dropped = self.dropped.iter().filter(|d| d.is_some()).count();
        out.push(
            u8::from(self.checksum.is_some())
                | u8::from(self.stream) << 1
                | u8::from(dropped > 0) << 2,
        );
        for field in [
            self.ack,
            self.frame,
            self.ping,
            self.pong,
            self.confirmed,
            self.start,
        ] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        out.push(u8::try_from(count).unwrap_or(0));
        let at = out.len();
        out.resize(at + count * I::SIZE, 0);
        for (index, input) in self.inputs[..count].iter().enumerate() {
            input.encode(&mut out[at + index * I::SIZE..at + (index + 1) * I::SIZE]);
        }
        if let Some(checksum) = &self.checksum {
            out.extend_from_slice(&checksum.frame.to_le_bytes());
            out.push(checksum.len);
            for part in checksum.parts() {
                out.extend_from_slice(&part.to_le_bytes());
            }
        }
        if dropped > 0 {
            out.push(u8::try_from(dropped).unwrap_or(0));
            for (player, frame) in self.dropped.iter().enumerate() {
                if let Some(frame) = frame {
                    out.push(u8::try_from(player).unwrap_or(0));
                    out.extend_from_slice(&frame.to_le_bytes());
                }
            }
        }
    }

    /// Decodes `bytes` into `self`, reusing its input buffer. On error `self` is unspecified.
    pub fn decode_into(&mut self, bytes: &[u8]) -> Result<(), MessageError> {
        if bytes.len() < HEADER {
            return Err(MessageError::Truncated);
        }
        if bytes[..2] != MAGIC || bytes[2] != VERSION {
            return Err(MessageError::Foreign);
        }
        let flags = bytes[3];
        if flags > 7 {
            return Err(MessageError::Malformed);
        }
        self.stream = flags & 2 != 0;
        self.ack = u32_at(bytes, 4)?;
        self.frame = u32_at(bytes, 8)?;
        self.ping = u32_at(bytes, 12)?;
        self.pong = u32_at(bytes, 16)?;
        self.confirmed = u32_at(bytes, 20)?;
        self.start = u32_at(bytes, 24)?;
        let count = usize::from(bytes[28]);
        if count > MAX_INPUTS {
            return Err(MessageError::Malformed);
        }
        let end = HEADER + count * I::SIZE;
        let inputs = bytes.get(HEADER..end).ok_or(MessageError::Truncated)?;
        self.inputs.clear();
        for chunk in inputs.chunks_exact(I::SIZE.max(1)).take(count) {
            self.inputs
                .push(I::decode(chunk).ok_or(MessageError::BadInput)?);
        }
        if I::SIZE == 0 {
            self.inputs.resize(count, I::default());
        }
        let mut rest = &bytes[end..];
        self.checksum = None;
        if flags & 1 == 1 {
            let frame = u32_at(rest, 0)?;
            let len = usize::from(*rest.get(4).ok_or(MessageError::Truncated)?);
            if len == 0 || len > MAX_PARTS {
                return Err(MessageError::Malformed);
            }
            let parts = rest.get(5..5 + len * 8).ok_or(MessageError::Truncated)?;
            let mut checksum = Checksum {
                frame,
                len: u8::try_from(len).map_err(|_| MessageError::Malformed)?,
                parts: [0; MAX_PARTS],
            };
            for (slot, part) in checksum.parts.iter_mut().zip(parts.chunks_exact(8)) {
                *slot = u64::from_le_bytes(part.try_into().map_err(|_| MessageError::Truncated)?);
            }
            self.checksum = Some(checksum);
            rest = &rest[5 + len * 8..];
        }
        self.dropped = [None; crate::MAX_PLAYERS];
        if flags & 4 != 0 {
            let count = usize::from(*rest.first().ok_or(MessageError::Truncated)?);
            if count == 0 || count > crate::MAX_PLAYERS {
                return Err(MessageError::Malformed);
            }
            let entries = rest.get(1..1 + count * 5).ok_or(MessageError::Truncated)?;
            for entry in entries.chunks_exact(5) {
                let player = usize::from(entry[0]);
                let slot = self
                    .dropped
                    .get_mut(player)
                    .ok_or(MessageError::Malformed)?;
                *slot = Some(u32_at(entry, 1)?);
            }
            rest = &rest[1 + count * 5..];
        }
        if !rest.is_empty() {
            return Err(MessageError::Malformed);
        }
        if self
            .start
            .checked_add(u32::try_from(count).unwrap_or(u32::MAX))
            .is_none()
        {
            return Err(MessageError::Malformed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Message<u16> {
        Message {
            ack: 7,
            frame: 12,
            ping: 1_000,
            pong: 990,
            confirmed: 6,
            start: 8,
            inputs: vec![1, 2, 3, 0xFFFF],
            checksum: Some(Checksum::new(60, &[0xDEAD_BEEF, 42])),
            stream: false,
            dropped: [None, None, Some(300), None, None, None, None, None],
        }
    }

    #[test]
    fn messages_round_trip_in_a_fixed_layout() {
        let mut bytes = Vec::new();
        sample().encode(&mut bytes);
        assert_eq!(bytes.len(), 29 + 4 * 2 + 4 + 1 + 2 * 8 + 1 + 5);
        assert_eq!(&bytes[..4], b"tR\x01\x05");
        let mut decoded = Message::default();
        decoded.decode_into(&bytes).unwrap();
        assert_eq!(decoded, sample());
        let mut plain = sample();
        plain.checksum = None;
        plain.stream = true;
        plain.dropped = [None; 8];
        bytes.clear();
        plain.encode(&mut bytes);
        assert_eq!(bytes[3], 2);
        decoded.decode_into(&bytes).unwrap();
        assert_eq!(decoded, plain);
    }

    #[test]
    fn every_cut_and_every_flipped_header_byte_is_an_error_not_a_panic() {
        let mut bytes = Vec::new();
        sample().encode(&mut bytes);
        let mut decoded = Message::<u16>::default();
        for cut in 0..bytes.len() {
            assert!(decoded.decode_into(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for at in [0, 1, 2, 3, 28] {
            let mut bad = bytes.clone();
            bad[at] ^= 0xFF;
            assert!(decoded.decode_into(&bad).is_err(), "byte {at}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decoded.decode_into(&long), Err(MessageError::Malformed));
    }
}

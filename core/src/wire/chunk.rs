//! The action chunk: a 36-byte header and a payload slice (protocol §6.2).
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 32 | action type, UTF-8, zero-padded |
//! | 32 | 2 | nonce, big-endian |
//! | 34 | 1 | flags: `0x01` last, `0x02` metadata, `0x04` binary, `0x08` JSON |
//! | 35 | 1 | progress, `round((i + 1) / total · 255)` |
//! | 36 | … | payload |

use std::fmt;

use super::{ACTION_TYPE_LEN, CHUNK_HEADER_LEN};

/// An action type (name) failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActionTypeError {
    /// The name is empty (or all NUL bytes on the wire).
    #[error("an action type must not be empty")]
    Empty,
    /// The name is longer than 32 UTF-8 bytes.
    #[error("action type {name:?} ({len}b) exceeds byte limit (32); choose a shorter name")]
    TooLong {
        /// The rejected name.
        name: String,
        /// Its length in UTF-8 bytes.
        len: usize,
    },
    /// The name contains a NUL character, which the receiver strips.
    #[error("an action type must not contain NUL characters")]
    Nul,
    /// The wire bytes are not UTF-8.
    #[error("the action type bytes are not valid UTF-8")]
    InvalidUtf8,
}

/// An action chunk failed to decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkError {
    /// Fewer bytes than a chunk header.
    #[error("an action chunk needs at least {CHUNK_HEADER_LEN} bytes, got {len}")]
    TooShort {
        /// The length received.
        len: usize,
    },
    /// The action type field is invalid.
    #[error("bad action type in chunk header: {0}")]
    ActionType(#[from] ActionTypeError),
}

/// An action's name: 1 to 32 UTF-8 bytes, no NUL. Stored inline, zero-padded, as on the wire.
///
/// Ordered by its bytes; cheap to copy and compare, so it keys the reassembler's maps.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionType {
    padded: [u8; ACTION_TYPE_LEN],
    len: u8,
}

impl ActionType {
    /// `@_hsready`: "my side of the handshake passed".
    pub const HANDSHAKE_READY: &'static str = "@_hsready";
    /// `@_hsdata`: password challenge and user handshake messages.
    pub const HANDSHAKE_DATA: &'static str = "@_hsdata";
    /// `@_leave`: the peer left the room.
    pub const LEAVE: &'static str = "@_leave";
    /// `@_ping`.
    pub const PING: &'static str = "@_ping";
    /// `@_pong`.
    pub const PONG: &'static str = "@_pong";
    /// `@_signal`: in-band renegotiation.
    pub const SIGNAL: &'static str = "@_signal";
    /// `@_stream`: metadata of the next remote stream.
    pub const STREAM: &'static str = "@_stream";
    /// `@_track`: metadata of the next remote track.
    pub const TRACK: &'static str = "@_track";
    /// `@_response`: answers to request actions.
    pub const RESPONSE: &'static str = "@_response";
    /// `@_features`: what a trystero-rs peer can do beyond Trystero's protocol (today the
    /// second, unordered channel), sent once per connection when a room's handshake completes.
    /// Not part of Trystero JS, which keeps it unhandled, as any action nobody listens to.
    pub const FEATURES: &'static str = "@_features";

    /// Validates a name as Trystero's `makeAction` does: non-empty, at most 32 UTF-8 bytes.
    /// NUL characters are rejected too, since the receiver strips them.
    pub fn new(name: &str) -> Result<Self, ActionTypeError> {
        let bytes = name.as_bytes();
        if bytes.is_empty() {
            return Err(ActionTypeError::Empty);
        }
        if bytes.len() > ACTION_TYPE_LEN {
            return Err(ActionTypeError::TooLong {
                name: name.to_owned(),
                len: bytes.len(),
            });
        }
        if bytes.contains(&0) {
            return Err(ActionTypeError::Nul);
        }
        let mut padded = [0u8; ACTION_TYPE_LEN];
        padded[..bytes.len()].copy_from_slice(bytes);
        Ok(Self {
            padded,
            len: len_u8(bytes.len()),
        })
    }

    /// Decodes the 32-byte wire field: all NUL bytes are stripped (as JS does), the rest must be
    /// non-empty UTF-8.
    pub fn decode(field: &[u8; ACTION_TYPE_LEN]) -> Result<Self, ActionTypeError> {
        let mut padded = [0u8; ACTION_TYPE_LEN];
        let mut len = 0;
        for &byte in field {
            if byte != 0 {
                padded[len] = byte;
                len += 1;
            }
        }
        if len == 0 {
            return Err(ActionTypeError::Empty);
        }
        std::str::from_utf8(&padded[..len]).map_err(|_| ActionTypeError::InvalidUtf8)?;
        Ok(Self {
            padded,
            len: len_u8(len),
        })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.padded[..usize::from(self.len)])
            .expect("an ActionType holds UTF-8 by construction")
    }

    /// The 32-byte zero-padded wire field.
    pub fn padded(&self) -> &[u8; ACTION_TYPE_LEN] {
        &self.padded
    }

    /// Whether this is one of Trystero's internal types (`@_…`).
    pub fn is_internal(&self) -> bool {
        self.as_str().starts_with("@_")
    }
}

impl fmt::Debug for ActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionType({:?})", self.as_str())
    }
}

impl fmt::Display for ActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<&str> for ActionType {
    type Error = ActionTypeError;
    fn try_from(name: &str) -> Result<Self, ActionTypeError> {
        Self::new(name)
    }
}

/// An action type length, at most 32 by construction.
#[allow(clippy::cast_possible_truncation)]
const fn len_u8(len: usize) -> u8 {
    debug_assert!(len <= ACTION_TYPE_LEN);
    len as u8
}

/// The flags byte of a chunk header.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChunkFlags(u8);

impl ChunkFlags {
    /// The final chunk of a transmission.
    pub const LAST: Self = Self(0x01);
    /// The metadata chunk (always the first chunk when present).
    pub const META: Self = Self(0x02);
    /// The payload is binary.
    pub const BINARY: Self = Self(0x04);
    /// The payload is JSON (also set for binary, as JS does).
    pub const JSON: Self = Self(0x08);

    /// Flags from the raw byte. Unknown bits are kept and ignored, as JS ignores them.
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The raw byte.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether all of `other`'s bits are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of both flag sets.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether this is the final chunk.
    pub const fn is_last(self) -> bool {
        self.contains(Self::LAST)
    }

    /// Whether this is the metadata chunk.
    pub const fn is_meta(self) -> bool {
        self.contains(Self::META)
    }
}

impl std::ops::BitOr for ChunkFlags {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        self.union(other)
    }
}

impl fmt::Debug for ChunkFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChunkFlags({:#04x}", self.0)?;
        for (flag, name) in [
            (Self::LAST, "last"),
            (Self::META, "meta"),
            (Self::BINARY, "binary"),
            (Self::JSON, "json"),
        ] {
            if self.contains(flag) {
                write!(f, " {name}")?;
            }
        }
        f.write_str(")")
    }
}

/// A decoded chunk header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    /// The action the chunk belongs to.
    pub action: ActionType,
    /// The transmission's nonce (per action type, per sender).
    pub nonce: u16,
    /// The flags.
    pub flags: ChunkFlags,
    /// `round((i + 1) / total · 255)`: this chunk's share of the transmission.
    pub progress: u8,
}

impl ChunkHeader {
    /// The 36 header bytes.
    pub fn encode(&self) -> [u8; CHUNK_HEADER_LEN] {
        let mut out = [0u8; CHUNK_HEADER_LEN];
        out[..ACTION_TYPE_LEN].copy_from_slice(self.action.padded());
        out[32..34].copy_from_slice(&self.nonce.to_be_bytes());
        out[34] = self.flags.bits();
        out[35] = self.progress;
        out
    }

    /// Decodes the first 36 bytes of `chunk`.
    pub fn decode(chunk: &[u8]) -> Result<Self, ChunkError> {
        let Some((header, _)) = chunk.split_first_chunk::<CHUNK_HEADER_LEN>() else {
            return Err(ChunkError::TooShort { len: chunk.len() });
        };
        let (field, rest) = header
            .split_first_chunk::<ACTION_TYPE_LEN>()
            .ok_or(ChunkError::TooShort { len: chunk.len() })?;
        Ok(Self {
            action: ActionType::decode(field)?,
            nonce: u16::from_be_bytes([rest[0], rest[1]]),
            flags: ChunkFlags::from_bits(rest[2]),
            progress: rest[3],
        })
    }
}

/// One chunk: a header and a borrowed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionChunk<'a> {
    /// The header.
    pub header: ChunkHeader,
    /// This chunk's payload bytes.
    pub payload: &'a [u8],
}

impl<'a> ActionChunk<'a> {
    /// Decodes a chunk (the bytes of a room frame after its token).
    pub fn decode(chunk: &'a [u8]) -> Result<Self, ChunkError> {
        let header = ChunkHeader::decode(chunk)?;
        Ok(Self {
            header,
            payload: &chunk[CHUNK_HEADER_LEN..],
        })
    }

    /// The chunk's encoded length.
    pub fn encoded_len(&self) -> usize {
        CHUNK_HEADER_LEN + self.payload.len()
    }

    /// Appends the encoded chunk to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&self.header.encode());
        out.extend_from_slice(self.payload);
    }
}

/// The progress byte of chunk `index` (0-based) of `total`: JS's
/// `Math.round(((index + 1) / total) * 255)`, computed in f64 exactly as JS does.
pub fn progress_byte(index: usize, total: usize) -> u8 {
    if total == 0 {
        return u8::MAX;
    }
    #[allow(clippy::cast_precision_loss)]
    let value = ((index + 1) as f64 / total as f64) * 255.0;
    // Math.round: the nearest integer, halves toward +∞.
    let floor = value.floor();
    let rounded = if value - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let byte = rounded.clamp(0.0, 255.0) as u8;
    byte
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_type_validation_mirrors_make_action() {
        assert_eq!(ActionType::new(""), Err(ActionTypeError::Empty));
        assert!(ActionType::new(&"x".repeat(32)).is_ok());
        assert_eq!(
            ActionType::new(&"x".repeat(33)),
            Err(ActionTypeError::TooLong {
                name: "x".repeat(33),
                len: 33
            })
        );
        // 11 three-byte characters = 33 bytes.
        assert!(matches!(
            ActionType::new(&"€".repeat(11)),
            Err(ActionTypeError::TooLong { len: 33, .. })
        ));
        assert_eq!(ActionType::new("a\0b"), Err(ActionTypeError::Nul));
        let chat = ActionType::new("chat").unwrap();
        assert_eq!(chat.as_str(), "chat");
        assert_eq!(&chat.padded()[..5], b"chat\0");
        assert!(!chat.is_internal());
        assert!(ActionType::new(ActionType::PING).unwrap().is_internal());
    }

    #[test]
    fn decoding_strips_every_nul_like_js() {
        let mut field = [0u8; 32];
        field[0] = b'a';
        field[5] = b'b';
        assert_eq!(ActionType::decode(&field).unwrap().as_str(), "ab");
        assert_eq!(ActionType::decode(&[0; 32]), Err(ActionTypeError::Empty));
        field[6] = 0xff;
        assert_eq!(
            ActionType::decode(&field),
            Err(ActionTypeError::InvalidUtf8)
        );
    }

    #[test]
    fn header_round_trips() {
        let header = ChunkHeader {
            action: ActionType::new("chat").unwrap(),
            nonce: 0x0102,
            flags: ChunkFlags::LAST | ChunkFlags::JSON,
            progress: 255,
        };
        let bytes = header.encode();
        assert_eq!(&bytes[32..], &[0x01, 0x02, 0x09, 0xff]);
        assert_eq!(ChunkHeader::decode(&bytes), Ok(header));
        assert_eq!(
            ChunkHeader::decode(&bytes[..35]),
            Err(ChunkError::TooShort { len: 35 })
        );
    }

    #[test]
    fn progress_byte_matches_js_math_round() {
        // Values computed with node: Math.round(((i + 1) / total) * 255).
        assert_eq!(progress_byte(0, 1), 255);
        assert_eq!(progress_byte(0, 2), 128); // 127.5 rounds up
        assert_eq!(progress_byte(1, 2), 255);
        assert_eq!(progress_byte(0, 3), 85);
        assert_eq!(progress_byte(0, 6), 43); // 42.5 in exact arithmetic
        assert_eq!(progress_byte(0, 10), 26); // 25.5
        assert_eq!(progress_byte(0, 511), 0);
        assert_eq!(progress_byte(0, 4106), 0);
        assert_eq!(progress_byte(2052, 4106), 128);
        assert_eq!(progress_byte(4105, 4106), 255);
    }

    #[test]
    fn progress_byte_equals_exact_half_up_rounding() {
        // node confirmed Math.round(((i+1)/t)*255) == floor(((i+1)*510 + t) / (2t)) for every
        // t <= 5000; the f64 computation must agree with that exact formula too.
        for total in 1..=1500 {
            for index in 0..total {
                let exact = ((index + 1) * 510 + total) / (2 * total);
                assert_eq!(
                    usize::from(progress_byte(index, total)),
                    exact,
                    "{index}/{total}"
                );
            }
        }
    }

    #[test]
    fn flags_debug_names_bits() {
        let flags = ChunkFlags::BINARY | ChunkFlags::JSON | ChunkFlags::LAST;
        assert_eq!(flags.bits(), 0x0d);
        assert_eq!(format!("{flags:?}"), "ChunkFlags(0x0d last binary json)");
    }
}

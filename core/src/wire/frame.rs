//! Outer frames of the shared-peer layer (protocol §6.1).
//!
//! Room frame (version 1): `0x01`, token length (u16 BE), token, one action chunk.
//! Presence frame (version 2): `0x02`, `0x01` present / `0x00` absent, token length (u16 BE),
//! token.

use super::chunk::ActionChunk;
use crate::id::RoomToken;

/// The first byte of a room frame.
pub const ROOM_FRAME_VERSION: u8 = 1;
/// The first byte of a presence frame.
pub const PRESENCE_FRAME_VERSION: u8 = 2;

/// An outer frame failed to decode. Trystero JS drops such messages silently; callers count them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The message is shorter than the smallest frame header.
    #[error("a frame needs at least {needed} bytes, got {len}")]
    TooShort {
        /// The minimum for this frame kind.
        needed: usize,
        /// The length received.
        len: usize,
    },
    /// The first byte is neither 1 (room) nor 2 (presence).
    #[error("unknown frame version {0:#04x}")]
    UnknownVersion(u8),
    /// The token length field is zero.
    #[error("the room token length is zero")]
    EmptyToken,
    /// The token length field points past the end of the message.
    #[error("the frame announces a {token_len}-byte token but only {available} bytes follow")]
    Truncated {
        /// The announced token length.
        token_len: usize,
        /// The bytes left after the header.
        available: usize,
    },
    /// The presence byte is neither 0 nor 1.
    #[error("unknown presence state {0:#04x}")]
    PresenceState(u8),
}

/// A decoded outer frame, borrowing from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// One action chunk for the room with this token.
    Room {
        /// The room token bytes (64 lowercase hex characters from Trystero peers; not validated
        /// here: an unknown token simply matches no room).
        token: &'a [u8],
        /// The action chunk, to decode with [`super::ActionChunk::decode`].
        chunk: &'a [u8],
    },
    /// The sender is (or is no longer) in the room with this token.
    Presence {
        /// The room token bytes.
        token: &'a [u8],
        /// Whether the sender is present.
        present: bool,
    },
}

/// Decodes one data-channel message.
pub fn decode_frame(message: &[u8]) -> Result<Frame<'_>, FrameError> {
    match message.first() {
        None => Err(FrameError::TooShort { needed: 3, len: 0 }),
        Some(&ROOM_FRAME_VERSION) => {
            let (token, chunk) = split_token(message, 1)?;
            Ok(Frame::Room { token, chunk })
        }
        Some(&PRESENCE_FRAME_VERSION) => {
            if message.len() < 4 {
                return Err(FrameError::TooShort {
                    needed: 4,
                    len: message.len(),
                });
            }
            let present = match message[1] {
                0 => false,
                1 => true,
                other => return Err(FrameError::PresenceState(other)),
            };
            let (token, _rest) = split_token(message, 2)?;
            Ok(Frame::Presence { token, present })
        }
        Some(&other) => Err(FrameError::UnknownVersion(other)),
    }
}

/// Splits `[.. at][len u16 BE][token][rest]` into `(token, rest)`.
fn split_token(message: &[u8], at: usize) -> Result<(&[u8], &[u8]), FrameError> {
    let Some(&[high, low]) = message.get(at..at + 2) else {
        return Err(FrameError::TooShort {
            needed: at + 2,
            len: message.len(),
        });
    };
    let token_len = usize::from(u16::from_be_bytes([high, low]));
    if token_len == 0 {
        return Err(FrameError::EmptyToken);
    }
    let body = &message[at + 2..];
    if body.len() < token_len {
        return Err(FrameError::Truncated {
            token_len,
            available: body.len(),
        });
    }
    Ok(body.split_at(token_len))
}

/// The length of a room frame's header for a 64-byte token.
pub const ROOM_FRAME_HEADER_LEN: usize = 3 + crate::id::ROOM_TOKEN_LEN;

/// Appends a room frame carrying `chunk` (an encoded action chunk) to `out`.
pub fn encode_room_frame(token: &RoomToken, chunk: &[u8], out: &mut Vec<u8>) {
    out.reserve(ROOM_FRAME_HEADER_LEN + chunk.len());
    write_room_frame_header(token, out);
    out.extend_from_slice(chunk);
}

/// Appends the 67-byte room frame header (version, length, token) to `out`; the caller appends
/// the chunk. Lets a sender write header, chunk header and payload with a single copy.
pub fn write_room_frame_header(token: &RoomToken, out: &mut Vec<u8>) {
    out.push(ROOM_FRAME_VERSION);
    out.extend_from_slice(&token_len_be(token));
    out.extend_from_slice(token.as_bytes());
}

/// Appends a room frame carrying `chunk` to `out`: frame header, chunk header and payload,
/// with a single copy of the payload.
pub fn encode_room_frame_chunk(token: &RoomToken, chunk: &ActionChunk<'_>, out: &mut Vec<u8>) {
    out.reserve(ROOM_FRAME_HEADER_LEN + chunk.encoded_len());
    write_room_frame_header(token, out);
    chunk.encode_into(out);
}

/// Appends a presence frame to `out`.
pub fn encode_presence_frame(token: &RoomToken, present: bool, out: &mut Vec<u8>) {
    out.reserve(4 + token.as_bytes().len());
    out.push(PRESENCE_FRAME_VERSION);
    out.push(u8::from(present));
    out.extend_from_slice(&token_len_be(token));
    out.extend_from_slice(token.as_bytes());
}

fn token_len_be(token: &RoomToken) -> [u8; 2] {
    // A RoomToken is always 64 bytes, far below u16::MAX.
    #[allow(clippy::cast_possible_truncation)]
    let len = token.as_bytes().len() as u16;
    len.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> RoomToken {
        RoomToken::from_digest(&[0x5a; 32])
    }

    #[test]
    fn room_frames_round_trip() {
        let mut out = Vec::new();
        encode_room_frame(&token(), b"chunk", &mut out);
        assert_eq!(&out[..3], &[0x01, 0x00, 0x40]);
        assert_eq!(
            decode_frame(&out),
            Ok(Frame::Room {
                token: token().as_bytes(),
                chunk: b"chunk"
            })
        );
    }

    #[test]
    fn presence_frames_round_trip() {
        for present in [true, false] {
            let mut out = Vec::new();
            encode_presence_frame(&token(), present, &mut out);
            assert_eq!(out.len(), 68);
            assert_eq!(
                decode_frame(&out),
                Ok(Frame::Presence {
                    token: token().as_bytes(),
                    present
                })
            );
        }
    }

    #[test]
    fn malformed_frames_are_typed_errors() {
        assert_eq!(
            decode_frame(&[]),
            Err(FrameError::TooShort { needed: 3, len: 0 })
        );
        assert_eq!(
            decode_frame(&[1, 0]),
            Err(FrameError::TooShort { needed: 3, len: 2 })
        );
        assert_eq!(
            decode_frame(&[3, 0, 1, 0]),
            Err(FrameError::UnknownVersion(3))
        );
        assert_eq!(decode_frame(&[1, 0, 0, 9]), Err(FrameError::EmptyToken));
        assert_eq!(
            decode_frame(&[1, 0, 4, b'a']),
            Err(FrameError::Truncated {
                token_len: 4,
                available: 1
            })
        );
        assert_eq!(
            decode_frame(&[2, 1, 0]),
            Err(FrameError::TooShort { needed: 4, len: 3 })
        );
        assert_eq!(
            decode_frame(&[2, 7, 0, 1, b'a']),
            Err(FrameError::PresenceState(7))
        );
        assert_eq!(
            decode_frame(&[2, 1, 0, 2, b'a']),
            Err(FrameError::Truncated {
                token_len: 2,
                available: 1
            })
        );
    }

    #[test]
    fn a_room_frame_may_carry_an_empty_chunk() {
        // JS accepts it at this layer; the chunk decoder then rejects it.
        assert_eq!(
            decode_frame(&[1, 0, 1, b'a']),
            Ok(Frame::Room {
                token: b"a",
                chunk: &[]
            })
        );
    }
}

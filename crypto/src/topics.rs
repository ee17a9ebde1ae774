//! Topic strings and room tokens (protocol §1.2–§1.3).
//!
//! | name | definition |
//! |---|---|
//! | root topic | `sha1b36("Trystero@" + appId + "@" + roomId)` |
//! | peer topic | `sha1b36("Trystero@" + appId + "@" + roomId + "@" + peerId)` (a peer's inbox) |
//! | room token | lowercase hex `SHA-256("Trystero:" + appId + ":" + roomId)` |
//! | Nostr kind | `(Σ UTF-16 code units of topic) mod 10000 + 20000` |
//! | torrent `info_hash` | the first 20 characters of `sha1b36(root topic)` |

use std::fmt::Write;

use ring::digest;
use trystero_core::{AppId, PeerId, RoomId, RoomToken};

const LIB_NAME: &str = "Trystero";

/// `sha1b36`: SHA-1 of the UTF-8 bytes, each byte written in lowercase base-36 **without zero
/// padding** and concatenated (20 to 40 characters of `[0-9a-z]`).
pub fn sha1_base36(text: &str) -> String {
    let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    let mut out = String::with_capacity(40);
    for &byte in hash.as_ref() {
        push_base36(&mut out, byte);
    }
    out
}

fn push_base36(out: &mut String, byte: u8) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if byte >= 36 {
        out.push(char::from(DIGITS[usize::from(byte / 36)]));
    }
    out.push(char::from(DIGITS[usize::from(byte % 36)]));
}

fn root_plaintext(app: &AppId, room: &RoomId) -> String {
    format!("{LIB_NAME}@{app}@{room}")
}

/// The room's root topic, where peers announce themselves.
pub fn root_topic(app: &AppId, room: &RoomId) -> String {
    sha1_base36(&root_plaintext(app, room))
}

/// `peer`'s inbox topic in the room: its self topic, or the topic others send its signals to.
pub fn peer_topic(app: &AppId, room: &RoomId, peer: &PeerId) -> String {
    let mut plaintext = root_plaintext(app, room);
    let _ = write!(plaintext, "@{peer}");
    sha1_base36(&plaintext)
}

/// The Nostr event kind of a topic: in the ephemeral range 20000–29999.
pub fn nostr_kind(topic: &str) -> u16 {
    let sum: u64 = topic.encode_utf16().map(u64::from).sum();
    // The remainder is below 10 000, so the kind fits in u16.
    20_000 + u16::try_from(sum % 10_000).unwrap_or_default()
}

/// The torrent `info_hash`: the first 20 characters of `sha1b36` of the root topic (0.25.4
/// hashes the root topic again; the protocol notes said the root topic's own prefix).
pub fn torrent_info_hash(app: &AppId, room: &RoomId) -> String {
    info_hash_of_topic(&root_topic(app, room))
}

/// The torrent `info_hash` of a root topic (see [`torrent_info_hash`]).
pub fn info_hash_of_topic(root_topic: &str) -> String {
    // sha1b36 output is ASCII, so this never cuts a character.
    sha1_base36(root_topic).chars().take(20).collect()
}

/// The room token that tags the room's frames on shared data channels.
pub fn room_token(app: &AppId, room: &RoomId) -> RoomToken {
    let hash = digest::digest(
        &digest::SHA256,
        format!("{LIB_NAME}:{app}:{room}").as_bytes(),
    );
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(hash.as_ref());
    RoomToken::from_digest(&bytes)
}

/// Every string a peer derives for one room, computed once at join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomTopics {
    /// The root topic (announcements).
    pub root: String,
    /// This peer's own inbox topic.
    pub own: String,
    /// The room token.
    pub token: RoomToken,
}

impl RoomTopics {
    /// Derives the topics of `room` in `app` for `own_id`.
    pub fn new(app: &AppId, room: &RoomId, own_id: &PeerId) -> Self {
        Self {
            root: root_topic(app, room),
            own: peer_topic(app, room, own_id),
            token: room_token(app, room),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_digits_are_unpadded() {
        let mut out = String::new();
        for byte in [0, 35, 36, 255] {
            push_base36(&mut out, byte);
            out.push(' ');
        }
        assert_eq!(out, "0 z 10 73 ");
    }
}

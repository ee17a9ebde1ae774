//! The room-secrets port: topics, the room token, the signalling cipher and the password proof.
//!
//! The engine needs hashes and AES-GCM but `trystero-core` does no cryptography, so it asks a
//! [`RoomKeys`] implementation. `trystero-crypto` provides the real one (Trystero's exact
//! derivations); [`PlainKeys`] is the in-memory adapter for fast engine tests.

use crate::id::{AppId, PeerId, RoomId, RoomToken};

/// Decrypting a signal failed: the password differs, or the message was altered or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not decrypt the signal: {reason}")]
pub struct KeyError {
    /// Why, in words.
    pub reason: String,
}

/// Everything secret or derived about one room, for one app and password.
///
/// Contract: all methods are pure functions of (password, app id, room id) and their arguments;
/// `decrypt(encrypt(x)) == x` for the same keys, and `decrypt` fails for keys derived from a
/// different password (that is how a wrong password is detected).
pub trait RoomKeys: Send + Sync + 'static {
    /// The room's root topic (announcements).
    fn root_topic(&self) -> String;
    /// `peer`'s inbox topic in this room.
    fn peer_topic(&self, peer: &PeerId) -> String;
    /// The room token for frames on shared connections.
    fn token(&self) -> RoomToken;
    /// Encrypts an SDP or candidate for the relay.
    fn encrypt(&self, plaintext: &str) -> Result<String, KeyError>;
    /// Decrypts what a peer sent through the relay.
    fn decrypt(&self, wire: &str) -> Result<String, KeyError>;
    /// The password handshake's response to `challenge`.
    fn challenge_response(&self, challenge: &str) -> String;
    /// Whether a password is set (the challenge then runs on every peer).
    fn has_password(&self) -> bool;
}

/// A transparent stand-in for tests: readable topics, a "cipher" that only tags the text with
/// the password (so a wrong password still fails to decrypt), and a token derived from the names.
/// **Not** secret and not wire-compatible: never use it with real peers.
#[derive(Debug, Clone)]
pub struct PlainKeys {
    app: AppId,
    room: RoomId,
    password: String,
}

impl PlainKeys {
    /// Keys for `room` of `app` with `password` (empty for none).
    pub fn new(app: &AppId, room: &RoomId, password: &str) -> Self {
        Self {
            app: app.clone(),
            room: room.clone(),
            password: password.to_owned(),
        }
    }
}

impl PlainKeys {
    /// `len:password#`: unambiguous even for passwords containing `#`.
    fn tag(&self) -> String {
        format!("{}:{}#", self.password.len(), self.password)
    }
}

impl RoomKeys for PlainKeys {
    fn root_topic(&self) -> String {
        format!("root/{}/{}", self.app, self.room)
    }

    fn peer_topic(&self, peer: &PeerId) -> String {
        format!("peer/{}/{}/{peer}", self.app, self.room)
    }

    fn token(&self) -> RoomToken {
        // FNV-1a over the names, spread over 32 bytes: distinct rooms get distinct tokens.
        let mut digest = [0u8; 32];
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (index, chunk) in digest.chunks_mut(8).enumerate() {
            for byte in format!("{index}:{}:{}", self.app, self.room).bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            chunk.copy_from_slice(&hash.to_be_bytes());
        }
        RoomToken::from_digest(&digest)
    }

    fn encrypt(&self, plaintext: &str) -> Result<String, KeyError> {
        Ok(format!("{}{plaintext}", self.tag()))
    }

    fn decrypt(&self, wire: &str) -> Result<String, KeyError> {
        wire.strip_prefix(&self.tag())
            .map(str::to_owned)
            .ok_or_else(|| KeyError {
                reason: "wrong password or malformed".into(),
            })
    }

    fn challenge_response(&self, challenge: &str) -> String {
        format!("{challenge}:{}", self.password)
    }

    fn has_password(&self) -> bool {
        !self.password.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(room: &str, password: &str) -> PlainKeys {
        PlainKeys::new(
            &AppId::new("app").unwrap(),
            &RoomId::new(room).unwrap(),
            password,
        )
    }

    #[test]
    fn plain_keys_model_a_password() {
        let right = keys("r", "pw");
        let sealed = right.encrypt("v=0").unwrap();
        assert_eq!(right.decrypt(&sealed).unwrap(), "v=0");
        assert!(keys("r", "other").decrypt(&sealed).is_err());
        assert!(keys("r", "").decrypt(&sealed).is_err());
        let open = keys("r", "");
        assert_eq!(open.decrypt(&open.encrypt("x").unwrap()).unwrap(), "x");
        assert_ne!(
            right.challenge_response("c"),
            keys("r", "other").challenge_response("c")
        );
    }

    #[test]
    fn plain_tokens_differ_per_room() {
        assert_ne!(keys("a", "").token(), keys("b", "").token());
        assert_eq!(keys("a", "").token(), keys("a", "x").token());
    }
}

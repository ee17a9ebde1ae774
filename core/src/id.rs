//! Identifiers: peer ids, app ids, room ids and room tokens.
//!
//! Trystero JS draws every random id from one 62-character alphabet (protocol §1.1). A peer id
//! (`selfId`) is 20 of those characters. Peers compare ids with JS string `<`, which for this
//! alphabet is byte-wise ASCII order: `PeerId`'s `Ord` is exactly that, so the lower id offers
//! and initiates the password handshake on both sides.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::random::{OsRandom, RandomError, RandomSource};

/// Trystero's id alphabet, in Trystero's order.
pub const ID_ALPHABET: &[u8; 62] =
    b"0123456789AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz";

/// The length of a peer id.
pub const PEER_ID_LEN: usize = 20;

/// The length of a room token: lowercase hex of a SHA-256 digest.
pub const ROOM_TOKEN_LEN: usize = 64;

/// An identifier failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// A peer id has the wrong length.
    #[error("a peer id is {expected} characters long, got {actual}")]
    PeerIdLength {
        /// The required length.
        expected: usize,
        /// The length that was given, in bytes.
        actual: usize,
    },
    /// A peer id holds a character outside Trystero's alphabet.
    #[error(
        "a peer id may only hold the characters 0-9, A-Z and a-z; found {found:?} at byte {index}"
    )]
    PeerIdCharacter {
        /// The byte offset of the offending character.
        index: usize,
        /// The offending character.
        found: char,
    },
    /// An app id is empty.
    #[error("the app id must not be empty")]
    EmptyAppId,
    /// A room id is empty.
    #[error("the room id must not be empty")]
    EmptyRoomId,
    /// A room token is not 64 lowercase hex characters.
    #[error("a room token is 64 lowercase hex characters")]
    RoomToken,
}

/// Fills a string of `len` characters from [`ID_ALPHABET`], uniformly, from `random`.
///
/// This is Trystero's `genId(len)`, but drawn from a [`RandomSource`] (JS uses `Math.random`).
pub fn random_id_with<R: RandomSource + ?Sized>(
    random: &mut R,
    len: usize,
) -> Result<String, RandomError> {
    let mut out = vec![0u8; len];
    fill_from_alphabet(random, &mut out)?;
    Ok(out.into_iter().map(char::from).collect())
}

/// [`random_id_with`] from the operating system's CSPRNG.
pub fn random_id(len: usize) -> Result<String, RandomError> {
    random_id_with(&mut OsRandom, len)
}

/// Fills `out` with uniformly chosen alphabet characters (rejection sampling, no modulo bias).
fn fill_from_alphabet<R: RandomSource + ?Sized>(
    random: &mut R,
    out: &mut [u8],
) -> Result<(), RandomError> {
    // 248 = 4 * 62: bytes below it map uniformly onto the alphabet.
    const LIMIT: u8 = 248;
    let mut filled = 0;
    let mut pool = [0u8; 64];
    while filled < out.len() {
        random.fill_bytes(&mut pool)?;
        for &byte in &pool {
            if byte < LIMIT && filled < out.len() {
                out[filled] = ID_ALPHABET[usize::from(byte % 62)];
                filled += 1;
            }
        }
    }
    Ok(())
}

/// A peer's id: 20 characters of [`ID_ALPHABET`].
///
/// Ordered byte-wise, as JS compares `selfId < peerId`. One id is used per process (or per
/// [`crate::config::RoomConfig`] user), shared by all of its rooms, as in JS.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerId([u8; PEER_ID_LEN]);

impl PeerId {
    /// A fresh id from the operating system's CSPRNG.
    pub fn random() -> Result<Self, RandomError> {
        Self::random_with(&mut OsRandom)
    }

    /// A fresh id from `random`.
    pub fn random_with<R: RandomSource + ?Sized>(random: &mut R) -> Result<Self, RandomError> {
        let mut bytes = [0u8; PEER_ID_LEN];
        fill_from_alphabet(random, &mut bytes)?;
        Ok(Self(bytes))
    }

    /// Parses and validates an id received from the network or typed by a user.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        Self::from_bytes(text.as_bytes())
    }

    /// Validates raw bytes as an id.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdError> {
        let array: [u8; PEER_ID_LEN] = bytes.try_into().map_err(|_| IdError::PeerIdLength {
            expected: PEER_ID_LEN,
            actual: bytes.len(),
        })?;
        if let Some(index) = array.iter().position(|byte| !byte.is_ascii_alphanumeric()) {
            let found = std::str::from_utf8(&bytes[index..])
                .ok()
                .and_then(|rest| rest.chars().next())
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(IdError::PeerIdCharacter { index, found });
        }
        Ok(Self(array))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a PeerId holds ASCII alphanumerics by construction")
    }

    /// The id's ASCII bytes.
    pub fn as_bytes(&self) -> &[u8; PEER_ID_LEN] {
        &self.0
    }

    /// Whether this peer makes the WebRTC offer to (and initiates the password handshake with)
    /// `other`: the lower id leads.
    pub fn leads(&self, other: &PeerId) -> bool {
        self < other
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PeerId({})", self.as_str())
    }
}

impl FromStr for PeerId {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, IdError> {
        Self::parse(text)
    }
}

impl AsRef<str> for PeerId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for PeerId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PeerId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! non_empty_string_id {
    ($(#[$doc:meta])* $name:ident, $error:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Validates `value`: any non-empty string, used exactly as given (no normalisation),
            /// as Trystero JS does.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                if value.is_empty() {
                    return Err(IdError::$error);
                }
                Ok(Self(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                Self::new(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(text: &str) -> Result<Self, IdError> {
                Self::new(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(text: String) -> Result<Self, IdError> {
                Self::new(text)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

non_empty_string_id!(
    /// An application id: namespaces every room of one app. Any non-empty string.
    AppId,
    EmptyAppId
);

non_empty_string_id!(
    /// A room id inside an app. Any non-empty string.
    RoomId,
    EmptyRoomId
);

/// A room's token on shared data channels: lowercase hex of
/// `SHA-256("Trystero:" + appId + ":" + roomId)` (computed by `trystero-crypto`).
///
/// Room frames carry it so that one WebRTC connection can serve several rooms of one app.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoomToken([u8; ROOM_TOKEN_LEN]);

impl RoomToken {
    /// The token for a SHA-256 digest (hex-encodes it).
    pub fn from_digest(digest: &[u8; 32]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; ROOM_TOKEN_LEN];
        for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        Self(out)
    }

    /// Validates token bytes as received in a frame.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdError> {
        let array: [u8; ROOM_TOKEN_LEN] = bytes.try_into().map_err(|_| IdError::RoomToken)?;
        if !array
            .iter()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(IdError::RoomToken);
        }
        Ok(Self(array))
    }

    /// The token's ASCII bytes, as they appear on the wire.
    pub fn as_bytes(&self) -> &[u8; ROOM_TOKEN_LEN] {
        &self.0
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a RoomToken holds ASCII hex by construction")
    }
}

impl fmt::Display for RoomToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RoomToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoomToken({})", self.as_str())
    }
}

impl FromStr for RoomToken {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, IdError> {
        Self::from_bytes(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeededRandom;

    #[test]
    fn alphabet_matches_trystero() {
        assert_eq!(ID_ALPHABET.len(), 62);
        let mut sorted = ID_ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 62, "no duplicates");
        assert!(ID_ALPHABET.starts_with(b"0123456789AaBb"));
        assert!(ID_ALPHABET.ends_with(b"YyZz"));
    }

    #[test]
    fn random_peer_ids_are_valid_and_distinct() {
        let a = PeerId::random().unwrap();
        let b = PeerId::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(PeerId::parse(a.as_str()), Ok(a));
        assert_eq!(a.as_str().len(), PEER_ID_LEN);
    }

    #[test]
    fn seeded_ids_are_reproducible() {
        let a = PeerId::random_with(&mut SeededRandom::new(1)).unwrap();
        let b = PeerId::random_with(&mut SeededRandom::new(1)).unwrap();
        assert_eq!(a, b);
        let offer_id = random_id_with(&mut SeededRandom::new(1), 12).unwrap();
        assert_eq!(offer_id.len(), 12);
        assert!(offer_id.bytes().all(|byte| ID_ALPHABET.contains(&byte)));
    }

    #[test]
    fn id_characters_are_roughly_uniform() {
        // 62 000 draws: each character expected 1000 times; a biased mapping (byte % 62 without
        // rejection) would give the first 8 characters ~1.2x the others.
        let id = random_id_with(&mut SeededRandom::new(42), 62_000).unwrap();
        let mut counts = [0u32; 256];
        for byte in id.bytes() {
            counts[usize::from(byte)] += 1;
        }
        for &byte in ID_ALPHABET {
            let count = counts[usize::from(byte)];
            assert!(
                (850..1150).contains(&count),
                "{} drawn {count} times",
                byte as char
            );
        }
    }

    #[test]
    fn ordering_is_bytewise_like_js() {
        // digits < upper case < lower case, as JS string comparison on ASCII.
        let digit = PeerId::parse("0zzzzzzzzzzzzzzzzzzz").unwrap();
        let upper = PeerId::parse("Zk4EuH4FDB2jqJYMw0Ug").unwrap();
        let lower = PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap();
        assert!(digit < upper && upper < lower);
        assert!(upper.leads(&lower));
        assert!(!lower.leads(&upper));
        assert!(!upper.leads(&upper));
    }

    #[test]
    fn peer_id_validation_errors_are_typed() {
        assert_eq!(
            PeerId::parse("short"),
            Err(IdError::PeerIdLength {
                expected: 20,
                actual: 5
            })
        );
        assert_eq!(
            PeerId::parse("skwDUFD6qrm1B4Wvfkw-"),
            Err(IdError::PeerIdCharacter {
                index: 19,
                found: '-'
            })
        );
        // 20 bytes, but one non-ASCII character.
        assert_eq!(
            PeerId::parse("skwDUFD6qrm1B4Wvfké"),
            Err(IdError::PeerIdCharacter {
                index: 18,
                found: 'é'
            })
        );
    }

    #[test]
    fn peer_id_serde_round_trips_and_validates() {
        let id = PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"skwDUFD6qrm1B4WvfkwH\"");
        assert_eq!(serde_json::from_str::<PeerId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<PeerId>("\"nope\"").is_err());
    }

    #[test]
    fn app_and_room_ids_must_be_non_empty() {
        assert_eq!(AppId::new(""), Err(IdError::EmptyAppId));
        assert_eq!(RoomId::new(""), Err(IdError::EmptyRoomId));
        assert_eq!(AppId::new(" ").unwrap().as_str(), " ", "used as given");
        assert!(serde_json::from_str::<RoomId>("\"\"").is_err());
        assert_eq!(
            serde_json::from_str::<RoomId>("\"room1\"")
                .unwrap()
                .as_str(),
            "room1"
        );
    }

    #[test]
    fn room_token_hex_encodes_and_validates() {
        let token = RoomToken::from_digest(&[0xab; 32]);
        assert_eq!(token.as_str(), "ab".repeat(32));
        assert_eq!(RoomToken::from_bytes(token.as_bytes()), Ok(token));
        assert_eq!(RoomToken::from_bytes(b"ab"), Err(IdError::RoomToken));
        assert_eq!(
            RoomToken::from_bytes("AB".repeat(32).as_bytes()),
            Err(IdError::RoomToken),
            "upper case is not what JS sends"
        );
    }
}

//! The identity port: a player's long-lived signing key, for what must provably come from them
//! (a signed match result, say). Peer ids are per session; a [`PublicKey`] stays with the player.
//!
//! `trystero-crypto` provides the real adapter (Ed25519). [`PlainIdentity`] is the in-memory
//! adapter for fast tests: transparent and forgeable by design, never for real peers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A player's public key (32 bytes, Ed25519 for the real adapter), written as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicKey(pub [u8; 32]);

/// A signature (64 bytes), written as 128 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Signature(pub [u8; 64]);

/// A key or signature string that is not the right number of hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} hex digits")]
pub struct HexError {
    /// How many were expected.
    pub expected: usize,
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn from_hex<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let error = HexError { expected: N * 2 };
    if text.len() != N * 2 || !text.is_ascii() {
        return Err(error);
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).map_err(|_| error.clone())?;
        *slot = u8::from_str_radix(pair, 16).map_err(|_| error.clone())?;
    }
    Ok(out)
}

macro_rules! hex_text {
    ($type:ident, $len:literal) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&to_hex(&self.0))
            }
        }

        impl fmt::Debug for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($type), &to_hex(&self.0)[..8])
            }
        }

        impl std::str::FromStr for $type {
            type Err = HexError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                from_hex::<$len>(text).map(Self)
            }
        }

        impl TryFrom<String> for $type {
            type Error = HexError;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.to_string()
            }
        }
    };
}

hex_text!(PublicKey, 32);
hex_text!(Signature, 64);

/// A player's signing key.
pub trait Identity: Send + Sync {
    /// The public half, which others verify with.
    fn public_key(&self) -> PublicKey;
    /// Signs `message`.
    fn sign(&self, message: &[u8]) -> Signature;
}

/// Checks signatures (the scheme of the matching [`Identity`]).
pub trait Verifier: Send + Sync {
    /// Whether `signature` is `key`'s over `message`.
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &Signature) -> bool;
}

/// The in-memory adapter: the "signature" is a keyed non-cryptographic digest of the message
/// under the public key itself. Anyone can forge one: tests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainIdentity {
    key: PublicKey,
}

impl PlainIdentity {
    /// The identity numbered `n` (its key is `n` spread over 32 bytes).
    pub fn new(n: u64) -> Self {
        let mut key = [0u8; 32];
        for (index, chunk) in key.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&(n ^ ((index as u64) << 56)).to_le_bytes());
        }
        Self {
            key: PublicKey(key),
        }
    }
}

/// Verifies [`PlainIdentity`] signatures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlainVerifier;

fn plain_signature(key: &PublicKey, message: &[u8]) -> Signature {
    // FNV-1a over key and message, spread over 64 bytes by eight seeds.
    let mut out = [0u8; 64];
    for (lane, chunk) in out.chunks_mut(8).enumerate() {
        let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ lane as u64;
        for byte in key.0.iter().chain(message) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        chunk.copy_from_slice(&hash.to_le_bytes());
    }
    Signature(out)
}

impl Identity for PlainIdentity {
    fn public_key(&self) -> PublicKey {
        self.key
    }

    fn sign(&self, message: &[u8]) -> Signature {
        plain_signature(&self.key, message)
    }
}

impl Verifier for PlainVerifier {
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &Signature) -> bool {
        plain_signature(key, message) == *signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_signatures_verify_only_for_their_key_and_message() {
        let (alice, bob) = (PlainIdentity::new(1), PlainIdentity::new(2));
        let signature = alice.sign(b"result");
        assert!(PlainVerifier.verify(&alice.public_key(), b"result", &signature));
        assert!(!PlainVerifier.verify(&bob.public_key(), b"result", &signature));
        assert!(!PlainVerifier.verify(&alice.public_key(), b"resulT", &signature));
    }

    #[test]
    fn keys_and_signatures_read_back_from_hex() {
        let key = PlainIdentity::new(7).public_key();
        let text = key.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<PublicKey>().unwrap(), key);
        assert!("abc".parse::<PublicKey>().is_err());
        assert!("zz".repeat(32).parse::<PublicKey>().is_err());
        let json = serde_json::to_string(&PlainIdentity::new(7).sign(b"x")).unwrap();
        assert_eq!(json.len(), 130);
    }
}

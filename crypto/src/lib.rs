//! `trystero-crypto`: the hashes and the cipher of Trystero's protocol (protocol §1.2–§2, §6.5).
//!
//! - [`topics`]: `sha1b36` (SHA-1 written as unpadded base-36), the root, self and peer topics,
//!   the Nostr event kind, the torrent `info_hash` and the room token.
//! - [`sdp`]: [`SdpKey`], AES-256-GCM with Trystero's 16-byte IV and its `decimal,iv$base64`
//!   wire string, used to encrypt offers, answers and candidates on relays.
//! - [`password`]: the response to the password handshake's challenge.
//! - [`keys`]: [`TrysteroKeys`], the implementation of core's `RoomKeys` port the room engine
//!   uses.
//! - [`identity`]: [`Ed25519Identity`] and [`Ed25519Verifier`], the implementation of core's
//!   identity port (a player's long-lived signing key, for match results).
//!
//! SHA-1, SHA-256 and Ed25519 come from `ring`; AES-GCM from RustCrypto's `aes-gcm`, because `ring` only
//! takes 12-byte nonces. What it is not: no key exchange; Nostr event signing belongs to the
//! Nostr adapter. It depends on `trystero-core` only for the id types, and
//! compiles for `wasm32-unknown-unknown`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod hardened;
pub mod identity;
pub mod keys;
pub mod password;
pub mod sdp;
pub mod topics;

pub use hardened::{HardenError, harden, room_password};
pub use identity::{Ed25519Identity, Ed25519Verifier};
pub use keys::TrysteroKeys;
pub use password::{password_challenge_response, verify_password_response};
pub use sdp::{DecryptError, EncryptError, SdpKey, sdp_key_bytes};
pub use topics::{
    RoomTopics, info_hash_of_topic, nostr_kind, peer_topic, room_token, root_topic, sha1_base36,
    torrent_info_hash,
};

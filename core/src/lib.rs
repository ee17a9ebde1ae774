//! `trystero-core`: the pure heart of Trystero for Rust.
//!
//! This crate holds the domain types every other crate shares and the byte-exact data-channel
//! wire codec of Trystero JS 0.25 (see `shared/trystero-protocol.md` §6):
//!
//! - [`id`]: peer ids (20 characters of Trystero's 62-character alphabet, from a CSPRNG, ordered
//!   byte-wise so both peers agree who offers), app ids, room ids and room tokens.
//! - [`config`]: the room configuration (app id, password, relays, ICE servers, trickle ICE,
//!   handshake timeout) and its builder.
//! - [`random`]: the randomness port ([`random::RandomSource`]) with the operating-system adapter
//!   and a seeded in-memory adapter for tests.
//! - [`identity`]: the identity port — a player's long-lived signing key ([`identity::Identity`],
//!   [`identity::Verifier`]) for what must provably come from them — with a transparent
//!   in-memory adapter.
//! - [`keys`], [`signaler`], [`transport`], [`time`]: the other ports — room secrets, the relays
//!   (publish/subscribe on topics), peer connections and the clock — each with an in-memory
//!   adapter.
//! - [`room`]: joining rooms — the handles users hold, the sans-IO room engine (data channels) and
//!   signalling (relays), and the driver that runs them on the ports.
//! - [`audio`]: the audio port — voices at positions, the listener, buses, Web Audio's distance
//!   models — with an in-memory recording adapter.
//! - [`render`]: the render port — the frame description the game fills (sprites per layer,
//!   particle effects, lights and occluders, camera, post-processing), the camera rig, culling
//!   and batching — with an in-memory recording adapter.
//! - [`wire`]: room and presence frames, the 36-byte action chunk header, the chunker and the
//!   bounded reassembler.
//!
//! What it is not: there is no IO here. No tokio, no sockets, no WebRTC, no relay protocol and no
//! hashing (topics, tokens and AES-GCM live in `trystero-crypto`). The crate compiles for
//! `wasm32-unknown-unknown`, and every decoder returns a typed error on bad input instead of
//! panicking.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audio;
pub mod config;
pub mod id;
pub mod identity;
pub mod keys;
pub mod random;
pub mod render;
pub mod room;
pub mod signaler;
pub mod time;
pub mod transport;
pub mod wire;

pub use config::{
    ConfigError, IceServer, PasswordMode, RelayConfig, RoomConfig, RoomConfigBuilder,
};
pub use id::{AppId, IdError, PeerId, RoomId, RoomToken};
pub use random::{OsRandom, RandomError, RandomSource, SeededRandom, SharedRandom};

//! Integration tests of trystero-crypto: the protocol's vectors, and the room engine running on
//! the real keys.

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod engine;
mod hardened;
mod vectors;

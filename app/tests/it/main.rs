//! The `trystero` binary end to end: real processes, the embedded relay on loopback, real
//! WebRTC between them.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code: a failure is a test failure

mod chat;
mod facade;
mod files;
mod interop;
mod peer;
mod relays;
mod rollback;

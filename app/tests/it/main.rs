//! The `trystero` binary end to end: real processes, the embedded relay on loopback, real
//! WebRTC between them.

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod interop;
mod peer;

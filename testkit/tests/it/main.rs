//! The test kit itself: every launcher starts its server on 127.0.0.1, says where, and kills
//! it on drop; the room helpers bring two Rust peers together.

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod rooms;
mod servers;

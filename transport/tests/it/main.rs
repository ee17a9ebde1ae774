//! Real WebRTC on loopback: links made by `WebRtcTransport`, and whole rooms driven by
//! trystero-core's engine over them (in-process relay, real keys).

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod link;
mod room;
mod turn;

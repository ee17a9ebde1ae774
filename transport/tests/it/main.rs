//! Real WebRTC on loopback: links made by `WebRtcTransport`, and whole rooms driven by
//! trystero-core's engine over them (in-process relay, real keys).

#![allow(
    clippy::unwrap_used,
    clippy::await_holding_lock,
    clippy::cast_possible_truncation
)] // test code; `heavy` blocks on purpose

mod link;

/// Tests that move a lot of data or go through the TURN relay take turns: on a 2-core machine
/// running them all at once starves the WebRTC stacks into timeouts that say nothing about the
/// code under test.
pub(crate) fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

mod room;
mod turn;

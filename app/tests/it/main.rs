//! The `trystero` binary end to end: real processes, the embedded relay on loopback, real
//! WebRTC between them.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code: a failure is a test failure

/// Tests that move hundreds of megabytes take turns: on a 2-core machine two of them at once
/// starve each other's WebRTC stacks into timeouts that say nothing about the code.
pub(crate) fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

mod chat;
mod examples;
mod facade;
mod faults;
mod files;
mod game;
mod hardened;
mod hostile;
mod interop;
mod lobby;
mod logs;
mod menu;
mod peer;
mod relays;
mod rollback;
mod scene;

//! The lobby state machine on a simulated network: several players, each a `Lobby`, whose
//! outputs a test network carries (per-link FIFO, any interleaving between links).
#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

mod games;
mod hostile;
mod matching;
mod net;
mod props;
mod results;
mod tournaments;

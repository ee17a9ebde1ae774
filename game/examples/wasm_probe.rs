//! The determinism probe ([`trystero_game::probe`]) as a wasm32 module with one export,
//! `probe(seed, players, frames) -> u64`. `cargo xtask wasm` builds it for
//! `wasm32-unknown-unknown`, runs it under Node and compares the checksum with the native one
//! pinned in `game/tests/probe.txt`.

/// The probe's export.
#[unsafe(no_mangle)]
pub extern "C" fn probe(seed: u64, players: u32, frames: u32) -> u64 {
    trystero_game::probe(seed, usize::try_from(players).unwrap_or(1), frames)
}

//! The netcode end to end: the sync test over 100k frames, 2- and 4-player matches on a lossy
//! simulated network, a blackout, an injected desync, hostile datagrams and time sync.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)] // test code

mod drivers;
mod game;
mod matches;

use trystero_netcode::{Slots, SyncTestSession};

use game::World;

#[test]
fn a_sync_test_of_100k_frames_finds_no_desync_in_a_deterministic_game() {
    let mut session = SyncTestSession::<u8>::new(2, 7);
    let mut world = World::new(32);
    let mut slots = Slots::new(&world, session.slots());
    let mut requests = Vec::new();
    let mut rng = 0x1234_5678_u64;
    let mut advances = 0u64;
    for _ in 0..100_000 {
        rng = game::splitmix(rng);
        let inputs = [(rng & 0x0F) as u8, ((rng >> 8) & 0x0F) as u8];
        session.advance_frame(&inputs, &mut requests).unwrap();
        slots.carry_out(
            &requests,
            &mut world,
            |world, inputs| {
                world.step(inputs);
                advances += 1;
            },
            |frame, world, _| session.report_checksum(frame, &world.checksums()),
        );
    }
    assert_eq!(session.current_frame(), 100_000);
    // Each frame: a rollback over the last min(frame, 7) frames, then its own advance.
    let expected: u64 = (0..100_000u64).map(|frame| 1 + frame.min(7)).sum();
    assert_eq!(advances, expected);
}

#[test]
fn a_sync_test_catches_state_the_game_forgot_to_save() {
    let mut session = SyncTestSession::<u8>::new(1, 3);
    let mut world = World::new(4);
    let mut slots = Slots::new(&world, session.slots());
    let mut requests = Vec::new();
    // A "global" outside the saved state: loads do not restore it.
    let hidden = std::cell::Cell::new(0u64);
    let mut result = Ok(());
    for frame in 0..100u8 {
        result = session.advance_frame(&[frame % 3], &mut requests);
        if result.is_err() {
            break;
        }
        slots.carry_out(
            &requests,
            &mut world,
            |world, inputs| {
                world.step(inputs);
                hidden.set(hidden.get() + 1);
            },
            |frame, world, _| {
                let mut parts = world.checksums();
                parts[0] ^= hidden.get();
                session.report_checksum(frame, &parts);
            },
        );
    }
    let mismatch = result.unwrap_err();
    assert_eq!(mismatch.part, 0);
    assert!(mismatch.frame <= 2, "{mismatch}");
}

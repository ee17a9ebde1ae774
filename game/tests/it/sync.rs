//! The whole world under the netcode's sync test: every frame rolls back and simulates again,
//! and each frame's checksums must agree between the passes.

use trystero_game::{Bot, EventKind, Rules, World};
use trystero_netcode::{Slots, SyncTestSession};

fn sync_test(players: usize, frames: u32, seed: u64) -> World {
    let rules = Rules::new(seed);
    let mut world = World::new(seed, players, &rules);
    let mut session = SyncTestSession::<u16>::new(players, 7);
    let mut slots = Slots::new(&world, session.slots());
    let mut bots: Vec<Bot> = (0..players).map(Bot::new).collect();
    let (mut requests, mut events) = (Vec::new(), Vec::new());
    let mut seen = Vec::new();
    for _ in 0..frames {
        let inputs: Vec<u16> = bots
            .iter_mut()
            .map(|bot| bot.input(&world, &rules))
            .collect();
        session
            .advance_frame(&inputs, &mut requests)
            .unwrap_or_else(|mismatch| panic!("{players} players: {mismatch}"));
        slots.carry_out(
            &requests,
            &mut world,
            |world, inputs| world.step(&rules, inputs, &mut events),
            |frame, world, _| session.report_checksum(frame, &world.checksum_parts()),
        );
        seen.append(&mut events);
    }
    // The last frames' reports are compared by one more call.
    session
        .advance_frame(&vec![0; players], &mut requests)
        .unwrap_or_else(|mismatch| panic!("{players} players: {mismatch}"));
    assert!(
        seen.iter().any(|e| e.kind == EventKind::Hit),
        "they fought: {:?}",
        world.kills
    );
    world
}

#[test]
fn two_players_pass_the_sync_test_for_1200_frames() {
    let world = sync_test(2, 1_200, 11);
    assert!(world.wave >= 1, "a wave came");
    assert!(world.kills > 0, "wolves died");
}

#[test]
fn four_players_pass_the_sync_test_for_1200_frames() {
    let world = sync_test(4, 1_200, 12);
    assert!(world.wave >= 1);
}

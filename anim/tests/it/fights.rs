//! Whole fights: a golden event timeline, random-input invariants, the rollback sync test,
//! and a replay whose final state is pinned.

use expect_test::expect;
use proptest::prelude::*;
use trystero_anim::{Arena, CombatEvent, FrameData, Input, Scratch, State};
use trystero_netcode::{Slots, SyncTestSession};

use super::{run, valid};

fn timeline(script: &[(u32, usize, Input)], frames: u32) -> String {
    let data = FrameData::default();
    let mut arena = Arena::new(2, &data);
    // Face to face, 50 px apart.
    arena.fighters[0].x = 20_000;
    arena.fighters[1].x = 23_000;
    let (mut scratch, mut events) = (Scratch::default(), Vec::new());
    let mut out = String::new();
    for frame in 0..frames {
        let mut inputs = [Input::default(); 2];
        for (at, who, input) in script {
            if *at == frame {
                inputs[*who] = *input;
            }
        }
        // Block is held between its press and a release entry.
        arena.step(&inputs, &data, &mut scratch, &mut events);
        for event in events.drain(..) {
            out.push_str(&format!("{frame:>3} {event:?}\n"));
        }
    }
    let states: Vec<(State, i32, i32)> = arena
        .fighters
        .iter()
        .map(|f| (f.state, f.health, f.stamina))
        .collect();
    out.push_str(&format!("end {states:?}\n"));
    out
}

#[test]
fn a_scripted_fight_gives_the_golden_timeline() {
    let attack = Input {
        attack: true,
        ..Input::default()
    };
    let block = Input {
        block: true,
        ..Input::default()
    };
    let roll = Input {
        roll: true,
        x: 1,
        ..Input::default()
    };
    let mut script = vec![
        // A hits B (B idle), then chains the second combo step.
        (0, 0, attack),
        (12, 0, attack),
    ];
    // The hits pushed B back 40 px: A walks up to it again.
    for frame in 40..60 {
        script.push((
            frame,
            0,
            Input {
                x: 1,
                ..Input::default()
            },
        ));
    }
    // B raises the guard early and holds it: A's next attack is blocked (not parried).
    for frame in 60..100 {
        script.push((frame, 1, block));
    }
    script.push((70, 0, attack));
    // B raises the guard just before A's hitbox: a parry.
    script.push((110, 0, attack));
    for frame in 114..130 {
        script.push((frame, 1, block));
    }
    // B rolls along A's attack, invulnerable while the hitbox is out.
    script.push((200, 0, attack));
    script.push((202, 1, roll));
    expect![[r#"
          6 Hit { attacker: 0, target: 1, damage: 20 }
         17 Hit { attacker: 0, target: 1, damage: 25 }
         76 Blocked { attacker: 0, target: 1, damage: 10 }
        116 Parried { attacker: 0, target: 1, reflected: 20 }
        206 Evaded { attacker: 0, target: 1 }
        end [(Idle, 80, 1000), (Idle, 45, 920)]
    "#]]
    .assert_eq(&timeline(&script, 260));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random inputs never leave an invalid state, and with hands off every survivor ends up
    /// Idle (no stuck states).
    #[test]
    fn random_inputs_never_break_the_invariants(seed in any::<u64>(), fighters in 2usize..6) {
        let data = FrameData::default();
        let mut arena = Arena::new(fighters, &data);
        let mut inputs = super::Inputs::new(seed);
        let (mut scratch, mut events) = (Scratch::default(), Vec::new());
        let mut frame_inputs = vec![Input::default(); fighters];
        for _ in 0..400 {
            for input in &mut frame_inputs {
                *input = inputs.next();
            }
            arena.step(&frame_inputs, &data, &mut scratch, &mut events);
            for fighter in &arena.fighters {
                prop_assert!(valid(fighter, &data), "{:?}", fighter);
            }
        }
        let idle = vec![Input::default(); fighters];
        for _ in 0..120 {
            arena.step(&idle, &data, &mut scratch, &mut events);
        }
        for fighter in &arena.fighters {
            prop_assert!(matches!(fighter.state, State::Idle | State::Death), "{:?}", fighter);
        }
        for event in &events {
            if let CombatEvent::Hit { damage, .. } = event {
                prop_assert!([20, 25, 32].contains(damage));
            }
        }
    }
}

/// The arena under the netcode's sync test: every frame rolled back 7 frames and simulated
/// again, with the same checksums both times.
#[test]
fn the_arena_passes_the_rollback_sync_test() {
    let data = FrameData::default();
    let mut session = SyncTestSession::<u16>::new(4, 7);
    let mut arena = Arena::new(4, &data);
    let mut slots = Slots::new(&arena, session.slots());
    let mut inputs = super::Inputs::new(99);
    let (mut requests, mut scratch, mut events) = (Vec::new(), Scratch::default(), Vec::new());
    for _ in 0..5_000 {
        let packed: Vec<u16> = (0..4).map(|_| inputs.next().pack()).collect();
        session.advance_frame(&packed, &mut requests).unwrap();
        slots.carry_out(
            &requests,
            &mut arena,
            |arena, players| {
                let inputs: Vec<Input> = players.iter().map(|p| Input::unpack(p.input)).collect();
                arena.step(&inputs, &data, &mut scratch, &mut events);
            },
            |frame, arena, _| session.report_checksum(frame, &[arena.checksum()]),
        );
    }
    assert!(
        events.iter().any(|e| matches!(e, CombatEvent::Hit { .. })),
        "they did fight"
    );
}

/// A fixed 4-fighter, 1-minute replay: the final state's checksum is pinned, so any change to
/// the simulation's results shows here (update it only for a deliberate change).
#[test]
fn the_replay_fixture_ends_in_the_pinned_state() {
    let data = FrameData::default();
    let mut arena = Arena::new(4, &data);
    // Close enough to fight: 33 px apart around the middle.
    for (index, fighter) in arena.fighters.iter_mut().enumerate() {
        fighter.x = 36_000 + 2_000 * index as i32;
    }
    let events = run(&mut arena, &data, 2026, 3_600);
    assert!(events.len() > 10, "{events:?}");
    assert_eq!(arena.checksum(), 5_917_017_300_664_839_628);
}

#[test]
fn inputs_pack_into_nine_bits_and_back() {
    for bits in 0..512u16 {
        let input = Input::unpack(bits);
        let again = Input::unpack(input.pack());
        assert_eq!(input, again);
    }
    let keys = [
        trystero_anim::Key::D,
        trystero_anim::Key::Space,
        trystero_anim::Key::K,
    ];
    let input = Input::from_keys(&keys, &[trystero_anim::Key::Space]);
    assert_eq!(
        (input.x, input.y, input.attack, input.block, input.roll),
        (1, 0, false, true, false)
    );
    let pressed = Input::from_keys(&keys, &[]);
    assert!(pressed.attack);
}

/// The heavy attack: one slow step for 2.5× damage, no combo after it.
#[test]
fn a_heavy_attack_lands_for_two_and_a_half_times_the_damage() {
    let data = FrameData::default();
    let mut arena = Arena::new(2, &data);
    arena.fighters[0].x = 30_000;
    arena.fighters[1].x = 32_000;
    arena.fighters[1].facing = -1;
    let heavy = Input {
        heavy: true,
        ..Input::default()
    };
    let (mut scratch, mut events) = (Scratch::default(), Vec::new());
    arena.step(&[heavy], &data, &mut scratch, &mut events);
    assert_eq!(arena.fighters[0].strike, trystero_anim::Strike::Heavy);
    assert_eq!(arena.fighters[0].stamina, data.stamina - data.heavy_cost);
    for _ in 0..data.heavy.total() {
        // Attack presses during the heavy do not chain a combo.
        let attack = Input {
            attack: true,
            ..Input::default()
        };
        arena.step(&[attack], &data, &mut scratch, &mut events);
    }
    let hits: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            CombatEvent::Hit { damage, .. } => Some(*damage),
            _ => None,
        })
        .collect();
    assert_eq!(hits, [data.attack_damage * 250 / 100]);
    assert_eq!(arena.fighters[1].health, data.health - 50);
}

/// The special sweeps both sides at once, then waits out its cooldown.
#[test]
fn the_special_hits_both_sides_and_has_a_cooldown() {
    let data = FrameData::default();
    let mut arena = Arena::new(3, &data);
    arena.fighters[0].x = 30_000;
    arena.fighters[0].facing = 1;
    arena.fighters[1].x = 28_000;
    arena.fighters[2].x = 32_000;
    let special = Input {
        special: true,
        ..Input::default()
    };
    let (mut scratch, mut events) = (Scratch::default(), Vec::new());
    arena.step(&[special], &data, &mut scratch, &mut events);
    for _ in 0..data.special.total() + 10 {
        arena.step(&[Input::default()], &data, &mut scratch, &mut events);
    }
    let mut targets: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            CombatEvent::Hit {
                attacker: 0,
                target,
                ..
            } => Some(*target),
            _ => None,
        })
        .collect();
    targets.sort_unstable();
    assert_eq!(targets, [1, 2], "{events:?}");
    // The one behind was knocked further behind.
    assert!(arena.fighters[1].x < 28_000);
    // Pressed again within the cooldown: nothing.
    arena.step(&[special], &data, &mut scratch, &mut events);
    assert_ne!(arena.fighters[0].state, State::Attack);
    assert!(arena.fighters[0].special_wait > 0);
}

//! The transition table and the frame data, exhaustively.

use trystero_anim::{Fighter, FrameData, Input, State, TRANSITIONS, Trigger, hitbox, transition};

use super::valid;

/// A fighter put into `state` the way play gets there.
fn in_state(state: State, data: &FrameData) -> Fighter {
    let mut fighter = Fighter::new(data, 10_000, 10_000, 1);
    let input = match state {
        State::Idle | State::Hurt | State::Death => Input::default(),
        State::Running => Input {
            x: 1,
            ..Input::default()
        },
        State::Attack => Input {
            attack: true,
            ..Input::default()
        },
        State::Block => Input {
            block: true,
            ..Input::default()
        },
        State::Roll => Input {
            roll: true,
            ..Input::default()
        },
    };
    fighter.step(input, data);
    match state {
        State::Hurt => {
            fighter.fire(Trigger::Hit);
            fighter.stun = data.hit_stun;
        }
        State::Death => {
            fighter.health = 0;
            fighter.fire(Trigger::Killed);
        }
        _ => {}
    }
    assert_eq!(fighter.state, state);
    fighter
}

#[test]
fn the_table_is_well_formed() {
    for (index, row) in TRANSITIONS.iter().enumerate() {
        let duplicates = TRANSITIONS[index + 1..]
            .iter()
            .any(|other| other.from == row.from && other.trigger == row.trigger);
        assert!(
            !duplicates,
            "two rows for {:?} on {:?}",
            row.from, row.trigger
        );
        assert_ne!(row.from, State::Death, "the dead stay dead");
    }
    for state in State::ALL {
        if state == State::Death {
            assert!(Trigger::ALL.iter().all(|t| transition(state, *t).is_none()));
            continue;
        }
        // Every living state can be hit, staggered and killed.
        for trigger in [Trigger::Hit, Trigger::Killed] {
            assert!(
                transition(state, trigger).is_some(),
                "{state:?} on {trigger:?}"
            );
        }
        assert_eq!(transition(state, Trigger::Killed).unwrap().to, State::Death);
    }
}

/// Every state × every one of the 512 possible inputs: one step changes the state only along
/// a row of the table, keeps every value in range, and the dead stay dead.
#[test]
fn every_state_under_every_input_moves_only_along_the_table() {
    let data = FrameData::default();
    let mut seen = std::collections::BTreeSet::new();
    for state in State::ALL {
        for bits in 0..512u16 {
            let input = Input::unpack(bits);
            let mut fighter = in_state(state, &data);
            let before = fighter.state;
            fighter.step(input, &data);
            let after = fighter.state;
            if after != before {
                let allowed = TRANSITIONS
                    .iter()
                    .any(|row| row.from == before && row.to == after);
                assert!(allowed, "{before:?} -> {after:?} on {input:?}");
                seen.insert((before, after));
            }
            assert!(valid(&fighter, &data), "{fighter:?}");
            if before == State::Death {
                assert_eq!(after, State::Death);
            }
        }
    }
    // Inputs alone reach these moves (hits, deaths and timeouts come from elsewhere).
    for pair in [
        (State::Idle, State::Running),
        (State::Idle, State::Attack),
        (State::Idle, State::Block),
        (State::Idle, State::Roll),
        (State::Running, State::Idle),
        (State::Running, State::Attack),
        (State::Block, State::Idle),
        (State::Block, State::Roll),
    ] {
        assert!(seen.contains(&pair), "{pair:?} never happened");
    }
}

#[test]
fn a_roll_started_on_frame_f_is_invulnerable_on_frames_f_plus_4_to_f_plus_15() {
    let data = FrameData::default();
    let mut fighter = Fighter::new(&data, 10_000, 10_000, 1);
    let start = 5;
    let mut invulnerable = Vec::new();
    for frame in 0..40u16 {
        let input = Input {
            roll: frame == start,
            ..Input::default()
        };
        fighter.step(input, &data);
        if fighter.invulnerable(&data) {
            invulnerable.push(frame);
        }
    }
    assert_eq!(invulnerable, (start + 4..start + 16).collect::<Vec<_>>());
    assert_eq!(
        fighter.state,
        State::Idle,
        "the roll is over after 24 frames"
    );
    // Stamina regenerates once the roll is over (frame 29) and the 20-frame delay has passed:
    // frames 29 to 39.
    assert_eq!(
        fighter.stamina,
        data.stamina - data.roll_cost + 11 * data.stamina_regen
    );
}

#[test]
fn attack_hitboxes_are_out_exactly_on_their_active_frames_and_combos_chain_in_the_window() {
    let data = FrameData::default();
    let mut fighter = Fighter::new(&data, 10_000, 10_000, 1);
    let mut active = Vec::new();
    for frame in 0..60u16 {
        // Press attack once at frame 0, then again on the 3rd recovery frame of step one.
        let attack = frame == 0 || frame == 6 + 3 + 3;
        fighter.step(
            Input {
                attack,
                ..Input::default()
            },
            &data,
        );
        if fighter.hitbox_active(&data) {
            active.push((frame, fighter.combo));
        }
    }
    let first: Vec<_> = (6..9).map(|f| (f, 0)).collect();
    // Step two starts on frame 12 (its frame 0), so its active frames are 12+5 .. 12+8.
    let second: Vec<_> = (17..20).map(|f| (f, 1)).collect();
    assert_eq!(active, [first, second].concat());
    // Pressing after the window does not chain.
    let mut late = Fighter::new(&data, 10_000, 10_000, 1);
    for frame in 0..40u16 {
        let attack = frame == 0 || frame == 6 + 3 + data.combo_window + 1;
        late.step(
            Input {
                attack,
                ..Input::default()
            },
            &data,
        );
    }
    assert_eq!(late.combo, 0);
    let reach = hitbox(&late, &data);
    assert_eq!(reach.2 - reach.0, data.reach);
}

//! The rules: waves, upgrades, leaving, the end, events.

use std::collections::BTreeSet;

use trystero_anim::Input;
use trystero_game::{
    Entity, EventKind, Phase, Rules, Upgrade, WaveKind, World, pack_input, unpack_input,
};
use trystero_netcode::{InputStatus, PlayerInput};

use super::{bot_match, confirmed};

#[test]
fn bots_play_waves_and_the_run_is_deterministic() {
    let (world, events) = bot_match(5, 2, 7_200);
    eprintln!(
        "wave {} cleared {} kills {} deaths {:?} phase {:?} frame {:?}",
        world.wave,
        world.waves_cleared,
        world.kills,
        world.players.iter().map(|p| p.deaths).collect::<Vec<_>>(),
        world.phase,
        world.ended_at
    );
    assert!(world.waves_cleared >= 1, "the bots clear waves");
    assert!(world.kills >= 3);
    let (again, events_again) = bot_match(5, 2, 7_200);
    assert_eq!(world.checksum(), again.checksum());
    assert_eq!(events, events_again);
    let (other, _) = bot_match(6, 2, 7_200);
    assert_ne!(
        world.checksum(),
        other.checksum(),
        "another seed, another match"
    );
    // Every step gives each key once.
    let mut keys = BTreeSet::new();
    for event in &events {
        assert!(keys.insert(event.key()), "{event:?} twice");
    }
    for kind in [
        EventKind::WaveStarted,
        EventKind::WaveCleared,
        EventKind::Howl,
        EventKind::Upgraded,
    ] {
        assert!(events.iter().any(|e| e.kind == kind), "{kind:?} happened");
    }
}

#[test]
fn waves_escalate_with_an_alpha_every_third_and_a_blood_moon_every_fifth() {
    let rules = Rules::new(1);
    let kinds: Vec<WaveKind> = (1..=6).map(Rules::wave_kind).collect();
    use WaveKind::{Alpha, BloodMoon, Normal};
    assert_eq!(kinds, [Normal, Normal, Alpha, Normal, BloodMoon, Alpha]);
    assert_eq!(
        (1..=4).map(|n| rules.wave_size(n)).collect::<Vec<_>>(),
        [3, 5, 7, 9]
    );
    assert_eq!(rules.wave_size(1_000), rules.max_wolves);
    assert!(rules.wave_health(4) > rules.wave_health(1));
    let moon = rules.wolf_config(BloodMoon, &rules.wolves);
    assert!(moon.speed > rules.wolves.speed && moon.strike_cooldown < rules.wolves.strike_cooldown);
    // Rocks come from the seed: the same seed, the same rocks.
    assert_eq!(Rules::new(9).obstacles, Rules::new(9).obstacles);
    assert_ne!(Rules::new(9).obstacles, Rules::new(10).obstacles);
    assert!(
        (5..=7).contains(&rules.obstacles.len()),
        "{}",
        rules.obstacles.len()
    );
}

/// Steps with `bits` for everyone until `done` says so (at most `limit` frames).
fn until(
    world: &mut World,
    rules: &Rules,
    bits: &[u16],
    limit: u32,
    done: impl Fn(&World) -> bool,
) -> Vec<trystero_game::GameEvent> {
    let mut events = Vec::new();
    for _ in 0..limit {
        if done(world) {
            return events;
        }
        world.step(rules, &confirmed(bits), &mut events);
    }
    panic!(
        "not reached in {limit} frames: wave {} phase {:?}",
        world.wave, world.phase
    );
}

#[test]
fn the_third_wave_brings_a_great_alpha() {
    let rules = Rules::new(3);
    let mut world = World::new(3, 1, &rules);
    // Wolves die by hand here: the waves come, one after the other.
    for wave in 1..=3 {
        until(&mut world, &rules, &[0], 2_000, |w| {
            w.wave == wave && w.phase == Phase::Fighting
        });
        if wave < 3 {
            for wolf in &mut world.wolves.wolves {
                wolf.health = 0;
            }
            let events = until(&mut world, &rules, &[0], 2, |w| w.phase != Phase::Fighting);
            assert!(events.iter().any(|e| e.kind == EventKind::WaveCleared));
        }
    }
    assert_eq!(world.kind, WaveKind::Alpha);
    assert_eq!(world.wolves.wolves.len(), rules.wave_size(3));
    let health = rules.wave_health(3);
    assert_eq!(
        world.wolves.wolves[0].health,
        health * rules.alpha_multiplier
    );
    assert!(world.wolves.wolves[1..].iter().all(|w| w.health == health));
}

#[test]
fn between_waves_a_player_picks_one_of_three_upgrades() {
    let rules = Rules::new(4);
    let mut world = World::new(4, 2, &rules);
    until(&mut world, &rules, &[0, 0], 1_000, |w| {
        w.phase == Phase::Fighting
    });
    for wolf in &mut world.wolves.wolves {
        wolf.health = 0;
    }
    until(&mut world, &rules, &[0, 0], 2, |w| {
        w.phase != Phase::Fighting
    });
    let offers: Vec<[Upgrade; 3]> = world.players.iter().map(|p| p.offer.unwrap()).collect();
    for offer in &offers {
        let distinct: BTreeSet<_> = offer.iter().collect();
        assert_eq!(distinct.len(), 3, "{offer:?}");
    }
    // Player 0 picks the second; player 1 does not pick, and gets the first when the wave
    // comes.
    world.players[0].fighter.health = 50;
    let pick = pack_input(Input::default(), 2);
    assert_eq!(unpack_input(pick), (Input::default(), 2));
    let mut events = Vec::new();
    world.step(&rules, &confirmed(&[pick, 0]), &mut events);
    let at = |u: Upgrade| Upgrade::ALL.iter().position(|x| *x == u).unwrap();
    assert_eq!(world.players[0].upgrades[at(offers[0][1])], 1);
    assert!(world.players[0].offer.is_none());
    if offers[0][1] == Upgrade::Vigour {
        assert_eq!(
            world.players[0].fighter.health, 125,
            "vigour heals to the new maximum"
        );
    }
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Upgraded && e.entity == Entity::Player(0))
    );
    until(&mut world, &rules, &[0, 0], rules.intermission + 1, |w| {
        w.phase == Phase::Fighting
    });
    assert_eq!(world.players[1].upgrades[at(offers[1][0])], 1);
    assert_eq!(
        world.players[1]
            .upgrades
            .iter()
            .map(|c| u32::from(*c))
            .sum::<u32>(),
        1
    );
}

#[test]
fn a_player_who_leaves_is_gone_and_when_all_are_gone_the_run_ends() {
    let rules = Rules::new(8);
    let mut world = World::new(8, 2, &rules);
    let gone = PlayerInput {
        input: 0,
        status: InputStatus::Disconnected,
    };
    let here = PlayerInput {
        input: 0,
        status: InputStatus::Confirmed,
    };
    let mut events = Vec::new();
    world.step(&rules, &[here, gone], &mut events);
    assert!(!world.players[1].present && !world.players[1].alive());
    assert_eq!(
        events.iter().filter(|e| e.kind == EventKind::Left).count(),
        1
    );
    // The one left plays on; the one gone does not come back with the next wave.
    until(&mut world, &rules, &[0, 0], 1_000, |w| {
        w.phase == Phase::Fighting
    });
    assert!(!world.players[1].alive());
    assert!(world.players[0].alive());
    world.step(&rules, &[gone, gone], &mut events);
    assert_eq!(world.phase, Phase::Over);
    assert!(events.iter().any(|e| e.kind == EventKind::RunOver));
}

#[test]
fn players_who_do_nothing_are_killed_and_the_run_ends() {
    let rules = Rules::new(2);
    let mut world = World::new(2, 1, &rules);
    let events = until(&mut world, &rules, &[0], 20_000, World::is_over);
    let died = events
        .iter()
        .find(|e| e.kind == EventKind::Died && e.entity == Entity::Player(0))
        .expect("the player died");
    assert!(matches!(died.other, Some(Entity::Wolf(_))));
    assert_eq!(world.ended_at, Some(world.frame));
    // Over is over: steps change nothing but the frame.
    let before = world.clone();
    let mut more = Vec::new();
    world.step(
        &rules,
        &confirmed(&[pack_input(
            Input {
                attack: true,
                ..Input::default()
            },
            1,
        )]),
        &mut more,
    );
    assert!(more.is_empty());
    assert_eq!(world.players, before.players);
}

/// The scripted match of the determinism probe ends in the checksum pinned in
/// `game/tests/probe.txt` — the one `cargo xtask wasm` requires of the wasm32 build too.
#[test]
fn the_probe_ends_in_the_pinned_checksum() {
    let pinned = include_str!("../probe.txt");
    let (seed, players, frames, checksum) = parse_probe(pinned);
    assert_eq!(
        format!("{:016x}", trystero_game::probe(seed, players, frames)),
        checksum,
        "the probe's match changed: if deliberately, bump RULES_VERSION and pin the new value"
    );
}

/// `seed players frames checksum` from the pin file's first line that is not a comment.
fn parse_probe(text: &str) -> (u64, usize, u32, String) {
    let line = text
        .lines()
        .find(|line| !line.starts_with('#') && !line.trim().is_empty())
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    (
        fields[0].parse().unwrap(),
        fields[1].parse().unwrap(),
        fields[2].parse().unwrap(),
        fields[3].to_owned(),
    )
}

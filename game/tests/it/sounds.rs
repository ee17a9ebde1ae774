//! Rollback-safe sound through core's recording audio adapter.

use std::collections::BTreeSet;

use trystero_core::audio::{AudioCall, RecordingAudio};
use trystero_game::{Bot, Entity, EventKind, GameEvent, Match, Rules, Setup, Sounds, World};
use trystero_netcode::{Config, SimConfig, SimNetwork};

const NAMES: [&str; 8] = [
    "swing", "hit", "clang", "roll", "growl", "howl", "footstep", "music",
];

fn hit(frame: u32, wolf: u16) -> GameEvent {
    GameEvent {
        frame,
        kind: EventKind::Hit,
        entity: Entity::Player(0),
        other: Some(Entity::Wolf(wolf)),
        amount: 20,
    }
}

/// The listener sits on the local fighter with the screen's right on its right; the music
/// starts once, looping on its bus, however often the listener moves.
#[test]
fn the_listener_follows_the_local_fighter_and_the_music_starts_once() {
    use trystero_core::audio::{Bus, Listener};
    let rules = Rules::new(4);
    let world = World::new(4, 2, &rules);
    let mut audio = RecordingAudio::new(&NAMES);
    let mut sounds = Sounds::new(&audio);
    for _ in 0..3 {
        sounds.listen(&mut audio, &world, Some(1));
    }
    let listeners: Vec<&Listener> = audio
        .calls
        .iter()
        .filter_map(|call| match call {
            AudioCall::Listener(listener) => Some(listener),
            _ => None,
        })
        .collect();
    assert_eq!(listeners.len(), 3);
    let fighter = &world.players[1].fighter;
    let px = trystero_game::PX as f32;
    let expected = [fighter.x as f32 / px, fighter.y as f32 / px];
    assert_eq!(listeners[0].position[..2], expected);
    // right = forward × up must be the screen's +x.
    let [f, u] = [listeners[0].forward, listeners[0].up];
    let right = [
        f[1] * u[2] - f[2] * u[1],
        f[2] * u[0] - f[0] * u[2],
        f[0] * u[1] - f[1] * u[0],
    ];
    assert_eq!(right, [1.0, 0.0, 0.0]);
    let music: Vec<_> = audio
        .calls
        .iter()
        .filter_map(|call| match call {
            AudioCall::Play(_, play) if play.bus == Bus::Music => Some(play),
            _ => None,
        })
        .collect();
    assert_eq!(music.len(), 1, "{:?}", audio.calls);
    assert!(music[0].looping);
    sounds.silence(&mut audio);
    assert!(matches!(audio.calls.last(), Some(AudioCall::Stop(_))));
}

fn counts(audio: &RecordingAudio) -> (usize, usize) {
    let plays = audio
        .calls
        .iter()
        .filter(|c| matches!(c, AudioCall::Play(..)))
        .count();
    let stops = audio
        .calls
        .iter()
        .filter(|c| matches!(c, AudioCall::Stop(..)))
        .count();
    (plays, stops)
}

/// A predicted hit plays; rendered again, it does not play again; a rollback that retracts it
/// cuts it and plays the hit that replaced it; once confirmed and re-simulated, that one never
/// plays twice.
#[test]
fn a_retracted_hit_is_cut_and_a_confirmed_hit_plays_exactly_once() {
    let rules = Rules::new(1);
    let mut world = World::new(1, 1, &rules);
    let mut audio = RecordingAudio::new(&NAMES);
    let mut sounds = Sounds::new(&audio);
    world.frame = 11;
    let predicted = hit(10, 3);
    sounds.reconcile(&mut audio, [&predicted], &world, 5);
    assert_eq!(counts(&audio), (1, 0));
    world.frame = 12;
    sounds.reconcile(&mut audio, [&predicted], &world, 6);
    assert_eq!(counts(&audio), (1, 0), "rendered again: not played again");
    // The rollback: the real input made the hit land a frame later, on another wolf.
    world.frame = 13;
    let real = hit(11, 4);
    sounds.reconcile(&mut audio, [&real], &world, 8);
    assert_eq!(
        counts(&audio),
        (2, 1),
        "the retracted hit is cut, the real one plays"
    );
    let AudioCall::Stop(stopped) = audio.calls[2] else {
        panic!("{:?}", audio.calls);
    };
    assert!(matches!(audio.calls[0], AudioCall::Play(voice, _) if voice == stopped));
    // Confirmed, then simulated again by a later rollback (the same key): never again.
    for (frame, confirmed) in [(14, 12), (15, 13), (30, 29)] {
        world.frame = frame;
        sounds.reconcile(&mut audio, [&real], &world, confirmed);
    }
    assert_eq!(counts(&audio), (2, 1));
    assert_eq!((sounds.started, sounds.retracted), (2, 1));
    // A hit that shows up far too late is not played at all.
    world.frame = 60;
    sounds.reconcile(&mut audio, [&hit(20, 5)], &world, 59);
    assert_eq!(counts(&audio), (2, 1));
}

/// A whole bot match on a lossy network, reconciled every tick: every final sound-making event
/// was heard exactly once (voices started, less those cut, equal the final events).
#[test]
fn over_a_lossy_match_every_final_event_is_heard_exactly_once() {
    let seed = 77;
    let net = SimNetwork::new(
        seed,
        SimConfig {
            latency_ms: 50,
            jitter_ms: 10,
            loss: 0.05,
            ..SimConfig::default()
        },
    );
    let mut peers: Vec<_> = (0..2)
        .map(|seat| {
            let game = Match::new(Setup {
                seed,
                players: 2,
                seat,
                remotes: vec![(1 - seat, 1 - seat)],
                frames: Some(1_800),
                session: Config::default(),
            })
            .unwrap();
            (game, net.socket(), Bot::new(seat))
        })
        .collect();
    let mut audio = RecordingAudio::new(&NAMES);
    let mut sounds = Sounds::new(&audio);
    let mut heard_final = BTreeSet::new();
    for tick in 0..2_400u64 {
        let now = tick * 1_000 / 60;
        net.advance_to(now);
        for (game, socket, bot) in &mut peers {
            let input = bot.input(game.world(), game.rules());
            game.tick(now, socket, input);
        }
        let game = &peers[0].0;
        let confirmed = game.confirmed_frame();
        sounds.reconcile(&mut audio, game.timeline(), game.world(), confirmed);
        for event in game.timeline().filter(|e| e.frame <= confirmed) {
            if !matches!(
                event.kind,
                EventKind::Upgraded | EventKind::WaveCleared | EventKind::Left | EventKind::RunOver
            ) {
                heard_final.insert(event.key());
            }
        }
        if peers.iter().all(|(game, _, _)| game.settled()) {
            break;
        }
    }
    assert!(
        peers[0].0.counters().rollbacks() > 10,
        "a lossy match rolls back"
    );
    assert!(heard_final.len() > 20, "they fought: {}", heard_final.len());
    let (plays, stops) = counts(&audio);
    assert!(
        sounds.footsteps > 10,
        "the bots ran: {} steps",
        sounds.footsteps
    );
    assert_eq!(plays as u64, sounds.started + sounds.footsteps);
    assert_eq!(stops as u64, sounds.retracted);
    assert_eq!(
        sounds.started - sounds.retracted,
        heard_final.len() as u64,
        "every final event once (started {}, cut {})",
        sounds.started,
        sounds.retracted
    );
}

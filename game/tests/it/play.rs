//! Whole matches of bots under rollback sessions on the simulated network: the same checkpoints
//! and final checksum on every peer, a peer leaving, and replays.

use trystero_game::{Match, Replay, ReplayError};
use trystero_netcode::SimConfig;

struct Peer {
    game: Match<usize>,
}

fn play(
    players: usize,
    seed: u64,
    frames: u32,
    sim: SimConfig,
    leaves: Option<(usize, u32)>,
) -> Vec<Peer> {
    trystero_game::bot_match(players, seed, frames, sim, leaves)
        .into_iter()
        .map(|game| Peer { game })
        .collect()
}

fn lossy() -> SimConfig {
    SimConfig {
        latency_ms: 50,
        jitter_ms: 10,
        loss: 0.05,
        ..SimConfig::default()
    }
}

#[test]
fn two_bots_on_a_lossy_network_end_in_the_same_state_and_replay_it() {
    let peers = play(2, 21, 1_800, lossy(), None);
    let ends: Vec<_> = peers
        .iter()
        .map(|p| p.game.finished().expect("finished"))
        .collect();
    assert_eq!(ends[0], ends[1]);
    assert_eq!(ends[0].0, 1_800);
    // The world kept for the summary is the one at the end, not the frames run past it.
    for peer in &peers {
        let end = peer.game.end_world().unwrap();
        assert_eq!((end.frame, end.checksum()), ends[0]);
    }
    let checkpoints: Vec<Vec<_>> = peers
        .iter()
        .map(|p| p.game.checkpoints().collect())
        .collect();
    assert_eq!(checkpoints[0].len(), 30, "a checkpoint a second");
    assert_eq!(checkpoints[0], checkpoints[1]);
    for peer in &peers {
        assert!(peer.game.counters().desyncs.is_empty());
        assert!(peer.game.counters().rollbacks() > 0, "rollbacks happened");
    }
    assert!(peers[0].game.world().kills > 0, "they fought");
    // The replay of either peer is the same match.
    let names = vec!["a".to_owned(), "b".to_owned()];
    let replay = peers[0].game.replay(names.clone()).unwrap();
    assert_eq!(replay, peers[1].game.replay(names).unwrap());
    let text = replay.to_json();
    let again = Replay::from_json(&text).unwrap();
    let world = again.play().unwrap();
    assert_eq!(world.checksum(), ends[0].1);
    assert_eq!(world.frame, 1_800);
}

#[test]
fn a_peer_that_leaves_is_dropped_and_the_others_play_on_in_sync() {
    let peers = play(3, 22, 1_200, lossy(), Some((2, 400)));
    let staying = &peers[..2];
    let ends: Vec<_> = staying
        .iter()
        .map(|p| p.game.finished().expect("finished"))
        .collect();
    assert_eq!(ends[0], ends[1]);
    let world = staying[0].game.world();
    assert!(!world.players[2].present, "seat 2 is gone");
    assert!(world.players[0].present && world.players[1].present);
    let checkpoints: Vec<Vec<_>> = staying
        .iter()
        .map(|p| p.game.checkpoints().collect())
        .collect();
    assert_eq!(checkpoints[0], checkpoints[1]);
    // The replay knows when seat 2 left.
    let names = vec!["a".into(), "b".into(), "c".into()];
    let replay = staying[0].game.replay(names).unwrap();
    assert_eq!(replay.play().unwrap().checksum(), ends[0].1);
    assert!(replay.inputs.contains(&trystero_game::GONE));
}

#[test]
fn one_player_plays_alone_and_replays() {
    let peers = play(1, 23, 900, SimConfig::default(), None);
    let (frames, checksum) = peers[0].game.finished().unwrap();
    assert_eq!(frames, 900);
    let replay = peers[0].game.replay(vec!["solo".into()]).unwrap();
    assert_eq!(replay.play().unwrap().checksum(), checksum);
}

#[test]
fn corrupt_and_foreign_replays_are_refused_with_their_errors() {
    let peers = play(1, 24, 300, SimConfig::default(), None);
    let replay = peers[0].game.replay(vec!["solo".into()]).unwrap();
    let text = replay.to_json();
    // Not JSON at all, or cut short.
    assert!(matches!(
        Replay::from_json("PNG\u{1a}"),
        Err(ReplayError::Malformed(_))
    ));
    assert!(matches!(
        Replay::from_json(&text[..text.len() / 2]),
        Err(ReplayError::Malformed(_))
    ));
    // One input changed: the hash no longer matches.
    let mut changed = replay.clone();
    changed.inputs[100] ^= 1;
    let error = Replay::from_json(&changed.to_json()).unwrap_err();
    assert!(matches!(error, ReplayError::Corrupt(_)), "{error}");
    // Inputs missing.
    let mut short = replay.clone();
    short.inputs.pop();
    assert!(matches!(
        Replay::from_json(&short.to_json()),
        Err(ReplayError::Corrupt(_))
    ));
    // Another format version, another rules version.
    let newer = text.replacen("\"version\":1", "\"version\":2", 1);
    let error = Replay::from_json(&newer).unwrap_err();
    assert!(
        matches!(error, ReplayError::Version { version: 2, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("version 2 is not supported"),
        "{error}"
    );
    let other_rules = text.replacen("\"rules\":1", "\"rules\":7", 1);
    assert!(matches!(
        Replay::from_json(&other_rules),
        Err(ReplayError::Rules { found: 7 })
    ));
    // A recorded checksum the inputs do not reach.
    let mut wrong = replay;
    wrong.final_checksum ^= 1;
    assert!(matches!(wrong.play(), Err(ReplayError::Mismatch { .. })));
}

/// Two peers whose worlds differ (here: another seed on one side, as a non-deterministic game
/// would drift) report a desync naming the frame, the part and both checksums.
#[test]
fn a_desync_is_reported_with_the_frame_and_both_checksums() {
    use trystero_game::{Bot, Setup};
    use trystero_netcode::{Config, SimNetwork};
    let net = SimNetwork::new(1, SimConfig::default());
    let mut peers: Vec<_> = [(0usize, 31u64), (1, 32)]
        .into_iter()
        .map(|(seat, seed)| {
            let game = Match::new(Setup {
                seed,
                players: 2,
                seat,
                remotes: vec![(1 - seat, 1 - seat)],
                frames: Some(600),
                session: Config::default(),
            })
            .unwrap();
            (game, net.socket(), Bot::new(seat))
        })
        .collect();
    for tick in 0..900u64 {
        let now = tick * 1_000 / 60;
        net.advance_to(now);
        for (game, socket, bot) in &mut peers {
            let input = bot.input(game.world(), game.rules());
            game.tick(now, socket, input);
        }
    }
    let desync = peers[0]
        .0
        .counters()
        .desyncs
        .first()
        .cloned()
        .expect("a desync");
    assert_eq!(desync.seat, 1);
    assert_eq!(desync.frame % trystero_game::CHECKPOINT, 0);
    assert_ne!(desync.local, desync.remote);
    assert_eq!(
        desync.part, 0,
        "the match part (seed, random state) differs first"
    );
    let summary = trystero_game::Summary::of_match(
        &peers[0].0,
        10.0,
        &trystero_game::Samples::default(),
        &trystero_game::Samples::default(),
    );
    assert!(
        summary.text().contains("DESYNC at frame"),
        "{}",
        summary.text()
    );
    assert_eq!(summary.desyncs.len(), peers[0].0.counters().desyncs.len());
}

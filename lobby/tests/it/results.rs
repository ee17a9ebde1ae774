//! Match results through the game room: a result counts only when every player signed the same
//! one, and then every member's table moves alike; one-sided claims, conflicting accounts and
//! signatures from the wrong key do not count.

use trystero_core::SeededRandom;
use trystero_core::identity::{Identity, PlainIdentity, PlainVerifier};
use trystero_lobby::message::{Body, Message};
use trystero_lobby::{
    Channel, Lobby, LobbyConfig, LobbyEvent, Profile, RatingSystem, Ratings, Refusal,
};

use super::net::{Net, peer, settings};

/// Three rated players; player 1 hosts a started game of all three.
fn started() -> Net {
    let mut net = Net::new(0);
    for n in 1..=3 {
        let lobby = Lobby::new(
            peer(n),
            Profile::new(format!("player {n}"), 1500),
            LobbyConfig::default(),
            SeededRandom::new(n as u64),
        )
        .unwrap()
        .with_ratings(
            PlainIdentity::new(n as u64),
            PlainVerifier,
            Ratings::new(RatingSystem::Elo { k: 32.0 }),
        );
        net.lobbies.insert(peer(n), lobby);
        net.events.insert(peer(n), Vec::new());
    }
    let game = net
        .act(peer(1), |lobby, now| {
            lobby.create_room(now, settings("arena", 3))
        })
        .unwrap();
    net.settle();
    net.join_ready_and_start(game, 2..=3);
    net
}

fn changes(net: &Net, n: usize) -> Vec<LobbyEvent> {
    net.heard(peer(n), |event| {
        matches!(event, LobbyEvent::RatingsChanged { .. })
    })
}

#[test]
fn a_result_every_player_signed_moves_every_table_alike() {
    let mut net = started();
    let places = [(peer(2), 1), (peer(1), 2), (peer(3), 3)];
    for n in [1, 2] {
        net.act(peer(n), |lobby, now| lobby.report_result(now, &places))
            .unwrap();
        net.settle();
    }
    assert!(
        changes(&net, 1).is_empty(),
        "two of three signatures do not count"
    );
    net.act(peer(3), |lobby, now| lobby.report_result(now, &places))
        .unwrap();
    net.settle();
    let expected = changes(&net, 1);
    assert_eq!(expected.len(), 1);
    for n in [2, 3] {
        assert_eq!(changes(&net, n), expected, "player {n}");
    }
    let winner = PlainIdentity::new(2).public_key();
    let rating = net.lobby(peer(3)).ratings().unwrap().rating(&winner);
    assert!(rating.rating > 1500.0 && rating.games == 1);
}

#[test]
fn conflicting_accounts_and_foreign_signatures_never_count() {
    let mut net = started();
    // Each player claims the win.
    for n in 1..=3 {
        let places: Vec<_> = (1..=3)
            .map(|m| (peer(m), if m == n { 1 } else { 2 }))
            .collect();
        net.act(peer(n), |lobby, now| lobby.report_result(now, &places))
            .unwrap();
        net.settle();
    }
    for n in 1..=3 {
        assert!(changes(&net, n).is_empty(), "player {n}");
    }
    // Player 3 sends a signature made with player 2's key, as if it were its own.
    let state = net.lobby(peer(1)).game().unwrap().clone();
    let trystero_lobby::Phase::Started { seed, .. } = state.phase else {
        unreachable!()
    };
    let result = trystero_lobby::MatchResult {
        game: state.game,
        seed,
        standings: (1..=3)
            .map(|m| trystero_lobby::Standing {
                player: PlainIdentity::new(m).public_key(),
                place: u8::try_from(m).unwrap(),
            })
            .collect(),
    };
    let signature = PlainIdentity::new(2).sign(&result.signing_bytes());
    let bytes = Message::new(Body::ResultSignature { result, signature }).encode();
    net.hear(peer(1), Channel::Game, peer(3), bytes);
    let refused = net.refusals(peer(1));
    assert!(
        matches!(refused.as_slice(), [Refusal::Result(_)]),
        "{refused:?}"
    );
}

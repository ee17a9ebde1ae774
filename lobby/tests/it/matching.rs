//! Quick match between simulated players: games form, racing hosts merge, rating windows keep
//! players apart until they widen, and a player has one ticket at a time.

use std::collections::BTreeSet;

use trystero_lobby::{GameId, LobbyConfig, LobbyError};

use super::net::{Net, peer};

/// Runs the network for `seconds`, ticking every 100 ms and delivering everything.
fn run(net: &mut Net, seconds: u64) {
    for _ in 0..seconds * 10 {
        net.advance(100);
        net.settle();
    }
}

fn games_of(net: &mut Net, players: impl Iterator<Item = usize>) -> Vec<Option<(GameId, usize)>> {
    players
        .map(|n| {
            let state = net.lobby(peer(n)).game()?;
            state
                .is_member(peer(n))
                .then_some((state.game, state.players.len()))
        })
        .collect()
}

#[test]
fn eight_players_quick_match_into_two_full_games() {
    let mut net = Net::new(8);
    for n in 1..=8 {
        net.act(peer(n), |lobby, now| lobby.quick_match(now))
            .unwrap();
    }
    run(&mut net, 30);
    let games = games_of(&mut net, 1..=8);
    assert!(
        games.iter().all(Option::is_some),
        "everyone plays: {games:?}"
    );
    let distinct: BTreeSet<GameId> = games.iter().flatten().map(|(game, _)| *game).collect();
    assert_eq!(distinct.len(), 2, "{games:?}");
    assert!(
        games.iter().flatten().all(|(_, players)| *players == 4),
        "{games:?}"
    );
    for n in 1..=8 {
        assert!(!net.lobby(peer(n)).matching(), "player {n}'s ticket closed");
    }
}

#[test]
fn two_hosts_racing_merge_into_the_lower_game() {
    let mut net = Net::new(2);
    // Both quick-match and, finding nothing, both host before either hears of the other.
    net.act(peer(1), |lobby, now| lobby.quick_match(now))
        .unwrap();
    net.act(peer(2), |lobby, now| lobby.quick_match(now))
        .unwrap();
    assert!(
        !net.lobby(peer(1)).is_host(),
        "quick match looks before it hosts"
    );
    net.advance(3_000);
    assert!(net.lobby(peer(1)).is_host() && net.lobby(peer(2)).is_host());
    run(&mut net, 5);
    let games = games_of(&mut net, 1..=2);
    assert_eq!(games[0], games[1]);
    let (game, players) = games[0].unwrap();
    assert_eq!((game.creator(), players), (peer(1), 2));
}

#[test]
fn rating_windows_keep_players_apart_until_they_widen() {
    let config = LobbyConfig {
        skill_matching: true,
        ..LobbyConfig::default()
    };
    // Ratings 1100, 1200, …: players 1 and 4 are 300 apart.
    let mut net = Net::with_config(4, &config);
    net.act(peer(1), |lobby, now| lobby.quick_match(now))
        .unwrap();
    run(&mut net, 1);
    net.act(peer(4), |lobby, now| lobby.quick_match(now))
        .unwrap();
    run(&mut net, 3);
    let apart = games_of(&mut net, [1, 4].into_iter());
    assert_ne!(
        apart[0], apart[1],
        "300 apart is outside the first window (100)"
    );
    // Windows widen by 100 every 5 s: 400 after 15 s covers 300.
    run(&mut net, 20);
    let together = games_of(&mut net, [1, 4].into_iter());
    assert!(together[0].is_some());
    assert_eq!(together[0], together[1]);
}

#[test]
fn one_ticket_at_a_time() {
    let mut net = Net::new(1);
    net.act(peer(1), |lobby, now| lobby.quick_match(now))
        .unwrap();
    assert_eq!(
        net.act(peer(1), |lobby, now| lobby.quick_match(now)),
        Err(LobbyError::TicketOpen)
    );
    // Nobody else: it hosts.
    net.advance(3_000);
    net.lobby(peer(1)).cancel_quick_match();
    assert_eq!(
        net.act(peer(1), |lobby, now| lobby.quick_match(now)),
        Err(LobbyError::AlreadyInGame)
    );
}

#[test]
fn leaving_by_choice_ends_the_quick_match() {
    let mut net = Net::new(2);
    net.act(peer(1), |lobby, now| lobby.quick_match(now))
        .unwrap();
    net.advance(3_000);
    net.settle();
    net.act(peer(2), |lobby, now| lobby.quick_match(now))
        .unwrap();
    run(&mut net, 2);
    assert!(net.lobby(peer(2)).game().is_some());
    net.act(peer(2), |lobby, now| lobby.leave_room(now))
        .unwrap();
    assert!(!net.lobby(peer(2)).matching());
    run(&mut net, 5);
    assert!(net.lobby(peer(2)).game().is_none(), "it did not come back");
}

//! A tournament inside a game: sixteen players seeded into a double-elimination bracket that
//! the host replicates; players report their matches, one vanishes midway (walkovers), and
//! everyone still in ends with the same bracket and the same champion.

use trystero_lobby::tournament::Format;
use trystero_lobby::{GameSettings, LobbyEvent};

use super::net::{Net, peer};

#[test]
fn sixteen_players_run_a_double_elimination_to_one_champion() {
    let mut net = Net::new(16);
    let settings = GameSettings {
        name: "cup".into(),
        mode: "survival".into(),
        region: None,
        max_players: 16,
        spectators: true,
        tournament: Some(Format::DoubleElimination),
    };
    let game = net
        .act(peer(1), |lobby, now| lobby.create_room(now, settings))
        .unwrap();
    net.settle();
    net.join_ready_and_start(game, 2..=16);
    let mut rounds = 0;
    let mut crashed = false;
    loop {
        let tournament = net
            .lobby(peer(1))
            .game()
            .unwrap()
            .tournament
            .clone()
            .unwrap();
        let ready = tournament.bracket.ready();
        if ready.is_empty() {
            break;
        }
        for id in ready {
            let [a, b] = tournament.players_of(id).unwrap();
            // The better seed wins.
            let winner = if tournament.entrant(a) < tournament.entrant(b) {
                a
            } else {
                b
            };
            for player in [a, b] {
                if net.lobbies.contains_key(&player) {
                    net.act(player, |lobby, now| lobby.report_match(now, id, winner))
                        .unwrap();
                }
            }
        }
        net.settle();
        rounds += 1;
        if rounds == 2 && !crashed {
            // Player 9 vanishes: the rest of its matches are walkovers.
            net.crash(peer(9));
            net.settle();
            crashed = true;
        }
        assert!(rounds < 64, "the bracket never finished");
    }
    let host_state = net.lobby(peer(1)).game().unwrap().clone();
    let tournament = host_state.tournament.clone().unwrap();
    let champion = tournament.champion().expect("a champion");
    assert_ne!(champion, peer(9));
    let nine = tournament.entrant(peer(9)).unwrap();
    assert_eq!(
        tournament.bracket.withdrawn,
        [nine],
        "player 9's matches were walkovers"
    );
    for (id, lobby) in &net.lobbies {
        assert_eq!(
            lobby.game(),
            Some(&host_state),
            "{id} holds the host's state"
        );
        assert_eq!(
            net.heard(*id, |e| matches!(e, LobbyEvent::TournamentOver { .. })),
            [LobbyEvent::TournamentOver { champion }],
            "{id}"
        );
    }
}

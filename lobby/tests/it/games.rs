//! Whole lobby flows between simulated players: listing, joining, readiness, the start, host
//! migration, rejections, spectators, chat limits and forged messages.

use trystero_core::PeerId;
use trystero_lobby::message::{Body, Message};
use trystero_lobby::{
    Channel, ChatDrop, GameId, Input, LobbyError, LobbyEvent, Refusal, RejectReason,
};

use super::net::{Net, peer, settings};

fn starts(net: &Net, id: PeerId) -> Vec<LobbyEvent> {
    net.heard(id, |event| matches!(event, LobbyEvent::GameStarting { .. }))
}

/// Player 1 hosts a game of `max`; players `joiners` join it; everything settles.
fn hosted(net: &mut Net, max: u8, joiners: &[usize]) -> GameId {
    let game = net
        .act(peer(1), |lobby, now| {
            lobby.create_room(now, settings("arena", max))
        })
        .unwrap();
    net.settle();
    for n in joiners {
        net.act(peer(*n), |lobby, now| lobby.join_room(now, game, false))
            .unwrap();
        net.settle();
    }
    game
}

#[test]
fn games_are_listed_joined_readied_and_started_the_same_everywhere() {
    let mut net = Net::new(4);
    let game = hosted(&mut net, 4, &[]);
    assert_eq!(net.lobby(peer(2)).games()[0].game, game);
    assert_eq!(net.lobby(peer(2)).games()[0].players, 1);
    for n in [2, 3, 4] {
        net.act(peer(n), |lobby, now| lobby.join_room(now, game, false))
            .unwrap();
    }
    net.settle();
    assert_eq!(
        net.lobby(peer(3)).games()[0].players,
        4,
        "the advert follows"
    );
    assert_eq!(
        net.act(peer(1), |lobby, now| lobby.start_game(now)),
        Err(LobbyError::NotAllReady)
    );
    assert_eq!(
        net.act(peer(2), |lobby, now| lobby.start_game(now)),
        Err(LobbyError::NotHost)
    );
    for n in [2, 3, 4] {
        net.act(peer(n), |lobby, now| lobby.set_ready(now, true))
            .unwrap();
    }
    net.settle();
    net.act(peer(1), |lobby, now| lobby.start_game(now))
        .unwrap();
    net.settle();
    let expected = starts(&net, peer(1));
    assert_eq!(expected.len(), 1);
    let LobbyEvent::GameStarting { roster, .. } = &expected[0] else {
        unreachable!()
    };
    assert_eq!(roster, &[peer(1), peer(2), peer(3), peer(4)]);
    for n in [2, 3, 4] {
        assert_eq!(starts(&net, peer(n)), expected, "player {n}");
    }
    assert_eq!(
        net.act(peer(1), |lobby, now| lobby.start_game(now)),
        Err(LobbyError::AlreadyStarted)
    );
}

#[test]
fn when_the_host_leaves_the_lowest_player_hosts_and_the_game_goes_on() {
    let mut net = Net::new(4);
    let game = hosted(&mut net, 4, &[4, 3, 2]);
    net.crash(peer(1));
    net.settle();
    for n in [2, 3, 4] {
        let state = net.lobby(peer(n)).game().unwrap().clone();
        assert_eq!(state.host, peer(2), "player {n}");
        assert_eq!(state.epoch, 1);
        assert_eq!(state.players.len(), 3);
        assert_eq!(
            net.heard(peer(n), |e| *e == LobbyEvent::HostChanged { host: peer(2) })
                .len(),
            1,
            "player {n} hears of the new host once"
        );
    }
    // The new host lists the game and starts it.
    net.advance(2_000);
    net.settle();
    let listed = net.lobby(peer(3)).games();
    assert!(listed.iter().any(|a| a.game == game && a.host == peer(2)));
    for n in [3, 4] {
        net.act(peer(n), |lobby, now| lobby.set_ready(now, true))
            .unwrap();
    }
    net.settle();
    net.act(peer(2), |lobby, now| lobby.start_game(now))
        .unwrap();
    net.settle();
    assert_eq!(starts(&net, peer(3)), starts(&net, peer(2)));
    assert_eq!(starts(&net, peer(4)).len(), 1);
}

#[test]
fn a_host_that_leaves_politely_hands_over_too() {
    let mut net = Net::new(3);
    hosted(&mut net, 4, &[3, 2]);
    net.act(peer(1), |lobby, now| lobby.leave_room(now))
        .unwrap();
    net.settle();
    assert_eq!(net.lobby(peer(3)).game().unwrap().host, peer(2));
    assert_eq!(net.lobby(peer(2)).game().unwrap().players.len(), 2);
    assert!(net.lobby(peer(1)).game().is_none());
}

#[test]
fn a_full_game_rejects_and_the_last_seat_goes_to_one_of_two_racers() {
    let mut net = Net::new(4);
    let game = hosted(&mut net, 3, &[2]);
    // Players 3 and 4 race for the last seat.
    net.act(peer(3), |lobby, now| lobby.join_room(now, game, false))
        .unwrap();
    net.act(peer(4), |lobby, now| lobby.join_room(now, game, false))
        .unwrap();
    net.settle();
    let state = net.lobby(peer(1)).game().unwrap().clone();
    assert_eq!(state.players.len(), 3);
    let (winner, loser) = if state.is_player(peer(3)) {
        (peer(3), peer(4))
    } else {
        (peer(4), peer(3))
    };
    assert_eq!(net.lobby(winner).game(), Some(&state));
    assert!(net.lobby(loser).game().is_none());
    assert_eq!(
        net.heard(loser, |e| matches!(e, LobbyEvent::JoinRejected { .. })),
        [LobbyEvent::JoinRejected {
            game,
            reason: RejectReason::Full
        }]
    );
}

#[test]
fn spectators_join_a_started_game_and_see_its_roster() {
    let mut net = Net::new(3);
    let game = hosted(&mut net, 2, &[2]);
    net.act(peer(2), |lobby, now| lobby.set_ready(now, true))
        .unwrap();
    net.settle();
    net.act(peer(1), |lobby, now| lobby.start_game(now))
        .unwrap();
    net.settle();
    net.advance(2_000);
    net.settle();
    assert!(net.lobby(peer(3)).games()[0].started);
    net.act(peer(3), |lobby, now| lobby.join_room(now, game, true))
        .unwrap();
    net.settle();
    assert_eq!(starts(&net, peer(3)), starts(&net, peer(1)));
    assert_eq!(
        net.heard(peer(1), |e| matches!(e, LobbyEvent::SpectatorJoined { .. }))
            .len(),
        1
    );
    assert_eq!(net.lobby(peer(2)).game().unwrap().spectators.len(), 1);
}

#[test]
fn chat_is_limited_in_length_and_rate() {
    let mut net = Net::new(2);
    assert!(matches!(
        net.act(peer(1), |lobby, now| lobby
            .send_message(now, &"x".repeat(300))),
        Err(LobbyError::Chat(ChatDrop::TooLong(280)))
    ));
    for _ in 0..8 {
        net.act(peer(1), |lobby, now| lobby.send_message(now, "hello"))
            .unwrap();
    }
    net.settle();
    let heard = net.heard(peer(2), |e| matches!(e, LobbyEvent::Message { .. }));
    let dropped = net.heard(peer(2), |e| matches!(e, LobbyEvent::ChatDropped { .. }));
    assert_eq!((heard.len(), dropped.len()), (5, 3));
    assert_eq!(
        heard[0],
        LobbyEvent::Message {
            channel: Channel::Lobby,
            from: peer(1),
            text: "hello".into()
        }
    );
}

#[test]
fn forged_and_malformed_messages_are_refused() {
    let mut net = Net::new(3);
    let game = hosted(&mut net, 4, &[2, 3]);
    // Player 3 sends a state claiming to start the game, as if it were the host.
    let mut forged = net.lobby(peer(3)).game().unwrap().clone();
    forged.revision += 10;
    forged.start(99);
    let bytes = Message::new(Body::State(Box::new(forged.clone()))).encode();
    net.hear(peer(2), Channel::Game, peer(3), bytes);
    // A state that names player 3 as host is still refused from anyone else.
    forged.host = peer(3);
    let bytes = Message::new(Body::State(Box::new(forged))).encode();
    net.hear(peer(2), Channel::Game, peer(1), bytes);
    let truncated = b"{\"v\":1,\"t\":\"state\"".to_vec();
    net.hear(peer(2), Channel::Game, peer(3), truncated);
    // An advert for a game player 3 does not host.
    let mut advert = net.lobby(peer(2)).games()[0].clone();
    advert.name = "free gold".into();
    let bytes = Message::new(Body::Advert(advert)).encode();
    net.hear(peer(2), Channel::Lobby, peer(3), bytes);
    let refused = net.refusals(peer(2));
    assert!(matches!(
        refused.as_slice(),
        [
            Refusal::NotHost,
            Refusal::NotHost,
            Refusal::Message(_),
            Refusal::ForgedAdvert
        ]
    ));
    let state = net.lobby(peer(2)).game().unwrap();
    assert!(!state.started() && state.host == peer(1) && state.game == game);
    assert_eq!(net.lobby(peer(2)).games()[0].name, "arena");
}

#[test]
fn adverts_expire_when_their_host_goes_quiet() {
    let mut net = Net::new(2);
    hosted(&mut net, 4, &[]);
    assert_eq!(net.lobby(peer(2)).games().len(), 1);
    net.crash(peer(1));
    net.advance(8_000);
    assert!(net.lobby(peer(2)).games().is_empty());
}

#[test]
fn analytics_count_players_games_matches_and_chat() {
    let config = trystero_lobby::LobbyConfig {
        game_mode: "survival".into(),
        ..trystero_lobby::LobbyConfig::default()
    };
    let mut net = Net::with_config(3, &config);
    // Everyone sees everyone in the lobby room.
    for a in 1..=3 {
        for b in 1..=3 {
            if a != b {
                let now = net.now;
                net.lobby(peer(a)).handle(
                    now,
                    Input::PeerJoined {
                        channel: Channel::Lobby,
                        peer: peer(b),
                    },
                );
            }
        }
    }
    let game = hosted(&mut net, 2, &[]);
    net.act(peer(2), |lobby, now| lobby.quick_match(now))
        .unwrap();
    net.settle();
    net.advance(1_500);
    net.settle();
    net.act(peer(2), |lobby, now| lobby.set_ready(now, true))
        .unwrap();
    net.settle();
    net.act(peer(1), |lobby, now| lobby.start_game(now))
        .unwrap();
    net.settle();
    net.act(peer(3), |lobby, now| lobby.send_message(now, "gg"))
        .unwrap();
    net.settle();
    let now = net.now;
    let figures = net.lobby(peer(2)).analytics(now);
    assert_eq!(figures.players_online, 3);
    assert_eq!(figures.games_started, 1);
    assert_eq!(
        figures.time_to_match_ms.total, 1,
        "player 2's ticket closed in a full game"
    );
    assert_eq!(figures.chat_total, 1);
    assert_eq!(figures.chat_last_minute, 1);
    assert_eq!(figures.ratings.total, 2, "both players' ratings, once each");
    assert_eq!(figures.lobby_join_ms, Some(0));
    assert!(net.lobby(peer(3)).games().iter().any(|a| a.game == game));
}

#[test]
fn a_member_cannot_seize_the_game_from_a_host_that_is_there() {
    let mut net = Net::new(4);
    let game = hosted(&mut net, 4, &[2, 4, 3]);
    // Player 4 forges a takeover: a new epoch with itself as host, the host dropped and the
    // game started with its own seed.
    let mut forged = net.lobby(peer(4)).game().unwrap().clone();
    forged.take_over(peer(4), &std::collections::BTreeSet::new());
    forged.start(666);
    let bytes = Message::new(Body::State(Box::new(forged))).encode();
    for n in [1, 2, 3] {
        let now = net.now;
        net.lobby(peer(n)).handle(
            now,
            Input::Received {
                channel: Channel::Game,
                from: peer(4),
                bytes: bytes.clone(),
            },
        );
    }
    net.settle();
    for n in [1, 2, 3] {
        let state = net.lobby(peer(n)).game().unwrap();
        assert_eq!(
            (state.host, state.started()),
            (peer(1), false),
            "player {n}"
        );
    }
    // When the host really leaves, the rightful successor (2, the lowest) takes over, not the
    // forger.
    net.crash(peer(1));
    net.settle();
    for n in [2, 3, 4] {
        let state = net.lobby(peer(n)).game().unwrap();
        assert_eq!((state.game, state.host), (game, peer(2)), "player {n}");
        assert!(!state.started(), "player {n}");
    }
}

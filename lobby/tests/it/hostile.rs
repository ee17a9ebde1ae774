//! Hostile input: arbitrary bytes and arbitrary well-formed-looking messages from any peer, on
//! either channel, in any state, never panic the lobby, and its memory stays bounded.

use proptest::prelude::*;
use trystero_core::time::Millis;
use trystero_lobby::message::{Body, Message};
use trystero_lobby::{Advert, Channel, GameId, Input, MAX_LISTED_GAMES, Profile};

use super::net::{Net, peer, settings};

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![Just(Channel::Lobby), Just(Channel::Game)]
}

/// Messages that parse, with fields anywhere in their ranges.
fn body() -> impl Strategy<Value = Body> {
    let game = (1..=6usize, any::<u32>()).prop_map(|(n, number)| GameId::new(peer(n), number));
    prop_oneof![
        (
            game.clone(),
            1..=6usize,
            any::<u8>(),
            1..=64u8,
            any::<i32>(),
            any::<bool>(),
            any::<u32>()
        )
            .prop_map(|(game, host, players, max, rating, started, window)| {
                Body::Advert(Advert {
                    game,
                    host: peer(host),
                    name: "g".into(),
                    mode: "survival".into(),
                    region: None,
                    players: players.min(max),
                    max_players: max,
                    mean_rating: rating,
                    spectators: true,
                    started,
                    app_version: "1".into(),
                    window,
                })
            }),
        game.clone().prop_map(|game| Body::Withdraw { game }),
        ".{0,400}".prop_map(|text| Body::Chat { text }),
        (game.clone(), any::<bool>()).prop_map(|(game, spectator)| Body::Join {
            game,
            profile: Profile::new("x", 1500),
            spectator,
        }),
        (game.clone(), any::<bool>()).prop_map(|(game, ready)| Body::Ready { game, ready }),
        game.clone().prop_map(|game| Body::Leave { game }),
        (game, any::<u16>(), 1..=6usize).prop_map(|(game, match_id, n)| Body::MatchReport {
            game,
            match_id,
            winner: peer(n),
        }),
    ]
}

#[derive(Debug, Clone)]
enum Poison {
    Bytes(Vec<u8>),
    Message(Body),
}

fn poison() -> impl Strategy<Value = Poison> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Poison::Bytes),
        body().prop_map(Poison::Message),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn nothing_a_peer_sends_panics_the_lobby_or_grows_it_without_bound(
        inputs in proptest::collection::vec((1..=6usize, channel(), poison()), 1..80),
        hosting in any::<bool>(),
    ) {
        let mut net = Net::new(2);
        if hosting {
            let game = net
                .act(peer(1), |lobby, now| lobby.create_room(now, settings("arena", 4)))
                .unwrap();
            net.settle();
            net.act(peer(2), |lobby, now| lobby.join_room(now, game, false)).unwrap();
            net.settle();
        }
        for (index, (from, channel, poison)) in inputs.into_iter().enumerate() {
            let bytes = match poison {
                Poison::Bytes(bytes) => bytes,
                Poison::Message(body) => Message::new(body).encode(),
            };
            let now = Millis(u64::try_from(index).unwrap() * 50);
            let lobby = net.lobby(peer(1));
            lobby.handle(now, Input::Received { channel, from: peer(from), bytes });
            while lobby.poll_output().is_some() {}
            prop_assert!(lobby.games().len() <= MAX_LISTED_GAMES);
        }
        // The game, if any, is still a valid one hosted as before.
        if let Some(state) = net.lobby(peer(1)).game() {
            prop_assert_eq!(state.host, peer(1));
        }
    }
}

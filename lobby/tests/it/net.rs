//! A simulated network for lobbies: one lobby room with everyone, one room per game with the
//! players that entered it; per-link FIFO queues, delivered in any order the test picks.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use trystero_core::time::Millis;
use trystero_core::{PeerId, SeededRandom};
use trystero_lobby::{
    Channel, GameId, GameSettings, Input, Lobby, LobbyConfig, LobbyEvent, Output, Profile, Refusal,
};

pub(crate) fn peer(n: usize) -> PeerId {
    PeerId::parse(&format!("peer{n:016}")).unwrap()
}

pub(crate) fn settings(name: &str, max_players: u8) -> GameSettings {
    GameSettings {
        name: name.into(),
        mode: "survival".into(),
        region: None,
        max_players,
        spectators: true,
        tournament: None,
    }
}

/// What travels on one link, in order.
#[derive(Debug, Clone)]
enum Packet {
    /// A message.
    Data { channel: Channel, bytes: Vec<u8> },
    /// The sender entered the receiver's game room: heard before anything it sends there.
    JoinedGame,
    /// The sender left the game's room: the receiver hears it after everything sent before.
    LeftGame,
}

pub(crate) struct Net {
    pub(crate) now: Millis,
    pub(crate) lobbies: BTreeMap<PeerId, Lobby>,
    /// Every event each player heard, in order.
    pub(crate) events: BTreeMap<PeerId, Vec<LobbyEvent>>,
    /// Game → the peers in its room.
    rooms: BTreeMap<GameId, BTreeSet<PeerId>>,
    /// Which game room each peer is in.
    entered: BTreeMap<PeerId, GameId>,
    /// (from, to) → messages in order.
    links: BTreeMap<(PeerId, PeerId), VecDeque<Packet>>,
}

impl Net {
    /// `players` lobbies, all in the lobby room, with ratings 1000 + 100·n.
    pub(crate) fn new(players: usize) -> Self {
        Self::with_config(players, &LobbyConfig::default())
    }

    /// [`Net::new`] with this configuration for everyone.
    pub(crate) fn with_config(players: usize, config: &LobbyConfig) -> Self {
        let mut net = Self {
            now: Millis(0),
            lobbies: BTreeMap::new(),
            events: BTreeMap::new(),
            rooms: BTreeMap::new(),
            entered: BTreeMap::new(),
            links: BTreeMap::new(),
        };
        for n in 1..=players {
            let profile = Profile {
                name: format!("player {n}"),
                rating: 1000 + 100 * i32::try_from(n).unwrap(),
                key: None,
            };
            let lobby = Lobby::new(
                peer(n),
                profile,
                config.clone(),
                SeededRandom::new(n as u64),
            )
            .unwrap();
            net.lobbies.insert(peer(n), lobby);
            net.events.insert(peer(n), Vec::new());
        }
        net
    }

    pub(crate) fn lobby(&mut self, id: PeerId) -> &mut Lobby {
        self.lobbies.get_mut(&id).unwrap()
    }

    /// Runs `f` on a player's lobby, then carries out what it asked for.
    pub(crate) fn act<T>(&mut self, id: PeerId, f: impl FnOnce(&mut Lobby, Millis) -> T) -> T {
        let now = self.now;
        let result = f(self.lobby(id), now);
        self.drain(id);
        result
    }

    fn feed(&mut self, id: PeerId, input: Input) {
        let now = self.now;
        if let Some(lobby) = self.lobbies.get_mut(&id) {
            lobby.handle(now, input);
            self.drain(id);
        }
    }

    /// Carries out a lobby's outputs.
    fn drain(&mut self, id: PeerId) {
        while let Some(output) = self.lobbies.get_mut(&id).and_then(Lobby::poll_output) {
            match output {
                Output::Send { channel, to, bytes } => {
                    let targets: Vec<PeerId> = match (channel, to) {
                        (_, Some(to)) => vec![to],
                        (Channel::Lobby, None) => self.lobbies.keys().copied().collect(),
                        (Channel::Game, None) => self
                            .entered
                            .get(&id)
                            .and_then(|game| self.rooms.get(game))
                            .map(|room| room.iter().copied().collect())
                            .unwrap_or_default(),
                    };
                    for to in targets {
                        let reachable = match channel {
                            Channel::Lobby => self.lobbies.contains_key(&to),
                            Channel::Game => {
                                self.entered.contains_key(&id)
                                    && self.entered.get(&id) == self.entered.get(&to)
                            }
                        };
                        if to != id && reachable {
                            self.links
                                .entry((id, to))
                                .or_default()
                                .push_back(Packet::Data {
                                    channel,
                                    bytes: bytes.clone(),
                                });
                        }
                    }
                }
                Output::EnterGame(game) => self.enter(id, game),
                Output::ExitGame(game) => self.exit(id, game),
                Output::Event(event) => self.events.get_mut(&id).unwrap().push(event),
            }
        }
    }

    fn enter(&mut self, id: PeerId, game: GameId) {
        let others: Vec<PeerId> = self
            .rooms
            .get(&game)
            .map(|room| room.iter().copied().collect())
            .unwrap_or_default();
        self.rooms.entry(game).or_default().insert(id);
        self.entered.insert(id, game);
        // Each side hears of the other in order with what it sent before (a leave, say).
        for other in others {
            for link in [(id, other), (other, id)] {
                self.links
                    .entry(link)
                    .or_default()
                    .push_back(Packet::JoinedGame);
            }
        }
    }

    fn exit(&mut self, id: PeerId, game: GameId) {
        if self.entered.get(&id) != Some(&game) {
            return;
        }
        self.entered.remove(&id);
        let room = self.rooms.get_mut(&game).unwrap();
        room.remove(&id);
        let others: Vec<PeerId> = room.iter().copied().collect();
        // What the room still had on its way to the leaver is gone with the room.
        for ((_, to), queue) in &mut self.links {
            if *to == id {
                queue.retain(|packet| {
                    matches!(
                        packet,
                        Packet::Data {
                            channel: Channel::Lobby,
                            ..
                        }
                    )
                });
            }
        }
        // Messages already sent still arrive first (an ordered channel flushes before it
        // closes), then the others hear that the peer left.
        for other in others {
            self.links
                .entry((id, other))
                .or_default()
                .push_back(Packet::LeftGame);
        }
    }

    /// A player vanishes: out of every room at once, its undelivered messages lost.
    pub(crate) fn crash(&mut self, id: PeerId) {
        self.lobbies.remove(&id);
        // A game room it had already left but whose peers had not heard so yet: its links
        // close now, so they hear it now.
        let pending_leaves: Vec<PeerId> = self
            .links
            .iter()
            .filter(|((from, _), queue)| {
                *from == id && queue.iter().any(|p| matches!(p, Packet::LeftGame))
            })
            .map(|((_, to), _)| *to)
            .collect();
        self.links.retain(|(from, to), _| *from != id && *to != id);
        for other in pending_leaves {
            self.feed(
                other,
                Input::PeerLeft {
                    channel: Channel::Game,
                    peer: id,
                },
            );
        }
        if let Some(game) = self.entered.remove(&id) {
            let room = self.rooms.get_mut(&game).unwrap();
            room.remove(&id);
            for other in room.clone() {
                self.feed(
                    other,
                    Input::PeerLeft {
                        channel: Channel::Game,
                        peer: id,
                    },
                );
            }
        }
        for other in self.lobbies.keys().copied().collect::<Vec<_>>() {
            self.feed(
                other,
                Input::PeerLeft {
                    channel: Channel::Lobby,
                    peer: id,
                },
            );
        }
    }

    /// Delivers the next message of the `pick`th non-empty link; `false` when none is left.
    pub(crate) fn deliver_one(&mut self, pick: usize) -> bool {
        let busy: Vec<(PeerId, PeerId)> = self
            .links
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .map(|(link, _)| *link)
            .collect();
        if busy.is_empty() {
            return false;
        }
        let (from, to) = busy[pick % busy.len()];
        let packet = self
            .links
            .get_mut(&(from, to))
            .unwrap()
            .pop_front()
            .unwrap();
        match packet {
            Packet::JoinedGame => self.feed(
                to,
                Input::PeerJoined {
                    channel: Channel::Game,
                    peer: from,
                },
            ),
            Packet::LeftGame => self.feed(
                to,
                Input::PeerLeft {
                    channel: Channel::Game,
                    peer: from,
                },
            ),
            // A peer that left the game's room hears nothing more from it.
            Packet::Data { channel, bytes }
                if channel == Channel::Lobby || self.entered.contains_key(&to) =>
            {
                self.feed(
                    to,
                    Input::Received {
                        channel,
                        from,
                        bytes,
                    },
                );
            }
            Packet::Data { .. } => {}
        }
        true
    }

    /// Delivers everything (in link order) until nothing is in flight.
    pub(crate) fn settle(&mut self) {
        let mut steps = 0;
        while self.deliver_one(0) {
            steps += 1;
            assert!(steps < 100_000, "the lobbies never went quiet");
        }
    }

    /// Advances the clock and ticks every lobby.
    pub(crate) fn advance(&mut self, millis: u64) {
        self.now = Millis(self.now.0 + millis);
        for id in self.lobbies.keys().copied().collect::<Vec<_>>() {
            self.feed(id, Input::Tick);
        }
    }

    /// `to` hears `bytes` from `from` directly (outside the network), and keeps its outputs
    /// for [`Net::refusals`].
    pub(crate) fn hear(&mut self, to: PeerId, channel: Channel, from: PeerId, bytes: Vec<u8>) {
        let now = self.now;
        self.lobby(to).handle(
            now,
            Input::Received {
                channel,
                from,
                bytes,
            },
        );
    }

    /// Drains `id`'s outputs; returns what it refused.
    pub(crate) fn refusals(&mut self, id: PeerId) -> Vec<Refusal> {
        let mut refused = Vec::new();
        while let Some(output) = self.lobby(id).poll_output() {
            if let Output::Event(LobbyEvent::Refused { error, .. }) = output {
                refused.push(error);
            }
        }
        refused
    }

    /// The players `joiners` join `game`, each ready once in; then its host (player 1) starts it.
    pub(crate) fn join_ready_and_start(
        &mut self,
        game: GameId,
        joiners: impl Iterator<Item = usize>,
    ) {
        for n in joiners {
            self.act(peer(n), |lobby, now| lobby.join_room(now, game, false))
                .unwrap();
            self.settle();
            self.act(peer(n), |lobby, now| lobby.set_ready(now, true))
                .unwrap();
            self.settle();
        }
        self.act(peer(1), |lobby, now| lobby.start_game(now))
            .unwrap();
        self.settle();
    }

    /// Every event `id` heard that matches.
    pub(crate) fn heard(&self, id: PeerId, f: impl Fn(&LobbyEvent) -> bool) -> Vec<LobbyEvent> {
        self.events[&id].iter().filter(|e| f(e)).cloned().collect()
    }
}

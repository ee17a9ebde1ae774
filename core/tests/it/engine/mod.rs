//! The room engine, deterministic: several engines wired by an in-memory network under a manual
//! clock (`Net`, here). `rooms.rs`: the handshake, password mismatch and timeout, leave/rejoin,
//! two rooms over one connection, link loss, idle close and the exact first frames;
//! `unordered.rs`: the second channel; `hostile.rs`: what a misbehaving peer may not do
//! (pending-peer filtering, ping floods, long internal messages, too many transfers).

mod hostile;
mod rooms;
mod unordered;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use trystero_core::keys::{KeyError, RoomKeys};
use trystero_core::room::{Engine, EngineConfig, EngineError, LinkId, Output, RoomEvent};
use trystero_core::time::Millis;
use trystero_core::wire::{ActionType, Payload, chunks};
use trystero_core::{PeerId, RoomToken, SeededRandom};

use super::keys;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Two engines in room "r", connected and past the handshake, their join events taken.
fn joined_pair() -> (Net, RoomToken, (LinkId, LinkId)) {
    let mut net = Net::new(2);
    let room = net.join(0, "r", "");
    net.join(1, "r", "");
    let links = net.connect(0, 1, room);
    net.take_events();
    (net, room, links)
}

/// Engines connected by in-memory links that deliver frames in order.
struct Net {
    engines: Vec<Engine>,
    /// (engine, its link id) → (other engine, its link id)
    wires: BTreeMap<(usize, LinkId), (usize, LinkId)>,
    next_link: u64,
    now: Millis,
    events: Vec<(usize, RoomToken, RoomEvent)>,
    sent: Vec<(usize, Vec<u8>)>,
    /// Engines standing in for Trystero JS peers: their `@_features` frames are not delivered.
    plain: Vec<usize>,
    /// Second channels opened: (engine that asked, its link).
    unordered: Vec<(usize, LinkId)>,
}

impl Net {
    /// Peers with ids in ascending order: engine 0 has the lowest id.
    fn new(count: usize) -> Self {
        let engines = (0..count)
            .map(|i| {
                let id = PeerId::parse(&format!("peer{i:016}")).unwrap();
                Engine::new(id, SeededRandom::new(i as u64), EngineConfig::default())
            })
            .collect();
        Self {
            engines,
            wires: BTreeMap::new(),
            next_link: 1,
            now: Millis(0),
            events: Vec::new(),
            sent: Vec::new(),
            plain: Vec::new(),
            unordered: Vec::new(),
        }
    }

    fn id(&self, engine: usize) -> PeerId {
        self.engines[engine].self_id()
    }

    fn join(&mut self, engine: usize, room: &str, password: &str) -> RoomToken {
        let keys = keys(room, password);
        let token = self.engines[engine]
            .join(self.now, Arc::new(keys), TIMEOUT)
            .unwrap();
        self.run();
        token
    }

    /// Opens a link between `a` and `b`, made for `room` (as the signalling layer would).
    fn connect(&mut self, a: usize, b: usize, room: RoomToken) -> (LinkId, LinkId) {
        let (la, lb) = (LinkId(self.next_link), LinkId(self.next_link + 1));
        self.next_link += 2;
        self.wires.insert((a, la), (b, lb));
        self.wires.insert((b, lb), (a, la));
        let (id_a, id_b) = (self.id(a), self.id(b));
        self.engines[a]
            .link_opened(self.now, la, id_b, room)
            .unwrap();
        self.engines[b]
            .link_opened(self.now, lb, id_a, room)
            .unwrap();
        self.run();
        (la, lb)
    }

    /// Carries out every output until nothing moves.
    fn run(&mut self) {
        loop {
            let mut moved = false;
            for index in 0..self.engines.len() {
                while let Some(output) = self.engines[index].poll_output() {
                    moved = true;
                    match output {
                        Output::SendFrame { link, frame } => {
                            self.sent.push((index, frame.clone()));
                            let features = frame
                                .windows(ActionType::FEATURES.len())
                                .any(|w| w == ActionType::FEATURES.as_bytes());
                            if features && self.plain.contains(&index) {
                                continue;
                            }
                            if let Some(&(to, their)) = self.wires.get(&(index, link)) {
                                self.engines[to].link_message(self.now, their, &frame);
                            }
                        }
                        Output::CloseLink { link } => {
                            if let Some((to, their)) = self.wires.remove(&(index, link)) {
                                self.wires.remove(&(to, their));
                                self.engines[to].link_closed(self.now, their);
                            }
                        }
                        Output::Event { room, event } => self.events.push((index, room, event)),
                        Output::OpenUnordered { link } => {
                            // The transport opens it; both ends hear.
                            self.unordered.push((index, link));
                            self.engines[index].unordered_opened(link);
                            if let Some(&(to, their)) = self.wires.get(&(index, link)) {
                                self.engines[to].unordered_opened(their);
                            }
                        }
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn advance(&mut self, by: Duration) {
        self.now = self.now.after(by);
        for engine in &mut self.engines {
            engine.tick(self.now);
        }
        self.run();
    }

    /// Sends a user payload the way the driver does: prepare, then stream every frame.
    fn send(&mut self, from: usize, room: RoomToken, action: &str, payload: &Payload) {
        let action = ActionType::new(action).unwrap();
        let transmission = self.engines[from].prepare_send(room, action, None).unwrap();
        for (_, link) in transmission.targets {
            let frames = chunks(
                action,
                transmission.nonce,
                payload.kind(),
                payload.as_bytes(),
                None,
            )
            .into_room_frames(room);
            let (to, their) = self.wires[&(from, link)];
            for frame in frames {
                self.engines[to].link_message(self.now, their, &frame);
            }
        }
        self.run();
    }

    fn take_events(&mut self) -> Vec<(usize, RoomToken, RoomEvent)> {
        std::mem::take(&mut self.events)
    }

    /// Who saw whom join, sorted by engine.
    fn joined(&mut self) -> Vec<(usize, PeerId)> {
        let mut joined: Vec<(usize, PeerId)> = self
            .take_events()
            .into_iter()
            .filter_map(|(engine, _, event)| match event {
                RoomEvent::PeerJoined(peer) => Some((engine, peer)),
                _ => None,
            })
            .collect();
        joined.sort();
        joined
    }
}

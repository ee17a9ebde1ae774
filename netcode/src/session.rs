//! The peer-to-peer session: one local player, 1 to 7 remote ones, rollback on late inputs.

use std::collections::VecDeque;

use crate::input::{Input, InputStatus, PlayerInput, Predictor, RepeatLast};
use crate::message::{Checksum, Message};
use crate::queue::Queue;
use crate::socket::Socket;
use crate::{Frame, Inputs, MAX_PLAYERS, Request};

/// Extra saved states, so a dropped player's last frame can move this far back when the
/// remaining peers compare notes.
const DROP_MARGIN: usize = 6;

/// Session settings. The defaults are the seed's: input delay 2, rollback window 7, a state
/// check every 60 frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Players in the match (2 to 8).
    pub players: usize,
    /// Frames between pressing and the input taking effect (hides that much latency).
    pub input_delay: Frame,
    /// The most frames the session runs ahead of the last confirmed one (the rollback window).
    pub max_prediction: Frame,
    /// Confirmed frames whose checksums peers compare: every this many.
    pub check_interval: Frame,
    /// Silence from a peer after which [`Event::NetworkInterrupted`] fires (ms).
    pub interrupt_after_ms: u64,
    /// Silence after which the peer is dropped from the match (ms).
    pub disconnect_after_ms: u64,
    /// Frames a session must be ahead (on average) before it recommends waiting.
    pub wait_threshold: i32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            players: 2,
            input_delay: 2,
            max_prediction: 7,
            check_interval: 60,
            interrupt_after_ms: 500,
            disconnect_after_ms: 5_000,
            wait_threshold: 2,
        }
    }
}

/// What the session tells the game besides requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Nothing heard from `player` for a while; it is dropped after `disconnect_in_ms` more.
    NetworkInterrupted {
        /// The silent remote player (its index, as given to `P2PSession::add_remote`).
        player: usize,
        /// Time left before the disconnect.
        disconnect_in_ms: u64,
    },
    /// `player` is heard from again.
    NetworkResumed {
        /// The remote player heard from again (its index, as given to
        /// `P2PSession::add_remote`).
        player: usize,
    },
    /// `player` is gone; from `frame` on its input is the default.
    Disconnected {
        /// The dropped remote player (its index, as given to `P2PSession::add_remote`).
        player: usize,
        /// The first frame without them.
        frame: Frame,
    },
    /// This session is ahead of the others: skip this many frames (do not advance) so they
    /// catch up, instead of rolling back all the time.
    WaitRecommendation {
        /// Frames to skip.
        frames: u32,
    },
    /// A confirmed frame's state differs from `player`'s: the simulation is not deterministic.
    Desync {
        /// The frame (its state at the start).
        frame: Frame,
        /// The remote player whose checksum differs (its index, as given to
        /// `P2PSession::add_remote`).
        player: usize,
        /// The first differing checksum part.
        part: usize,
        /// Our checksum of that part.
        local: u64,
        /// The remote player's checksum of that part.
        remote: u64,
    },
}

/// Why a frame could not advance, or a session not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Too far ahead of the last confirmed frame: skip this tick (and keep polling).
    #[error("the rollback window is full: wait for remote inputs")]
    PredictionThreshold,
    /// The configuration is impossible.
    #[error("invalid configuration: {0}")]
    Config(&'static str),
    /// A player index out of range, the local player, or one already added.
    #[error("invalid player {0}")]
    Player(usize),
    /// Not every remote player has an address yet.
    #[error("not every remote player was added")]
    Incomplete,
}

/// Counters, for tests and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages sent.
    pub sent: u64,
    /// Messages received and used.
    pub received: u64,
    /// Datagrams dropped as malformed, foreign or from unknown addresses.
    pub dropped: u64,
    /// Rollbacks done.
    pub rollbacks: u64,
    /// Frames resimulated by rollbacks.
    pub resimulated: u64,
    /// Peers' claims that a player dropped from a frame older than any state kept (so
    /// never a real peer's, and loading it would load an overwritten state): refused.
    pub refused_drops: u64,
}

#[derive(Debug)]
struct Remote<A> {
    address: A,
    /// Every frame below this of our inputs is acknowledged by them.
    acked: Frame,
    /// Their last reported frame, and when it arrived.
    frame: Frame,
    last_heard: Option<u64>,
    interrupted: bool,
    /// Their last ping, to echo.
    pong: u32,
    rtt_ms: u64,
    /// Every player's input below this frame is in their hands (their latest report).
    confirmed: Frame,
    /// The players they dropped, and from which frame (their latest report).
    drops: [Option<Frame>; MAX_PLAYERS],
    /// Their latest checksum report we could not check yet.
    pending: Option<Checksum>,
    checked_until: Frame,
}

#[derive(Debug)]
struct Spectator<A> {
    address: A,
    /// Every frame below this was received by the spectator.
    acked: Frame,
}

/// A rollback session for one local player. See the crate docs for a complete example.
#[derive(Debug)]
pub struct P2PSession<I: Input, A, P = RepeatLast> {
    config: Config,
    local: usize,
    predictor: P,
    queues: Vec<Queue<I>>,
    remotes: Vec<Option<Remote<A>>>,
    spectators: Vec<Spectator<A>>,
    current: Frame,
    started: bool,
    first_incorrect: Option<Frame>,
    events: VecDeque<Event>,
    /// The latest checksum report per check frame not yet final, and the final ones.
    reported: Option<Checksum>,
    finals: VecDeque<Checksum>,
    advantage: VecDeque<i32>,
    last_wait_frame: Frame,
    stats: Stats,
    message: Message<I>,
    buffer: Vec<u8>,
    received: Vec<(A, Vec<u8>)>,
}

impl<I: Input, A: Clone + PartialEq> P2PSession<I, A> {
    /// A session of `config.players` players in which `local` is ours; add the others with
    /// [`P2PSession::add_remote`].
    pub fn new(config: Config, local: usize) -> Result<Self, SessionError> {
        Self::with_predictor(config, local, RepeatLast)
    }
}

impl<I: Input, A: Clone + PartialEq, P: Predictor<I>> P2PSession<I, A, P> {
    /// [`P2PSession::new`] with another input predictor.
    pub fn with_predictor(
        config: Config,
        local: usize,
        predictor: P,
    ) -> Result<Self, SessionError> {
        if !(2..=MAX_PLAYERS).contains(&config.players) {
            return Err(SessionError::Config("2 to 8 players"));
        }
        if config.max_prediction == 0 || config.max_prediction > 60 {
            return Err(SessionError::Config("max_prediction must be 1 to 60"));
        }
        if config.input_delay > 30 || config.check_interval == 0 {
            return Err(SessionError::Config(
                "input_delay ≤ 30 and check_interval ≥ 1",
            ));
        }
        if local >= config.players {
            return Err(SessionError::Player(local));
        }
        Ok(Self {
            config,
            local,
            predictor,
            queues: (0..config.players)
                .map(|_| Queue::new(config.input_delay))
                .collect(),
            remotes: (0..config.players).map(|_| None).collect(),
            spectators: Vec::new(),
            current: 0,
            started: false,
            first_incorrect: None,
            events: VecDeque::new(),
            reported: None,
            finals: VecDeque::new(),
            advantage: VecDeque::new(),
            last_wait_frame: 0,
            stats: Stats::default(),
            message: Message::default(),
            buffer: Vec::new(),
            received: Vec::new(),
        })
    }

    /// Says where remote `player` is reached.
    pub fn add_remote(&mut self, player: usize, address: A) -> Result<(), SessionError> {
        if player >= self.config.players || player == self.local || self.remotes[player].is_some() {
            return Err(SessionError::Player(player));
        }
        self.remotes[player] = Some(Remote {
            address,
            acked: 0,
            frame: 0,
            last_heard: None,
            interrupted: false,
            pong: 0,
            rtt_ms: 0,
            pending: None,
            checked_until: 0,
            drops: [None; MAX_PLAYERS],
            confirmed: 0,
        });
        Ok(())
    }

    /// Streams every player's confirmed inputs to a spectator at `address` (a
    /// [`SpectatorSession`](crate::SpectatorSession)), from the frames still kept.
    pub fn add_spectator(&mut self, address: A) {
        self.spectators.push(Spectator { address, acked: 0 });
    }

    /// The frame the next [`P2PSession::advance_frame`] simulates.
    pub fn current_frame(&self) -> Frame {
        self.current
    }

    /// Every frame below this has every player's real input. A dropped player counts as
    /// confirmed for good only once every remaining peer dropped it from the same frame;
    /// until then, the frame it stops at bounds how far anyone runs ahead.
    pub fn confirmed_frame(&self) -> Frame {
        (0..self.config.players)
            .map(|player| {
                let queue = &self.queues[player];
                match queue.disconnected_at() {
                    Some(_) if self.drop_agreed(player) => Frame::MAX,
                    Some(dropped) => dropped,
                    None => queue.next(),
                }
            })
            .min()
            .unwrap_or(0)
    }

    /// Frames below this can no longer change anywhere: every remaining peer has every
    /// input below it, so no peer can drop a player earlier. Checksums become final here,
    /// and a peer that ends its match at a frame may leave once it is settled (the others
    /// have every input they need from it).
    pub fn settled_frame(&self) -> Frame {
        let theirs = self
            .remotes
            .iter()
            .enumerate()
            .filter(|(player, _)| self.queues[*player].disconnected_at().is_none())
            .filter_map(|(_, remote)| remote.as_ref().map(|remote| remote.confirmed))
            .min()
            .unwrap_or(Frame::MAX);
        self.confirmed_frame().min(theirs)
    }

    /// Whether every remaining remote dropped `player` from the frame we did.
    fn drop_agreed(&self, player: usize) -> bool {
        let ours = self.queues[player].disconnected_at();
        self.remotes.iter().enumerate().all(|(other, remote)| {
            let Some(remote) = remote else {
                return true;
            };
            other == player
                || self.queues[other].disconnected_at().is_some()
                || remote.drops[player] == ours
        })
    }

    /// Drops remote `player` now, without waiting for its silence to reach
    /// [`Config::disconnect_after_ms`] (say, the room reported it left): from the first frame
    /// whose input did not arrive, its input is the default, as for a silent peer. The other
    /// peers settle on one frame as they would for a timeout. Does nothing for the local
    /// player, one out of range, or one already dropped.
    pub fn disconnect_player(&mut self, player: usize) {
        let remote = self.remotes.get(player).is_some_and(Option::is_some);
        if player == self.local || !remote || self.queues[player].disconnected_at().is_some() {
            return;
        }
        let frame = self.queues[player].next();
        self.drop_player(player, frame);
    }

    /// Drops `player` from `frame` (or earlier, see the queue): the default input from there,
    /// a rollback if that frame was already simulated, and an event.
    fn drop_player(&mut self, player: usize, frame: Frame) {
        if let Some(from) = self.queues[player].disconnect(frame) {
            if from < self.current {
                self.first_incorrect =
                    Some(self.first_incorrect.map_or(from, |first| first.min(from)));
            }
            self.events.push_back(Event::Disconnected {
                player,
                frame: from,
            });
        }
    }

    /// The oldest frame whose saved state is still kept (a rollback can load it).
    fn oldest_loadable(&self) -> Frame {
        let kept = Frame::try_from(self.slots()).unwrap_or(1).max(1);
        self.current.saturating_sub(kept - 1)
    }

    /// A remote peer says `player` dropped from `frame`. A peer speaks for itself only: the
    /// claim is followed (so that every peer settles on the earliest frame) once `player` is
    /// silent for us too (interrupted, or dropped already) — never while we still hear it, so
    /// a peer cannot drop an honest player from the others' matches. Until then the claim
    /// stays in that peer's latest report and is considered again at every poll.
    fn consider_drop(&mut self, player: usize, frame: Frame) {
        let silent = self.queues[player].disconnected_at().is_some()
            || self.remotes[player]
                .as_ref()
                .is_some_and(|remote| remote.interrupted);
        if silent && frame >= self.oldest_loadable() {
            self.drop_player(player, frame);
        }
    }

    /// The remote peers' standing drop claims, considered again (a player they dropped may
    /// have fallen silent for us since).
    fn consider_drop_claims(&mut self) {
        let mut claims = [None::<Frame>; MAX_PLAYERS];
        for (from, remote) in self.remotes.iter().enumerate() {
            let Some(remote) = remote else { continue };
            if self.queues[from].disconnected_at().is_some() {
                continue;
            }
            for (player, claim) in remote.drops.iter().enumerate() {
                if let Some(frame) = *claim
                    && player != self.local
                    && player != from
                    && player < self.config.players
                {
                    claims[player] = Some(claims[player].map_or(frame, |f: Frame| f.min(frame)));
                }
            }
        }
        for (player, claim) in claims.into_iter().enumerate() {
            if let Some(frame) = claim
                && self.queues[player]
                    .disconnected_at()
                    .is_none_or(|ours| frame < ours)
            {
                self.consider_drop(player, frame);
            }
        }
    }

    /// The state slots a game keeps (saved states are indexed `0..slots()`): the rollback
    /// window, plus room for peers that dropped a player at slightly different frames to
    /// settle on the earliest.
    pub fn slots(&self) -> usize {
        usize::try_from(self.config.max_prediction).unwrap_or(7) + 2 + DROP_MARGIN
    }

    fn slot(&self, frame: Frame) -> usize {
        usize::try_from(frame).unwrap_or(0) % self.slots()
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The round trip to `player` in ms (0 until measured).
    pub fn rtt_ms(&self, player: usize) -> u64 {
        self.remotes
            .get(player)
            .and_then(Option::as_ref)
            .map_or(0, |remote| remote.rtt_ms)
    }

    /// How many frames we are ahead of the slowest peer, averaged (negative: behind).
    pub fn frames_ahead(&self) -> i32 {
        let count = i32::try_from(self.advantage.len()).unwrap_or(1).max(1);
        self.advantage.iter().sum::<i32>() / count
    }

    /// The next event, if any.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Simulates one frame with our `input` (taking effect after the input delay). `requests`
    /// is cleared and filled with what the game must do, in order: a rollback (load, then
    /// advance and save each frame again) if a remote input proved a guess wrong, then this
    /// frame's advance and save. Reusing `requests` keeps a steady session allocation-free.
    pub fn advance_frame(
        &mut self,
        input: I,
        requests: &mut Vec<Request<I>>,
    ) -> Result<(), SessionError> {
        requests.clear();
        if self
            .remotes
            .iter()
            .enumerate()
            .any(|(player, remote)| player != self.local && remote.is_none())
        {
            return Err(SessionError::Incomplete);
        }
        if self.current
            >= self
                .confirmed_frame()
                .saturating_add(self.config.max_prediction)
        {
            return Err(SessionError::PredictionThreshold);
        }
        if !self.started {
            self.started = true;
            requests.push(Request::Save {
                frame: 0,
                slot: self.slot(0),
                checksum: false,
            });
        }
        if let Some(first) = self.first_incorrect.take()
            && first < self.current
        {
            self.stats.rollbacks += 1;
            self.stats.resimulated += u64::from(self.current - first);
            requests.push(Request::Load {
                frame: first,
                slot: self.slot(first),
            });
            for frame in first..self.current {
                self.push_step(frame, requests);
            }
        }
        let local = self.current + self.config.input_delay;
        self.queues[self.local].confirm(local, input);
        self.push_step(self.current, requests);
        self.current += 1;
        self.recommend_wait();
        Ok(())
    }

    fn push_step(&mut self, frame: Frame, requests: &mut Vec<Request<I>>) {
        let mut inputs = Inputs::default();
        for player in 0..self.config.players {
            let queue = &mut self.queues[player];
            let item = match queue.get(frame) {
                Some(input) => PlayerInput {
                    input,
                    status: InputStatus::Confirmed,
                },
                None if queue.disconnected_at().is_some_and(|at| frame >= at) => PlayerInput {
                    input: I::default(),
                    status: InputStatus::Disconnected,
                },
                None => {
                    let guess = self.predictor.predict(queue.last());
                    queue.guess(frame, guess);
                    PlayerInput {
                        input: guess,
                        status: InputStatus::Predicted,
                    }
                }
            };
            inputs.push(item);
        }
        requests.push(Request::Advance { frame, inputs });
        let next = frame + 1;
        requests.push(Request::Save {
            frame: next,
            slot: self.slot(next),
            checksum: next.is_multiple_of(self.config.check_interval),
        });
    }

    /// The game's checksum of the state saved for `frame` (asked for by a `Save` with
    /// `checksum: true`); with several parts, a desync names the first that differs.
    pub fn report_checksum(&mut self, frame: Frame, parts: &[u64]) {
        self.reported = Some(Checksum::new(frame, parts));
    }

    /// Makes the latest report final once nothing before its frame can change any more.
    fn finalize_checksum(&mut self) {
        let Some(report) = self.reported else {
            return;
        };
        let settled = self
            .first_incorrect
            .is_none_or(|first| first >= report.frame);
        if report.frame <= self.settled_frame() && report.frame <= self.current && settled {
            self.reported = None;
            if self.finals.len() == 16 {
                self.finals.pop_front();
            }
            self.finals.push_back(report);
        }
    }

    fn compare(&mut self, player: usize) {
        let Some(remote) = self.remotes[player].as_mut() else {
            return;
        };
        let Some(theirs) = remote.pending else {
            return;
        };
        let Some(ours) = self.finals.iter().find(|ours| ours.frame == theirs.frame) else {
            if self
                .finals
                .back()
                .is_some_and(|last| last.frame > theirs.frame)
            {
                remote.pending = None; // too old to check
            }
            return;
        };
        remote.pending = None;
        if theirs.frame < remote.checked_until {
            return;
        }
        remote.checked_until = theirs.frame + 1;
        let mismatch = ours
            .parts()
            .iter()
            .zip(theirs.parts())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        if let Some((part, (local, remote_value))) = mismatch {
            self.events.push_back(Event::Desync {
                frame: theirs.frame,
                player,
                part,
                local: *local,
                remote: *remote_value,
            });
        }
    }

    fn recommend_wait(&mut self) {
        let ahead = self.frames_ahead();
        let gap = self.current.saturating_sub(self.last_wait_frame);
        if ahead >= self.config.wait_threshold && gap >= 60 {
            self.last_wait_frame = self.current;
            self.advantage.clear();
            self.events.push_back(Event::WaitRecommendation {
                frames: u32::try_from(ahead / 2).unwrap_or(1).max(1),
            });
        }
    }

    /// Receives everything waiting on `socket`, checks peers' liveness at `now_ms`, and sends
    /// each peer every input it has not acknowledged. Call it once per frame.
    pub fn poll<S: Socket<A>>(&mut self, now_ms: u64, socket: &mut S) {
        let mut received = std::mem::take(&mut self.received);
        received.clear();
        socket.receive(&mut received);
        for (from, bytes) in &received {
            self.on_datagram(now_ms, from, bytes);
        }
        self.received = received;
        self.check_liveness(now_ms);
        self.consider_drop_claims();
        self.finalize_checksum();
        for player in 0..self.config.players {
            self.compare(player);
        }
        self.send_all(now_ms, socket);
        self.stream_to_spectators(now_ms, socket);
    }

    fn on_datagram(&mut self, now_ms: u64, from: &A, bytes: &[u8]) {
        if let Some(spectator) = self.spectators.iter_mut().find(|s| s.address == *from) {
            // A spectator only acknowledges.
            if self.message.decode_into(bytes).is_ok() && !self.message.stream {
                spectator.acked = spectator.acked.max(self.message.ack);
                self.stats.received += 1;
            } else {
                self.stats.dropped += 1;
            }
            return;
        }
        let Some(player) = self
            .remotes
            .iter()
            .position(|remote| remote.as_ref().is_some_and(|r| r.address == *from))
        else {
            self.stats.dropped += 1;
            return;
        };
        if self.message.decode_into(bytes).is_err() || self.message.stream {
            self.stats.dropped += 1;
            return;
        }
        self.stats.received += 1;
        let message = std::mem::take(&mut self.message);
        let queue = &mut self.queues[player];
        if queue.disconnected_at().is_none() {
            for (offset, input) in message.inputs.iter().enumerate() {
                let frame = message.start + Frame::try_from(offset).unwrap_or(Frame::MAX);
                if let Some(wrong) = queue.confirm(frame, *input) {
                    self.first_incorrect =
                        Some(self.first_incorrect.map_or(wrong, |first| first.min(wrong)));
                }
            }
        }
        let current = self.current;
        for (other, dropped) in message.dropped.iter().enumerate() {
            if let Some(frame) = *dropped
                && other != self.local
                && other != player
                && other < self.config.players
            {
                // Our drop is there already, or earlier: nothing to move.
                if self.queues[other]
                    .disconnected_at()
                    .is_some_and(|ours| frame >= ours)
                {
                    continue;
                }
                if frame >= self.oldest_loadable() {
                    self.consider_drop(other, frame);
                } else if self.remotes[player]
                    .as_ref()
                    .is_none_or(|remote| remote.drops[other] != Some(frame))
                {
                    // Counted once per claim, not per message repeating it.
                    self.stats.refused_drops += 1;
                }
            }
        }
        if let Some(remote) = self.remotes[player].as_mut() {
            remote.drops = message.dropped;
            remote.confirmed = remote.confirmed.max(message.confirmed);
            remote.acked = remote.acked.max(message.ack);
            remote.frame = message.frame;
            remote.pong = message.ping;
            if message.pong != 0 {
                remote.rtt_ms = u64::from(ms32(now_ms).wrapping_sub(message.pong));
            }
            if remote.interrupted {
                remote.interrupted = false;
                self.events.push_back(Event::NetworkResumed { player });
            }
            remote.last_heard = Some(now_ms);
            if let Some(checksum) = message.checksum
                && checksum.frame >= remote.checked_until
            {
                remote.pending = Some(checksum);
            }
            // Frame advantage: where they are now (their frame plus half a round trip).
            let travel = i32::try_from(remote.rtt_ms / 2 / 16).unwrap_or(0);
            let theirs = i32::try_from(message.frame).unwrap_or(0) + travel;
            let ours = i32::try_from(current).unwrap_or(0);
            if self.advantage.len() == 32 {
                self.advantage.pop_front();
            }
            self.advantage.push_back(ours - theirs);
        }
        self.message = message;
    }

    fn check_liveness(&mut self, now_ms: u64) {
        for player in 0..self.config.players {
            let Some(remote) = self.remotes[player].as_mut() else {
                continue;
            };
            if self.queues[player].disconnected_at().is_some() {
                continue;
            }
            let since = now_ms.saturating_sub(*remote.last_heard.get_or_insert(now_ms));
            if since >= self.config.disconnect_after_ms {
                let frame = self.queues[player].next();
                if let Some(wrong) = self.queues[player].disconnect(frame) {
                    self.first_incorrect =
                        Some(self.first_incorrect.map_or(wrong, |first| first.min(wrong)));
                }
                self.events.push_back(Event::Disconnected { player, frame });
            } else if since >= self.config.interrupt_after_ms && !remote.interrupted {
                remote.interrupted = true;
                self.events.push_back(Event::NetworkInterrupted {
                    player,
                    disconnect_in_ms: self.config.disconnect_after_ms - since,
                });
            }
        }
    }

    /// Sends each spectator the confirmed frames it has not acknowledged (as many as fit).
    fn stream_to_spectators<S: Socket<A>>(&mut self, now_ms: u64, socket: &mut S) {
        let players = Frame::try_from(self.config.players).unwrap_or(2);
        let confirmed = self.confirmed_frame().min(self.current);
        let per_message = Frame::try_from(crate::MAX_INPUTS).unwrap_or(128) / players;
        for spectator in &self.spectators {
            // Frames older than the queues keep cannot be sent any more.
            let start = spectator.acked.max(confirmed.saturating_sub(100));
            let end = confirmed.min(start + per_message);
            self.message.inputs.clear();
            for frame in start..end {
                for queue in &self.queues {
                    self.message
                        .inputs
                        .push(queue.get(frame).unwrap_or_default());
                }
            }
            self.message.ack = 0;
            self.message.frame = self.current;
            self.message.ping = ms32(now_ms);
            self.message.pong = 0;
            self.message.start = start;
            self.message.checksum = None;
            self.message.stream = true;
            self.buffer.clear();
            self.message.encode(&mut self.buffer);
            socket.send_to(&spectator.address, &self.buffer);
            self.stats.sent += 1;
        }
        self.message.stream = false;
    }

    fn send_all<S: Socket<A>>(&mut self, now_ms: u64, socket: &mut S) {
        let confirmed = self.confirmed_frame().min(self.current);
        let local = &self.queues[self.local];
        let checksum = self.finals.back().copied();
        for player in 0..self.config.players {
            let Some(remote) = self.remotes[player].as_ref() else {
                continue;
            };
            if self.queues[player].disconnected_at().is_some() {
                continue;
            }
            let start = remote.acked.max(local.next().saturating_sub(128));
            self.message.inputs.clear();
            self.message
                .inputs
                .extend((start..local.next()).filter_map(|frame| local.get(frame)));
            self.message.ack = self.queues[player].next();
            self.message.frame = self.current;
            self.message.ping = ms32(now_ms);
            self.message.pong = remote.pong;
            self.message.start = start;
            self.message.checksum = checksum;
            self.message.confirmed = confirmed;
            for (slot, queue) in self.message.dropped.iter_mut().zip(&self.queues) {
                *slot = queue.disconnected_at();
            }
            self.buffer.clear();
            self.message.encode(&mut self.buffer);
            socket.send_to(&remote.address, &self.buffer);
            self.stats.sent += 1;
        }
    }
}

/// Milliseconds as a nonzero 32-bit stamp (0 means "no ping yet" on the wire).
fn ms32(now_ms: u64) -> u32 {
    u32::try_from(now_ms % u64::from(u32::MAX)).unwrap_or(0) + 1
}

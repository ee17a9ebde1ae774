//! A match: the world under a rollback session over any `trystero-netcode` socket (or alone,
//! for one player), with no clock and no IO of its own — the caller ticks it at 60 Hz with the
//! time and the local input. It records every confirmed input for a replay, keeps the
//! checksums of confirmed checkpoints, ends at an agreed frame, and counts what the summary
//! reports (rollback depths, stalls, prediction errors, desyncs).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use trystero_netcode::{
    Config, Event, Frame, InputStatus, P2PSession, PlayerInput, Request, SessionError, Slots,
    Socket,
};

use crate::event::GameEvent;
use crate::replay::{GONE, MAX_REPLAY_FRAMES, Replay, ReplayError};
use crate::rules::{MAX_PLAYERS, Rules, Upgrade};
use crate::world::World;

/// Confirmed checkpoints are every this many frames.
pub const CHECKPOINT: Frame = 60;
/// The most checkpoints kept (the oldest go first).
const MAX_CHECKPOINTS: usize = 100_000;
/// The most session events kept unread.
const MAX_SESSION_EVENTS: usize = 256;
/// The most game events kept unread (the oldest go first).
const MAX_GAME_EVENTS: usize = 4_096;
/// Frames of the timeline kept before the confirmed frame (for presentation to reconcile).
pub const TIMELINE_FRAMES: Frame = 120;

/// How a match starts: the same on every peer (from the lobby's `GameStarting`) except `seat`
/// and the addresses.
#[derive(Debug, Clone)]
pub struct Setup<A> {
    /// The match's seed.
    pub seed: u64,
    /// Players in the match (1 to 4).
    pub players: usize,
    /// Our seat (index in the roster).
    pub seat: usize,
    /// The other seats and their addresses.
    pub remotes: Vec<(usize, A)>,
    /// End after this many frames (otherwise when the run is over).
    pub frames: Option<Frame>,
    /// The rollback session's settings (`players` is set from above).
    pub session: Config,
}

/// What a tick did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// A frame was simulated (after a rollback, if one was due).
    Advanced,
    /// The rollback window is full: waiting for remote inputs.
    Stalled,
    /// Skipped, to let slower peers catch up.
    Waiting,
}

/// A desync: a confirmed frame's state differs from a peer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesyncReport {
    /// The frame (its state at the start).
    pub frame: Frame,
    /// The remote seat whose checksum differs.
    pub seat: usize,
    /// The first differing part (0 match, 1 players, 2 wolves).
    pub part: usize,
    /// Our checksum of it, in hex.
    pub local: String,
    /// Theirs.
    pub remote: String,
}

/// Counters kept while playing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Rollback depths seen: `depths[d]` rollbacks of `d` frames (the last entry counts
    /// every deeper one).
    pub depths: [u64; 32],
    /// Ticks stalled at the rollback window.
    pub stalled: u64,
    /// Ticks skipped on a wait recommendation.
    pub waited: u64,
    /// Frames simulated for the first time.
    pub advanced: u64,
    /// Desyncs found.
    pub desyncs: Vec<DesyncReport>,
}

impl Counters {
    /// Rollbacks counted.
    pub fn rollbacks(&self) -> u64 {
        self.depths.iter().sum()
    }

    /// The deepest rollback.
    pub fn max_depth(&self) -> usize {
        self.depths
            .iter()
            .rposition(|count| *count > 0)
            .unwrap_or(0)
    }

    /// The rollback depth below which `per_mille` of the rollbacks fall (0 with none).
    pub fn depth_percentile(&self, per_mille: u64) -> usize {
        let total = self.rollbacks();
        if total == 0 {
            return 0;
        }
        let wanted = (total * per_mille).div_ceil(1_000).max(1);
        let mut seen = 0;
        for (depth, count) in self.depths.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return depth;
            }
        }
        self.depths.len() - 1
    }
}

/// One peer's match.
#[derive(Debug)]
pub struct Match<A: Clone + PartialEq> {
    rules: Rules,
    world: World,
    slots: Slots<World>,
    session: Option<P2PSession<u16, A>>,
    seat: usize,
    players: usize,
    limit: Option<Frame>,
    requests: Vec<Request<u16>>,
    step_events: Vec<GameEvent>,
    events: VecDeque<GameEvent>,
    /// The events of the frames simulated last, as the timeline stands now (a rollback retracts
    /// the frames it simulates again): frame → its events in step order.
    timeline: BTreeMap<Frame, Vec<GameEvent>>,
    session_events: VecDeque<Event>,
    /// Every simulated frame's inputs, seat after seat (rewritten by rollbacks).
    inputs: Vec<u16>,
    /// Checksums of the latest checkpoint and end saves, by frame, not yet confirmed.
    saved: BTreeMap<Frame, u64>,
    /// Confirmed checkpoints: (frame, checksum).
    checkpoints: VecDeque<(Frame, u64)>,
    /// The frame every input below which was confirmed at the last advance.
    confirmed: Frame,
    /// The end frame and the checksum of the state there, once known and confirmed.
    finished: Option<(Frame, u64)>,
    /// The latest state saved at the end frame (the world as it ended, for the summary).
    end_world: Option<World>,
    skip: u32,
    counters: Counters,
}

impl<A: Clone + PartialEq> Match<A> {
    /// A match as set up; with one player it runs alone (no session, no socket used).
    pub fn new(setup: Setup<A>) -> Result<Self, SessionError> {
        let players = setup.players.clamp(1, MAX_PLAYERS);
        if setup.seat >= players {
            return Err(SessionError::Player(setup.seat));
        }
        let session = if players > 1 {
            let mut session = P2PSession::new(
                Config {
                    players,
                    ..setup.session
                },
                setup.seat,
            )?;
            for (seat, address) in setup.remotes {
                session.add_remote(seat, address)?;
            }
            Some(session)
        } else {
            None
        };
        let rules = Rules::new(setup.seed);
        let world = World::new(setup.seed, players, &rules);
        let slots = Slots::new(&world, session.as_ref().map_or(1, P2PSession::slots));
        Ok(Self {
            rules,
            world,
            slots,
            session,
            seat: setup.seat,
            players,
            limit: setup.frames.map(|frames| frames.min(MAX_REPLAY_FRAMES)),
            requests: Vec::new(),
            step_events: Vec::new(),
            events: VecDeque::new(),
            timeline: BTreeMap::new(),
            session_events: VecDeque::new(),
            inputs: Vec::new(),
            saved: BTreeMap::new(),
            checkpoints: VecDeque::new(),
            confirmed: 0,
            finished: None,
            end_world: None,
            skip: 0,
            counters: Counters::default(),
        })
    }

    /// The world as simulated so far (the latest frames may be predictions).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Our seat.
    pub fn seat(&self) -> usize {
        self.seat
    }

    /// The rollback session (none when playing alone).
    pub fn session(&self) -> Option<&P2PSession<u16, A>> {
        self.session.as_ref()
    }

    /// The counters so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Confirmed checkpoints so far: (frame, checksum) every [`CHECKPOINT`] frames.
    pub fn checkpoints(&self) -> impl Iterator<Item = (Frame, u64)> + '_ {
        self.checkpoints.iter().copied()
    }

    /// The next game event (predicted frames' included: use [`GameEvent::key`] to tell a
    /// replayed one from a new one).
    pub fn next_event(&mut self) -> Option<GameEvent> {
        self.events.pop_front()
    }

    /// The events of recent frames as the timeline stands now — predicted frames included, and
    /// without those a rollback retracted — from [`TIMELINE_FRAMES`] before the confirmed
    /// frame on, oldest first. Presentation reconciles against it every rendered frame (see
    /// [`crate::Sounds`]).
    pub fn timeline(&self) -> impl Iterator<Item = &GameEvent> + '_ {
        self.timeline.values().flatten()
    }

    /// Every frame below this has every player's real input here: events stamped at or below
    /// it are final.
    pub fn confirmed_frame(&self) -> Frame {
        self.confirmed
    }

    /// The next event of the session (interruptions, disconnections, desyncs).
    pub fn next_session_event(&mut self) -> Option<Event> {
        self.session_events.pop_front()
    }

    /// The end frame and the checksum of the state there, once every input before it is
    /// confirmed here.
    pub fn finished(&self) -> Option<(Frame, u64)> {
        self.finished
    }

    /// The world at the end frame, once simulated (the world goes on past it with neutral
    /// inputs while the others finish).
    pub fn end_world(&self) -> Option<&World> {
        self.end_world.as_ref()
    }

    /// Whether every remaining peer has every input up to the end too, so leaving now costs
    /// nobody anything (always, alone).
    pub fn settled(&self) -> bool {
        match (self.finished, &self.session) {
            (Some((end, _)), Some(session)) => session.settled_frame() >= end,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// Drops `seat` now (the room says it left); see `P2PSession::disconnect_player`.
    pub fn disconnect(&mut self, seat: usize) {
        if let Some(session) = self.session.as_mut() {
            session.disconnect_player(seat);
        }
    }

    /// One tick at `now_ms`: receive, then simulate a frame with our `input` (after a
    /// rollback, if a remote input proved a guess wrong), then send. Call it at 60 Hz; after
    /// the end it goes on (with neutral inputs) so the others can finish too.
    pub fn tick<S: Socket<A>>(&mut self, now_ms: u64, socket: &mut S, input: u16) -> Tick {
        let (end, done) = (self.end(), self.finished.is_some());
        let Some(session) = self.session.as_mut() else {
            return self.tick_alone(input);
        };
        session.poll(now_ms, socket);
        while let Some(event) = session.next_event() {
            match event {
                Event::WaitRecommendation { frames } => self.skip += frames,
                Event::Desync {
                    frame,
                    player,
                    part,
                    local,
                    remote,
                } if self.counters.desyncs.len() < 64 => {
                    self.counters.desyncs.push(DesyncReport {
                        frame,
                        seat: player,
                        part,
                        local: format!("{local:#018x}"),
                        remote: format!("{remote:#018x}"),
                    });
                }
                _ => {}
            }
            if self.session_events.len() == MAX_SESSION_EVENTS {
                self.session_events.pop_front();
            }
            self.session_events.push_back(event);
        }
        if self.skip > 0 {
            self.skip -= 1;
            self.counters.waited += 1;
            return Tick::Waiting;
        }
        let input = if done || end.is_some_and(|end| session.current_frame() >= end) {
            0
        } else {
            input
        };
        // Every input below this is in; the advance below applies every correction known.
        let confirmed = session.confirmed_frame();
        let current = session.current_frame();
        match session.advance_frame(input, &mut self.requests) {
            Ok(()) => {}
            Err(_) => {
                self.counters.stalled += 1;
                return Tick::Stalled;
            }
        }
        for request in &self.requests {
            if let Request::Load { frame, .. } = request {
                let depth = usize::try_from(current - frame).unwrap_or(usize::MAX);
                self.counters.depths[depth.min(self.counters.depths.len() - 1)] += 1;
            }
        }
        self.carry_out();
        self.confirm(confirmed.min(current + 1));
        Tick::Advanced
    }

    fn tick_alone(&mut self, input: u16) -> Tick {
        let frame = self.world.frame;
        let input = if self.finished.is_some() || self.past_end(frame) {
            0
        } else {
            input
        };
        let inputs = [PlayerInput {
            input,
            status: InputStatus::Confirmed,
        }];
        record(&mut self.inputs, 1, frame, &inputs);
        self.step_events.clear();
        self.world.step(&self.rules, &inputs, &mut self.step_events);
        self.timeline
            .entry(self.world.frame)
            .or_default()
            .extend_from_slice(&self.step_events);
        push_events(&mut self.events, &mut self.step_events);
        keep(
            &mut self.saved,
            &mut self.end_world,
            self.limit,
            frame + 1,
            &self.world,
        );
        self.confirm(frame + 1);
        Tick::Advanced
    }

    fn past_end(&self, frame: Frame) -> bool {
        self.end().is_some_and(|end| frame >= end)
    }

    /// The end frame as the world stands: the limit, or the frame the run ended.
    fn end(&self) -> Option<Frame> {
        end_of(self.limit, self.world.ended_at)
    }

    fn carry_out(&mut self) {
        // A load retracts the events of every frame it will simulate again.
        for request in &self.requests {
            if let Request::Load { frame, .. } = request {
                drop(self.timeline.split_off(&(frame + 1)));
            }
        }
        let timeline = &mut self.timeline;
        let (rules, step_events, events, inputs, saved, end_world, players, limit) = (
            &self.rules,
            &mut self.step_events,
            &mut self.events,
            &mut self.inputs,
            &mut self.saved,
            &mut self.end_world,
            self.players,
            self.limit,
        );
        let mut session = self.session.as_mut();
        self.slots.carry_out(
            &self.requests,
            &mut self.world,
            |world, frame_inputs| {
                // The world's frame count is the frame being simulated.
                record(inputs, players, world.frame, frame_inputs);
                step_events.clear();
                world.step(rules, frame_inputs, step_events);
                timeline
                    .entry(world.frame)
                    .or_default()
                    .extend_from_slice(step_events);
                push_events(events, step_events);
            },
            |frame, world, wanted| {
                keep(saved, end_world, limit, frame, world);
                // The session compares these with the peers' (a mismatch is a desync).
                if wanted && let Some(session) = session.as_mut() {
                    session.report_checksum(frame, &world.checksum_parts());
                }
            },
        );
    }

    /// Frames at or below `confirmed` are final: their checkpoints are kept, and the end is
    /// reached once it is among them.
    fn confirm(&mut self, confirmed: Frame) {
        self.confirmed = self.confirmed.max(confirmed);
        let oldest = self.confirmed.saturating_sub(TIMELINE_FRAMES);
        self.timeline = self.timeline.split_off(&oldest);
        let end = self.end();
        while let Some((&frame, &checksum)) = self.saved.first_key_value() {
            if frame > self.confirmed {
                break;
            }
            self.saved.pop_first();
            if frame.is_multiple_of(CHECKPOINT) && frame > 0 && end.is_none_or(|end| frame <= end) {
                if self.checkpoints.len() == MAX_CHECKPOINTS {
                    self.checkpoints.pop_front();
                }
                self.checkpoints.push_back((frame, checksum));
            }
            if self.finished.is_none() && end == Some(frame) {
                self.finished = Some((frame, checksum));
            }
        }
    }

    /// The match so far as a replay, with these names for the seats (up to the end once
    /// finished; otherwise up to the last confirmed frame).
    pub fn replay(&self, roster: Vec<String>) -> Result<Replay, ReplayError> {
        let (frames, checksum) = match self.finished {
            Some(finished) => finished,
            None => return Err(ReplayError::Corrupt("the match has not finished".into())),
        };
        let count = usize::try_from(frames).unwrap_or(usize::MAX) * self.players;
        let inputs = self
            .inputs
            .get(..count)
            .ok_or(ReplayError::TooLong)?
            .to_vec();
        Replay::new(self.world.seed, roster, frames, inputs, checksum)
    }

    /// The players' results so far.
    pub fn results(&self) -> Vec<SeatResult> {
        results(self.end_world.as_ref().unwrap_or(&self.world))
    }
}

/// Each seat's results in `world`: kills, deaths, damage, upgrades taken.
pub fn results(world: &World) -> Vec<SeatResult> {
    world
        .players
        .iter()
        .enumerate()
        .map(|(seat, player)| SeatResult {
            seat,
            kills: player.kills,
            deaths: player.deaths,
            damage: player.damage,
            present: player.present,
            upgrades: Upgrade::ALL
                .iter()
                .zip(player.upgrades)
                .flat_map(|(upgrade, count)| {
                    std::iter::repeat_n(upgrade.name().to_owned(), usize::from(count))
                })
                .collect(),
        })
        .collect()
}

/// The end frame: the limit, or the frame the run ended, whichever comes first.
fn end_of(limit: Option<Frame>, over: Option<Frame>) -> Option<Frame> {
    match (limit, over) {
        (Some(limit), Some(over)) => Some(limit.min(over)),
        (limit, over) => limit.or(over),
    }
}

/// Keeps the checksum of a saved checkpoint or end state until its frame is confirmed, and the state itself if it is
/// the end.
fn keep(
    saved: &mut BTreeMap<Frame, u64>,
    end_world: &mut Option<World>,
    limit: Option<Frame>,
    frame: Frame,
    world: &World,
) {
    // Only checkpoints and the end are ever read: no checksum for the frames between.
    let end = end_of(limit, world.ended_at) == Some(frame);
    if end || frame.is_multiple_of(CHECKPOINT) {
        saved.insert(frame, world.checksum());
    }
    if end {
        match end_world {
            Some(copy) => copy.clone_from(world),
            None => *end_world = Some(world.clone()),
        }
    }
}

/// Writes a frame's inputs into the record (seat after seat), growing it as needed; a player
/// gone is [`GONE`], and only the bits the world reads are kept.
fn record(record: &mut Vec<u16>, players: usize, frame: Frame, inputs: &[PlayerInput<u16>]) {
    if frame >= MAX_REPLAY_FRAMES {
        return;
    }
    let at = usize::try_from(frame).unwrap_or(usize::MAX);
    let needed = (at + 1) * players;
    if record.len() < needed {
        record.resize(needed, 0);
    }
    for (seat, input) in inputs.iter().enumerate().take(players) {
        record[at * players + seat] = match input.status {
            InputStatus::Disconnected => GONE,
            // The world reads bits 0–10 only.
            _ => input.input & 0x7FF,
        };
    }
}

/// Moves a step's events to the unread ones, dropping the oldest past the bound.
fn push_events(events: &mut VecDeque<GameEvent>, step: &mut Vec<GameEvent>) {
    for event in step.drain(..) {
        if events.len() == MAX_GAME_EVENTS {
            events.pop_front();
        }
        events.push_back(event);
    }
}

/// One seat's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatResult {
    /// The seat.
    pub seat: usize,
    /// Wolves killed.
    pub kills: u32,
    /// Times died.
    pub deaths: u32,
    /// Damage dealt.
    pub damage: u32,
    /// Still in the match at the end.
    pub present: bool,
    /// Upgrades taken.
    pub upgrades: Vec<String>,
}

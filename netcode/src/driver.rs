//! The seed's shape on top of a [`P2PSession`]: `register_update`, `start`, `stop`,
//! `latency()` and `desync()`, with the driver keeping the game state, its saved copies and a
//! fixed 60 Hz schedule. The caller pumps it with the time (virtual or real): it stays pure.

use std::collections::VecDeque;

use crate::input::{Input, PlayerInput};
use crate::session::{Event, P2PSession, SessionError};
use crate::slots::Slots;
use crate::socket::Socket;
use crate::{Frame, Request};

/// Frames per second of the fixed loop.
pub const FPS: u64 = 60;
/// The most frames one `update` runs to catch up (so a long stall does not freeze the caller).
const MAX_CATCH_UP: u32 = 4;

/// A desync the session found: the frame and the player whose state differed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Desync {
    /// The confirmed frame whose state (at its start) differed. Only the first desync
    /// reported is kept; later ones do not replace it.
    pub frame: Frame,
    /// The remote player (index in `0..players`) whose checksum differed from ours.
    pub player: usize,
}

type Update<S, I> = Box<dyn FnMut(&mut S, &[PlayerInput<I>])>;
type Checksum<S> = Box<dyn Fn(&S) -> u64>;

/// A fixed-step loop over a session. See the crate docs for the session underneath.
pub struct Driver<I: Input, A, S> {
    session: P2PSession<I, A>,
    state: S,
    slots: Slots<S>,
    update: Option<Update<S, I>>,
    checksum: Option<Checksum<S>>,
    started_at: Option<u64>,
    frames_run: u64,
    skip: u32,
    desync: Option<Desync>,
    events: VecDeque<Event>,
    requests: Vec<Request<I>>,
}

impl<I: Input, A, S> std::fmt::Debug for Driver<I, A, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("running", &self.started_at.is_some())
            .field("frames_run", &self.frames_run)
            .field("desync", &self.desync)
            .finish_non_exhaustive()
    }
}

impl<I: Input, A: Clone + PartialEq, S: Clone> Driver<I, A, S> {
    /// A stopped driver of `session`, starting from `state`.
    pub fn new(session: P2PSession<I, A>, state: S) -> Self {
        let slots = Slots::new(&state, session.slots());
        Self {
            session,
            state,
            slots,
            update: None,
            checksum: None,
            started_at: None,
            frames_run: 0,
            skip: 0,
            desync: None,
            events: VecDeque::new(),
            requests: Vec::new(),
        }
    }

    /// The game's step: called for every frame simulated (again, after a rollback).
    pub fn register_update(&mut self, update: impl FnMut(&mut S, &[PlayerInput<I>]) + 'static) {
        self.update = Some(Box::new(update));
    }

    /// The state's checksum, for desync detection (without it, states are not compared).
    pub fn register_checksum(&mut self, checksum: impl Fn(&S) -> u64 + 'static) {
        self.checksum = Some(Box::new(checksum));
    }

    /// Starts the 60 Hz schedule at `now_ms`.
    pub fn start(&mut self, now_ms: u64) {
        if self.started_at.is_none() {
            self.started_at = Some(now_ms.saturating_sub(self.frames_run * 1000 / FPS));
        }
    }

    /// Stops advancing frames (the network keeps being served by `update`).
    pub fn stop(&mut self) {
        self.started_at = None;
    }

    /// Whether frames advance.
    pub fn is_running(&self) -> bool {
        self.started_at.is_some()
    }

    /// Half the round trip to the slowest peer, in ms.
    pub fn latency(&self) -> u64 {
        (0..crate::MAX_PLAYERS)
            .map(|player| self.session.rtt_ms(player))
            .max()
            .unwrap_or(0)
            / 2
    }

    /// The first desync found, if any.
    pub fn desync(&self) -> Option<Desync> {
        self.desync
    }

    /// The game state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The session underneath.
    pub fn session(&self) -> &P2PSession<I, A> {
        &self.session
    }

    /// The next session event the driver did not consume itself (it consumes wait
    /// recommendations, and records desyncs but passes them on).
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Serves the network and runs every frame due at `now_ms` (at most 4 per call) with our
    /// `input`. Returns the frames run.
    pub fn update<K: Socket<A>>(&mut self, now_ms: u64, socket: &mut K, input: I) -> u32 {
        self.session.poll(now_ms, socket);
        while let Some(event) = self.session.next_event() {
            match event {
                Event::WaitRecommendation { frames } => self.skip += frames,
                Event::Desync { frame, player, .. } => {
                    self.desync.get_or_insert(Desync { frame, player });
                    self.events.push_back(event);
                }
                other => self.events.push_back(other),
            }
        }
        let Some(started) = self.started_at else {
            return 0;
        };
        let due = now_ms.saturating_sub(started) * FPS / 1000;
        let mut ran = 0;
        while self.frames_run < due && ran < MAX_CATCH_UP {
            self.frames_run += 1;
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            match self.session.advance_frame(input, &mut self.requests) {
                Ok(()) => {}
                Err(SessionError::PredictionThreshold) => continue,
                Err(_) => return ran,
            }
            self.carry_out();
            ran += 1;
        }
        ran
    }

    fn carry_out(&mut self) {
        let update = &mut self.update;
        let (checksum, session) = (&self.checksum, &mut self.session);
        self.slots.carry_out(
            &self.requests,
            &mut self.state,
            |state, inputs| {
                if let Some(update) = update.as_mut() {
                    update(state, inputs);
                }
            },
            |frame, state, wanted| {
                if let (true, Some(sum)) = (wanted, checksum) {
                    session.report_checksum(frame, &[sum(state)]);
                }
            },
        );
    }
}

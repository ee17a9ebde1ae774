//! A spectator: it receives every player's confirmed inputs from one host and replays them.
//! It never predicts, so it never rolls back; it is as far behind as the slowest player's
//! confirmation plus the host's latency.

use crate::input::{Input, InputStatus, PlayerInput};
use crate::message::Message;
use crate::socket::Socket;
use crate::{Frame, Inputs, MAX_PLAYERS, Request};

/// Frames of inputs kept ahead of the replay.
const RING: usize = 256;

/// The next frame's inputs have not arrived yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("frame {0} has not arrived yet")]
pub struct NotReady(pub Frame);

/// A session that replays a match from a host's stream of confirmed inputs.
#[derive(Debug)]
pub struct SpectatorSession<I: Input, A> {
    players: usize,
    host: A,
    current: Frame,
    /// Every frame below this was received.
    received: Frame,
    inputs: Vec<I>,
    message: Message<I>,
    buffer: Vec<u8>,
    datagrams: Vec<(A, Vec<u8>)>,
    dropped: u64,
}

impl<I: Input, A: Clone + PartialEq> SpectatorSession<I, A> {
    /// Watches a match of `players` players (2 to 8) streamed by `host`.
    ///
    /// # Panics
    /// If `players` is out of range.
    pub fn new(players: usize, host: A) -> Self {
        assert!((2..=MAX_PLAYERS).contains(&players), "2 to 8 players");
        Self {
            players,
            host,
            current: 0,
            received: 0,
            inputs: vec![I::default(); RING * players],
            message: Message::default(),
            buffer: Vec::new(),
            datagrams: Vec::new(),
            dropped: 0,
        }
    }

    /// The frame the next [`SpectatorSession::advance_frame`] replays.
    pub fn current_frame(&self) -> Frame {
        self.current
    }

    /// Frames received but not replayed yet (replay several per tick to catch up).
    pub fn frames_behind(&self) -> Frame {
        self.received.saturating_sub(self.current)
    }

    /// Datagrams dropped (malformed, or not from the host).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn slot(&self, frame: Frame) -> usize {
        usize::try_from(frame).unwrap_or(0) % RING * self.players
    }

    /// Receives the host's stream and acknowledges it. Call it once per frame.
    pub fn poll<S: Socket<A>>(&mut self, now_ms: u64, socket: &mut S) {
        let mut datagrams = std::mem::take(&mut self.datagrams);
        datagrams.clear();
        socket.receive(&mut datagrams);
        for (from, bytes) in &datagrams {
            let ok = *from == self.host
                && self.message.decode_into(bytes).is_ok()
                && self.message.stream
                && self.message.inputs.len().is_multiple_of(self.players);
            if !ok {
                self.dropped += 1;
                continue;
            }
            let frames = self.message.inputs.len() / self.players;
            for index in 0..frames {
                let frame = self.message.start + Frame::try_from(index).unwrap_or(Frame::MAX);
                // In order only, and never further ahead than the ring holds.
                let room = self.current + Frame::try_from(RING).unwrap_or(256);
                if frame != self.received || frame >= room {
                    continue;
                }
                let slot = self.slot(frame);
                let players = self.players;
                self.inputs[slot..slot + players]
                    .copy_from_slice(&self.message.inputs[index * players..(index + 1) * players]);
                self.received += 1;
            }
        }
        self.datagrams = datagrams;
        self.message.inputs.clear();
        self.message.ack = self.received;
        self.message.frame = self.current;
        self.message.ping = u32::try_from(now_ms % u64::from(u32::MAX)).unwrap_or(0) + 1;
        self.message.pong = 0;
        self.message.start = 0;
        self.message.checksum = None;
        self.message.stream = false;
        self.buffer.clear();
        self.message.encode(&mut self.buffer);
        socket.send_to(&self.host, &self.buffer);
    }

    /// Replays the next frame: one `Advance` request with every player's confirmed input.
    pub fn advance_frame(&mut self, requests: &mut Vec<Request<I>>) -> Result<(), NotReady> {
        requests.clear();
        if self.current >= self.received {
            return Err(NotReady(self.current));
        }
        let slot = self.slot(self.current);
        let mut inputs = Inputs::default();
        for input in &self.inputs[slot..slot + self.players] {
            inputs.push(PlayerInput {
                input: *input,
                status: InputStatus::Confirmed,
            });
        }
        requests.push(Request::Advance {
            frame: self.current,
            inputs,
        });
        self.current += 1;
        Ok(())
    }
}

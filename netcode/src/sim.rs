//! A network simulator in virtual time: seeded latency, jitter, loss, duplication, reordering
//! (from jitter) and blackouts — or, with [`SimConfig::reliable`], a reliable ordered channel
//! over the same lossy path (what a WebRTC data channel with default options is). The same
//! seed gives the same deliveries on every machine, and a minute of play runs in milliseconds.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use trystero_core::random::SeededRandom;

use crate::socket::Socket;

/// The simulated conditions (one way, for every link).
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Base one-way latency (ms).
    pub latency_ms: u64,
    /// Extra latency, uniform in `0..=jitter_ms` per datagram (so datagrams reorder).
    pub jitter_ms: u64,
    /// Probability a datagram is lost.
    pub loss: f64,
    /// Probability a datagram arrives twice.
    pub duplicate: f64,
    /// Windows (endpoint, from ms, until ms) in which everything to or from it is lost.
    pub blackouts: Vec<(usize, u64, u64)>,
    /// Reliable, ordered delivery, as SCTP gives a WebRTC data channel with default options:
    /// a datagram the path loses is sent again after this many ms (and again, until one copy
    /// gets through), and on each link nothing is delivered before every datagram sent ahead
    /// of it (head-of-line blocking). `None`: datagrams are independent (lost is lost,
    /// reordered by jitter), as on an unordered channel without retransmissions. Blackouts
    /// still drop everything. A fair figure for SCTP's fast retransmit under a steady 60 Hz
    /// stream is one round trip plus the 50 ms it takes three later datagrams to report the
    /// gap.
    pub reliable: Option<u64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            latency_ms: 50,
            jitter_ms: 10,
            loss: 0.0,
            duplicate: 0.0,
            blackouts: Vec::new(),
            reliable: None,
        }
    }
}

#[derive(Debug)]
struct Net {
    config: SimConfig,
    rng: SeededRandom,
    now_ms: u64,
    sequence: u64,
    /// (delivery time, sequence) → (from, to, bytes).
    in_flight: BTreeMap<(u64, u64), (usize, usize, Vec<u8>)>,
    inboxes: Vec<Vec<(usize, Vec<u8>)>>,
    delivered: u64,
    lost: u64,
    /// Reliable mode: per (from, to), the latest delivery time so far.
    delivered_until: BTreeMap<(usize, usize), u64>,
}

impl Net {
    /// Core's SplitMix64: small, seedable, the same everywhere.
    fn next(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform draw in [0, 1).
    #[allow(clippy::cast_precision_loss)] // 53 bits are exact
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn dark(&self, endpoint: usize, at: u64) -> bool {
        self.config
            .blackouts
            .iter()
            .any(|&(who, from, until)| who == endpoint && (from..until).contains(&at))
    }

    fn send(&mut self, from: usize, to: usize, bytes: &[u8]) {
        if let Some(retransmit) = self.config.reliable {
            self.send_reliably(from, to, bytes, retransmit);
            return;
        }
        let copies = if self.unit() < self.config.duplicate {
            2
        } else {
            1
        };
        for _ in 0..copies {
            if self.unit() < self.config.loss || self.dark(from, self.now_ms) {
                self.lost += 1;
                continue;
            }
            let jitter = match self.config.jitter_ms {
                0 => 0,
                jitter => self.next() % (jitter + 1),
            };
            let at = self.now_ms + self.config.latency_ms + jitter;
            self.sequence += 1;
            self.in_flight
                .insert((at, self.sequence), (from, to, bytes.to_vec()));
        }
    }

    /// Tries until a copy gets through (each loss costs `retransmit` ms), then waits for every
    /// datagram sent ahead of it on the link.
    fn send_reliably(&mut self, from: usize, to: usize, bytes: &[u8], retransmit: u64) {
        if self.dark(from, self.now_ms) {
            self.lost += 1;
            return;
        }
        let mut sent = self.now_ms;
        // Bounded: at 100 % loss nothing ever arrives.
        for _ in 0..64 {
            if self.unit() >= self.config.loss {
                let jitter = match self.config.jitter_ms {
                    0 => 0,
                    jitter => self.next() % (jitter + 1),
                };
                let arrives = sent + self.config.latency_ms + jitter;
                let until = self.delivered_until.entry((from, to)).or_insert(0);
                let at = arrives.max(*until);
                *until = at;
                self.sequence += 1;
                self.in_flight
                    .insert((at, self.sequence), (from, to, bytes.to_vec()));
                return;
            }
            self.lost += 1;
            sent += retransmit.max(1);
        }
    }

    fn advance_to(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        while let Some(entry) = self.in_flight.first_entry() {
            if entry.key().0 > self.now_ms {
                break;
            }
            let ((at, _), (from, to, bytes)) = entry.remove_entry();
            if self.dark(to, at) {
                self.lost += 1;
                continue;
            }
            if let Some(inbox) = self.inboxes.get_mut(to) {
                inbox.push((from, bytes));
                self.delivered += 1;
            }
        }
    }
}

/// The simulated network. Clone it to share it; make one socket per peer.
#[derive(Debug, Clone)]
pub struct SimNetwork {
    net: Rc<RefCell<Net>>,
}

impl SimNetwork {
    /// A network with these conditions, its randomness from `seed`.
    pub fn new(seed: u64, config: SimConfig) -> Self {
        Self {
            net: Rc::new(RefCell::new(Net {
                config,
                rng: SeededRandom::new(seed),
                now_ms: 0,
                sequence: 0,
                in_flight: BTreeMap::new(),
                inboxes: Vec::new(),
                delivered: 0,
                lost: 0,
                delivered_until: BTreeMap::new(),
            })),
        }
    }

    /// A new endpoint; its address is its index (0, 1, …).
    pub fn socket(&self) -> SimSocket {
        let mut net = self.net.borrow_mut();
        net.inboxes.push(Vec::new());
        SimSocket {
            address: net.inboxes.len() - 1,
            net: self.net.clone(),
        }
    }

    /// A socket that sends as `address` (an existing endpoint or any other number), to inject
    /// datagrams in tests; it receives nothing unless `address` is an endpoint's.
    pub fn socket_at(&self, address: usize) -> SimSocket {
        SimSocket {
            address,
            net: self.net.clone(),
        }
    }

    /// Moves virtual time to `now_ms`, delivering everything due.
    pub fn advance_to(&self, now_ms: u64) {
        self.net.borrow_mut().advance_to(now_ms);
    }

    /// Virtual time (ms).
    pub fn now_ms(&self) -> u64 {
        self.net.borrow().now_ms
    }

    /// Datagrams delivered and lost so far.
    pub fn counts(&self) -> (u64, u64) {
        let net = self.net.borrow();
        (net.delivered, net.lost)
    }
}

/// One endpoint of a [`SimNetwork`].
#[derive(Debug)]
pub struct SimSocket {
    address: usize,
    net: Rc<RefCell<Net>>,
}

impl SimSocket {
    /// This endpoint's address.
    pub fn address(&self) -> usize {
        self.address
    }
}

impl Socket<usize> for SimSocket {
    fn send_to(&mut self, to: &usize, bytes: &[u8]) {
        self.net.borrow_mut().send(self.address, *to, bytes);
    }

    fn receive(&mut self, into: &mut Vec<(usize, Vec<u8>)>) {
        let mut net = self.net.borrow_mut();
        if let Some(inbox) = net.inboxes.get_mut(self.address) {
            into.append(inbox);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reliable mode: everything arrives, in order on each link, the lost ones late.
    #[test]
    fn a_reliable_channel_delivers_everything_in_order_with_head_of_line_delays() {
        let net = SimNetwork::new(
            3,
            SimConfig {
                latency_ms: 50,
                jitter_ms: 10,
                loss: 0.3,
                reliable: Some(150),
                ..SimConfig::default()
            },
        );
        let (mut a, mut b) = (net.socket(), net.socket());
        let mut arrivals = Vec::new();
        let mut inbox = Vec::new();
        for tick in 0..2_000u64 {
            let now = tick;
            net.advance_to(now);
            if tick < 1_000 && tick % 16 == 0 {
                a.send_to(&1, &(tick / 16).to_le_bytes());
            }
            inbox.clear();
            b.receive(&mut inbox);
            for (_, bytes) in &inbox {
                let sent = u64::from_le_bytes(bytes[..8].try_into().unwrap()) * 16;
                arrivals.push((sent, now));
            }
        }
        assert_eq!(arrivals.len(), 63, "every datagram arrives");
        assert!(arrivals.windows(2).all(|w| w[0].0 < w[1].0), "in order");
        let delays: Vec<u64> = arrivals.iter().map(|(sent, at)| at - sent).collect();
        assert!(delays.iter().all(|d| *d >= 50));
        // A loss holds back the datagrams behind it too.
        assert!(
            delays.iter().filter(|d| **d >= 200).count() > 10,
            "{delays:?}"
        );
        assert!(net.counts().1 > 0, "the path lost some");
    }
}

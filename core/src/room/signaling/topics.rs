//! Signalling over topics (Nostr, MQTT; protocol §3, §4.0 schedule, §5.2, §5.5): who offers,
//! the nudge, glare, offer ids, candidate routing and buffering, the encrypted SDP exchange and
//! the announce schedule.
//!
//! One [`TopicSignaling`] per joined room, fed and drained through a [`Step`] like every
//! signalling half (see the [parent module](super)).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use std::sync::Arc;

use super::limits::{Limits, MAX_PEERS, NUDGE_INTERVAL, Refused};
use super::message::{IceCandidate, IncomingSignal, OutgoingSignal, SignalBody};
use super::{ANNOUNCE_WARMUP, CONNECT_TTL, Keys, SignalingOutput, Step, connect_failure_message};
use crate::id::{PeerId, random_id_with};
use crate::keys::RoomKeys;
use crate::room::LinkId;
use crate::time::Millis;

/// The steady announce interval of topic strategies in 0.25.4.
pub const ANNOUNCE_INTERVAL: Duration = Duration::from_secs(60);
/// An unanswered offer is dropped after this (`offerTtl`).
pub const OFFER_TTL: Duration = Duration::from_millis(57_333);
/// A relay that carried our offer carries it again on a later announcement after this
/// (JS: 0.9 × the 5 333 ms announce interval), so a peer that ignored it (still connected to
/// our previous instance, say) gets it once it re-announces.
pub const OFFER_RESEND: Duration = Duration::from_millis(4_800);
/// Length of an offer id.
pub const OFFER_ID_LEN: usize = 12;
/// Candidates buffered per peer before their offer or answer exists.
pub const MAX_BUFFERED_CANDIDATES: usize = 64;
#[derive(Debug)]
struct Offer {
    id: String,
    link: LinkId,
    /// The relay whose announcement started it (for the per-relay limit).
    origin: usize,
    /// Encrypted SDP, once the transport produced it.
    sdp: Option<String>,
    /// Relays the offer must go to, and when it last went to each.
    relays: BTreeSet<usize>,
    sent: BTreeMap<usize, Millis>,
    answered: bool,
    expires: Millis,
    /// Local candidates held until the answer arrives: Trystero JS drops (and fails on) a
    /// candidate that reaches it before it applied the offer.
    backlog: Vec<IceCandidate>,
    /// The plain offer SDP, to skip trickling candidates it already carries.
    plain: String,
}

#[derive(Debug)]
struct Answering {
    /// The plain answer SDP once made, to skip trickling candidates it already carries.
    plain: String,
    offer_id: Option<String>,
    link: LinkId,
    relay: usize,
    answer_sent: bool,
    expires: Millis,
}

#[derive(Debug, Default)]
struct PeerState {
    offer: Option<Offer>,
    answering: Option<Answering>,
    connected: bool,
    /// Remote candidates that arrived before their connection existed (encrypted, bounded).
    buffered: Vec<(Option<String>, String)>,
    error_reported: bool,
    /// When we last nudged this peer.
    nudged: Option<Millis>,
}

impl PeerState {
    /// A connection being set up, and the relay that started it.
    fn half_open(&self) -> Option<usize> {
        self.offer
            .as_ref()
            .map(|offer| offer.origin)
            .or(self.answering.as_ref().map(|answering| answering.relay))
    }

    /// Nothing worth keeping: no connection, none being made, nothing buffered, and no nudge
    /// recent enough to hold back the next.
    fn idle(&self, now: Millis) -> bool {
        !self.connected
            && self.offer.is_none()
            && self.answering.is_none()
            && self.buffered.is_empty()
            && self.nudged.is_none_or(|at| now >= at.after(NUDGE_INTERVAL))
    }
}

/// The signalling state of one room on a topic strategy. See the [module docs](self).
#[derive(Debug)]
pub struct TopicSignaling {
    self_id: PeerId,
    keys: Keys,
    passive: bool,
    root_topic: String,
    own_topic: String,
    announces: usize,
    next_announce: Option<Millis>,
    peers: BTreeMap<PeerId, PeerState>,
    has_turn: bool,
    limits: Limits,
}

impl TopicSignaling {
    /// Starts the room's signalling at `now`: subscribe to our own topic, then the root topic,
    /// and announce at once. `has_turn` selects the wording of the could-not-connect error.
    pub fn start(
        step: &mut Step<'_>,
        self_id: PeerId,
        keys: Arc<dyn RoomKeys>,
        passive: bool,
        has_turn: bool,
    ) -> Self {
        let now = step.now;
        let mut signaling = Self {
            self_id,
            passive,
            root_topic: keys.root_topic(),
            own_topic: keys.peer_topic(&self_id),
            announces: 0,
            next_announce: Some(now),
            peers: BTreeMap::new(),
            has_turn,
            keys: Keys(keys),
            limits: Limits::new(now),
        };
        step.out
            .push(SignalingOutput::Subscribe(signaling.own_topic.clone()));
        step.out
            .push(SignalingOutput::Subscribe(signaling.root_topic.clone()));
        signaling.tick(step);
        signaling
    }

    /// The topics this room subscribed to (its peer topic, then its root topic), to unsubscribe
    /// from on leave.
    pub fn topics(&self) -> Vec<String> {
        vec![self.own_topic.clone(), self.root_topic.clone()]
    }

    /// What the flood limits turned away so far.
    pub fn refused(&self) -> Refused {
        self.limits.refused
    }

    /// Peers with signalling state now (at most [`MAX_PEERS`]).
    pub fn tracked_peers(&self) -> usize {
        self.peers.len()
    }

    /// Connections being set up now (at most [`MAX_HALF_OPEN`](super::limits::MAX_HALF_OPEN)).
    pub fn half_open(&self) -> usize {
        self.peers.values().filter_map(PeerState::half_open).count()
    }

    /// Whether a connection may start for a signal that came through `relay`.
    fn may_open(&mut self, relay: usize) -> bool {
        let started = self.peers.values().filter_map(PeerState::half_open);
        self.limits.may_open(started, relay)
    }

    /// Whether a nudge may go to `peer` now (taken from the budget if so).
    fn may_nudge(&mut self, now: Millis, peer: PeerId) -> bool {
        let last = self.peers.get(&peer).and_then(|state| state.nudged);
        let may = self.limits.may_nudge(now, last);
        if may && let Some(state) = self.peers.get_mut(&peer) {
            state.nudged = Some(now);
        }
        may
    }

    /// The earliest instant [`TopicSignaling::tick`] has something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        let expiries = self.peers.values().flat_map(|peer| {
            let offer = peer.offer.as_ref().map(|offer| offer.expires);
            let answering = peer.answering.as_ref().map(|answering| answering.expires);
            offer.into_iter().chain(answering)
        });
        self.next_announce.into_iter().chain(expiries).min()
    }

    /// Announces when due and expires offers and answers.
    pub fn tick(&mut self, step: &mut Step<'_>) {
        let (now, out) = (step.now, &mut *step.out);
        if self.next_announce.is_some_and(|due| now >= due) {
            out.push(SignalingOutput::Publish {
                relay: None,
                topic: self.root_topic.clone(),
                payload: OutgoingSignal::Announce {
                    peer: self.self_id,
                    passive: self.passive,
                }
                .to_json(),
            });
            let delay = ANNOUNCE_WARMUP
                .get(self.announces)
                .copied()
                .unwrap_or(ANNOUNCE_INTERVAL)
                .min(ANNOUNCE_INTERVAL);
            self.announces += 1;
            self.next_announce = Some(now.after(delay));
        }
        let has_turn = self.has_turn;
        self.peers.retain(|_, state| !state.idle(now));
        for (peer, state) in &mut self.peers {
            if let Some(offer) = &state.offer
                && now >= offer.expires
            {
                out.push(SignalingOutput::CloseLink { link: offer.link });
                if offer.answered {
                    report_connect_failure(*peer, state, has_turn, out);
                }
                state.offer = None;
            }
            if let Some(answering) = &state.answering
                && now >= answering.expires
            {
                out.push(SignalingOutput::CloseLink {
                    link: answering.link,
                });
                if answering.answer_sent {
                    report_connect_failure(*peer, state, has_turn, out);
                }
                state.answering = None;
            }
        }
    }

    /// A relay delivered `payload` on `topic`.
    pub fn on_relay_message(
        &mut self,
        step: &mut Step<'_>,
        relay: usize,
        topic: &str,
        payload: &str,
    ) {
        if topic != self.root_topic && topic != self.own_topic {
            return;
        }
        let Ok(signal) = IncomingSignal::parse(payload) else {
            return;
        };
        if signal.peer == self.self_id || (self.passive && signal.passive) {
            return;
        }
        let peer = signal.peer;
        if !self.peers.contains_key(&peer) && self.peers.len() >= MAX_PEERS {
            let now = step.now;
            self.peers.retain(|_, state| !state.idle(now));
            if self.peers.len() >= MAX_PEERS {
                self.limits.refused.peers += 1;
                return;
            }
        }
        let state = self.peers.entry(peer).or_default();
        if state.connected {
            return;
        }
        match signal.body {
            SignalBody::Announce => {
                self.on_announce(step, relay, peer);
            }
            SignalBody::Offer(sealed) => {
                self.on_offer(step, relay, peer, signal.offer_id, &sealed);
            }
            SignalBody::Candidate(sealed) => {
                self.on_candidate(peer, signal.offer_id, sealed, step.out);
            }
            SignalBody::Answer(sealed) => {
                self.on_answer(
                    step.now,
                    peer,
                    signal.offer_id.as_deref(),
                    &sealed,
                    step.out,
                );
            }
        }
    }

    fn on_announce(&mut self, step: &mut Step<'_>, relay: usize, peer: PeerId) {
        let now = step.now;
        let (has_offer, busy) = self.peers.get(&peer).map_or((false, false), |state| {
            let busy = state.answering.is_some()
                || state.offer.as_ref().is_some_and(|offer| offer.answered);
            (state.offer.is_some(), busy)
        });
        if busy {
            return;
        }
        if !self.self_id.leads(&peer) {
            // The higher id wakes the lower one, which then offers.
            if !has_offer && self.may_nudge(now, peer) {
                step.out.push(SignalingOutput::Publish {
                    relay: Some(relay),
                    topic: self.keys.peer_topic(&peer),
                    payload: OutgoingSignal::Announce {
                        peer: self.self_id,
                        passive: self.passive,
                    }
                    .to_json(),
                });
            }
            return;
        }
        if !has_offer && !self.may_open(relay) {
            return;
        }
        let keys = &*self.keys;
        let (self_id, passive) = (self.self_id, self.passive);
        let state = self.peers.entry(peer).or_default();
        match &mut state.offer {
            Some(offer) => {
                // Re-send the same offer on a relay that has not carried it yet.
                offer.relays.insert(relay);
                send_offer(now, self_id, passive, peer, offer, keys, step.out);
            }
            None => {
                let Ok(id) = random_id_with(&mut *step.random, OFFER_ID_LEN) else {
                    return;
                };
                let link = step.links.allocate();
                state.offer = Some(Offer {
                    id,
                    link,
                    origin: relay,
                    sdp: None,
                    relays: BTreeSet::from([relay]),
                    sent: BTreeMap::new(),
                    answered: false,
                    expires: now.after(OFFER_TTL),
                    backlog: Vec::new(),
                    plain: String::new(),
                });
                step.out.push(SignalingOutput::CreateOffer { link, peer });
            }
        }
    }

    fn on_offer(
        &mut self,
        step: &mut Step<'_>,
        relay: usize,
        peer: PeerId,
        offer_id: Option<String>,
        sealed: &str,
    ) {
        let has_offer = self
            .peers
            .get(&peer)
            .is_some_and(|state| state.offer.is_some());
        let busy = self.peers.get(&peer).is_some_and(|state| {
            state.answering.is_some() || state.offer.as_ref().is_some_and(|offer| offer.answered)
        });
        if busy {
            self.answer_again(peer, relay, offer_id.as_deref(), step.out);
            return;
        }
        // Answering in place of our own offer (glare) opens nothing new.
        if !has_offer && !self.may_open(relay) {
            return;
        }
        let (now, out) = (step.now, &mut *step.out);
        let keys = &*self.keys;
        let self_id = self.self_id;
        let state = self.peers.entry(peer).or_default();
        if let Some(offer) = &state.offer {
            if self_id.leads(&peer) {
                // Glare: the lower id's offer wins; ignore theirs.
                return;
            }
            out.push(SignalingOutput::CloseLink { link: offer.link });
            state.offer = None;
        }
        let Ok(sdp) = keys.decrypt(sealed) else {
            out.push(SignalingOutput::JoinError {
                peer,
                error: "incorrect room password when decrypting offer".into(),
            });
            return;
        };
        let link = step.links.allocate();
        state.answering = Some(Answering {
            plain: String::new(),
            offer_id: offer_id.clone(),
            link,
            relay,
            answer_sent: false,
            expires: now.after(CONNECT_TTL),
        });
        out.push(SignalingOutput::AcceptOffer { link, peer, sdp });
        // Candidates for this offer that came early can go in right after the offer.
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut state.buffered)
            .into_iter()
            .partition(|(id, _)| id.is_none() || *id == offer_id);
        state.buffered = others;
        for (_, sealed) in mine {
            add_candidate(link, &sealed, keys, out);
        }
    }

    /// The offer we answered came again through another relay: the one that carried our
    /// answer may have died with it (the offerer re-sends on every relay that has not carried
    /// the offer yet, and only then), so the answer goes again through this one, and our later
    /// candidates follow it.
    fn answer_again(
        &mut self,
        peer: PeerId,
        relay: usize,
        offer_id: Option<&str>,
        out: &mut Vec<SignalingOutput>,
    ) {
        let (self_id, passive) = (self.self_id, self.passive);
        let keys = &*self.keys;
        let Some(answering) = self
            .peers
            .get_mut(&peer)
            .and_then(|state| state.answering.as_mut())
            .filter(|answering| {
                answering.answer_sent
                    && answering.relay != relay
                    && answering.offer_id.as_deref() == offer_id
            })
        else {
            return;
        };
        answering.relay = relay;
        let plain = answering.plain.clone();
        send_answer((self_id, passive), peer, answering, &plain, keys, out);
    }

    fn on_candidate(
        &mut self,
        peer: PeerId,
        offer_id: Option<String>,
        sealed: String,
        out: &mut Vec<SignalingOutput>,
    ) {
        let keys = &*self.keys;
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        let to_offer = state
            .offer
            .as_ref()
            .filter(|offer| offer_id.as_deref().is_none_or(|id| id == offer.id))
            .map(|offer| offer.link);
        let to_answering = state
            .answering
            .as_ref()
            .filter(|answering| offer_id.is_none() || answering.offer_id == offer_id)
            .map(|answering| answering.link);
        // §5.2 step 5: the offer with that id, else the answering connection, else any offer.
        let link = match (&offer_id, to_offer, to_answering) {
            (Some(_), Some(link), _) => Some(link),
            (_, _, Some(link)) => Some(link),
            (None, Some(link), None) => Some(link),
            _ => None,
        };
        match link {
            Some(link) => add_candidate(link, &sealed, keys, out),
            None if state.buffered.len() < MAX_BUFFERED_CANDIDATES => {
                state.buffered.push((offer_id, sealed));
            }
            None => {}
        }
    }

    fn on_answer(
        &mut self,
        now: Millis,
        peer: PeerId,
        offer_id: Option<&str>,
        sealed: &str,
        out: &mut Vec<SignalingOutput>,
    ) {
        let keys = &*self.keys;
        let Some(offer) = self
            .peers
            .get_mut(&peer)
            .and_then(|state| state.offer.as_mut())
        else {
            return;
        };
        if offer.answered || offer_id.is_some_and(|id| id != offer.id) {
            return;
        }
        let Ok(sdp) = keys.decrypt(sealed) else {
            out.push(SignalingOutput::JoinError {
                peer,
                error: "incorrect room password when decrypting answer".into(),
            });
            return;
        };
        offer.answered = true;
        offer.expires = now.after(CONNECT_TTL);
        out.push(SignalingOutput::ApplyAnswer {
            link: offer.link,
            sdp,
        });
        let (self_id, passive) = (self.self_id, self.passive);
        let Some(offer) = self
            .peers
            .get_mut(&peer)
            .and_then(|state| state.offer.as_mut())
        else {
            return;
        };
        for candidate in std::mem::take(&mut offer.backlog) {
            send_offer_candidate(self_id, passive, peer, offer, &candidate, keys, out);
        }
    }

    /// The transport produced our offer SDP for `link`: encrypt and send it.
    pub fn offer_created(
        &mut self,
        now: Millis,
        link: LinkId,
        sdp: &str,
        out: &mut Vec<SignalingOutput>,
    ) {
        let keys = &*self.keys;
        let (self_id, passive) = (self.self_id, self.passive);
        for (peer, state) in &mut self.peers {
            let Some(offer) = state.offer.as_mut().filter(|offer| offer.link == link) else {
                continue;
            };
            let Ok(sealed) = keys.encrypt(sdp) else {
                return;
            };
            offer.sdp = Some(sealed);
            sdp.clone_into(&mut offer.plain);
            send_offer(now, self_id, passive, *peer, offer, keys, out);
            return;
        }
    }

    /// The transport produced our answer SDP for `link`: encrypt and send it.
    pub fn answer_created(&mut self, link: LinkId, sdp: &str, out: &mut Vec<SignalingOutput>) {
        let keys = &*self.keys;
        let (self_id, passive) = (self.self_id, self.passive);
        for (peer, state) in &mut self.peers {
            let Some(answering) = state.answering.as_mut().filter(|a| a.link == link) else {
                continue;
            };
            if send_answer((self_id, passive), *peer, answering, sdp, keys, out) {
                answering.answer_sent = true;
                sdp.clone_into(&mut answering.plain);
            }
            return;
        }
    }

    /// The transport gathered a local candidate on `link` (trickle ICE): send it to the peer,
    /// or keep it until our offer has gone out.
    pub fn local_candidate(
        &mut self,
        link: LinkId,
        candidate: IceCandidate,
        out: &mut Vec<SignalingOutput>,
    ) {
        let keys = &*self.keys;
        let (self_id, passive) = (self.self_id, self.passive);
        for (peer, state) in &mut self.peers {
            if let Some(offer) = state.offer.as_mut().filter(|offer| offer.link == link) {
                if offer.plain.contains(&candidate.candidate) {
                    return;
                }
                if offer.answered {
                    send_offer_candidate(self_id, passive, *peer, offer, &candidate, keys, out);
                } else {
                    offer.backlog.push(candidate);
                }
                return;
            }
            if let Some(answering) = state.answering.as_ref().filter(|a| a.link == link) {
                if answering.plain.contains(&candidate.candidate) {
                    return;
                }
                let Ok(sealed) = keys.encrypt(&candidate.to_json()) else {
                    return;
                };
                out.push(SignalingOutput::Publish {
                    relay: Some(answering.relay),
                    topic: keys.peer_topic(peer),
                    payload: OutgoingSignal::AnswererCandidate {
                        peer: self_id,
                        candidate: sealed,
                        offer_id: answering.offer_id.clone(),
                        passive,
                    }
                    .to_json(),
                });
                return;
            }
        }
    }

    /// The data channel of `link` opened: `peer` is connected; relay messages from it are
    /// ignored from now on. Returns whether the link belonged to this room.
    pub fn connected(&mut self, peer: PeerId, link: LinkId) -> bool {
        let Some(state) = self.peers.get_mut(&peer) else {
            return false;
        };
        let ours = state.offer.as_ref().is_some_and(|offer| offer.link == link)
            || state.answering.as_ref().is_some_and(|a| a.link == link);
        if ours {
            state.connected = true;
            state.offer = None;
            state.answering = None;
            state.buffered.clear();
        }
        ours
    }

    /// `peer` is already reachable over a connection made for another room (one connection per
    /// app and peer, §5.4): stop making one for this room. The engine binds this room on the
    /// shared connection through presence frames.
    pub fn use_shared_connection(&mut self, peer: PeerId) {
        let state = self.peers.entry(peer).or_default();
        state.connected = true;
        state.offer = None;
        state.answering = None;
        state.buffered.clear();
    }

    /// The connection to `peer` is gone: forget it, and restart the warm-up announces so a
    /// reconnect happens quickly (0.25.4's re-announce on disconnect).
    pub fn disconnected(&mut self, now: Millis, peer: PeerId) {
        if self.peers.remove(&peer).is_some() {
            self.announces = 0;
            self.next_announce = Some(now);
        }
    }
}

fn send_offer(
    now: Millis,
    self_id: PeerId,
    passive: bool,
    peer: PeerId,
    offer: &mut Offer,
    keys: &dyn RoomKeys,
    out: &mut Vec<SignalingOutput>,
) {
    let Some(sdp) = offer.sdp.clone() else {
        return;
    };
    for relay in offer.relays.clone() {
        if offer
            .sent
            .get(&relay)
            .is_some_and(|last| now < last.after(OFFER_RESEND))
        {
            continue;
        }
        offer.sent.insert(relay, now);
        out.push(SignalingOutput::Publish {
            relay: Some(relay),
            topic: keys.peer_topic(&peer),
            payload: OutgoingSignal::Offer {
                peer: self_id,
                offer_id: offer.id.clone(),
                offer: sdp.clone(),
                passive,
            }
            .to_json(),
        });
    }
}

/// Publishes our answer `sdp`, encrypted, on the relay `answering` uses; `false` if it could
/// not be encrypted.
fn send_answer(
    (self_id, passive): (PeerId, bool),
    peer: PeerId,
    answering: &Answering,
    sdp: &str,
    keys: &dyn RoomKeys,
    out: &mut Vec<SignalingOutput>,
) -> bool {
    let Ok(sealed) = keys.encrypt(sdp) else {
        return false;
    };
    out.push(SignalingOutput::Publish {
        relay: Some(answering.relay),
        topic: keys.peer_topic(&peer),
        payload: OutgoingSignal::Answer {
            peer: self_id,
            answer: sealed,
            offer_id: answering.offer_id.clone(),
            passive,
        }
        .to_json(),
    });
    true
}

fn send_offer_candidate(
    self_id: PeerId,
    passive: bool,
    peer: PeerId,
    offer: &Offer,
    candidate: &IceCandidate,
    keys: &dyn RoomKeys,
    out: &mut Vec<SignalingOutput>,
) {
    let Ok(sealed) = keys.encrypt(&candidate.to_json()) else {
        return;
    };
    for relay in offer.sent.keys() {
        out.push(SignalingOutput::Publish {
            relay: Some(*relay),
            topic: keys.peer_topic(&peer),
            payload: OutgoingSignal::OffererCandidate {
                peer: self_id,
                offer_id: offer.id.clone(),
                candidate: sealed.clone(),
                passive,
            }
            .to_json(),
        });
    }
}

/// Decrypts and parses a remote candidate; failures are dropped silently, as in JS.
fn add_candidate(link: LinkId, sealed: &str, keys: &dyn RoomKeys, out: &mut Vec<SignalingOutput>) {
    if let Ok(plain) = keys.decrypt(sealed)
        && let Ok(Some(candidate)) = IceCandidate::parse(&plain)
    {
        out.push(SignalingOutput::AddCandidate { link, candidate });
    }
}

fn report_connect_failure(
    peer: PeerId,
    state: &mut PeerState,
    has_turn: bool,
    out: &mut Vec<SignalingOutput>,
) {
    if state.connected || state.error_reported {
        return;
    }
    state.error_reported = true;
    out.push(SignalingOutput::JoinError {
        peer,
        error: connect_failure_message(peer, has_turn),
    });
}

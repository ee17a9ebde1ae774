//! The signalling half of a room for the WebTorrent tracker strategy (protocol §4.3), the
//! tracker counterpart of [`super::TopicSignaling`], with the same inputs and outputs.
//!
//! Trackers have no topics: offers are made before anyone is known. Each room keeps up to
//! [`OFFER_POOL`] outstanding offers (non-trickle: every candidate is in the SDP), sends all of
//! them in every announce, and the tracker hands each to some other peer of the swarm. A peer
//! answers an offer only if its id is higher than the offerer's (an active peer always has
//! offers out, so the lower id's offers win glare); the answer comes back through the tracker
//! with our `offer_id`, which claims that offer and binds its link to the answerer. Offers
//! older than [`OFFER_RETENTION`] are closed and replaced. Announces follow the same warm-up as
//! topic strategies (0, 0.23, 0.77, 2.1 s), then the tracker's `interval`, clamped to 10–120 s.
//!
//! One departure from JS, compatible with it: a newcomer with a higher id can only be reached
//! by our offers, which JS sends on its next announce (up to 120 s later). When we ignore such
//! a newcomer's offer, we announce early instead ([`EARLY_ANNOUNCE_GAP`] after the last
//! announce at the soonest), so the tracker hands it ours.
//!
//! Messages travel through the `Signaler` port on the room's root topic: what this publishes
//! is the announce without `action` and `info_hash` (`{"peer_id":…,…}`), which the tracker
//! adapter adds; what it receives is the tracker's JSON as is.

use std::collections::BTreeMap;

use super::limits::{Limits, MAX_PEERS, Refused};

/// Message keys remembered for de-duplication (within six windows) at most.
pub const MAX_SEEN: usize = 4_096;
use std::time::Duration;

use serde_json::{Value, json};

use std::sync::Arc;

use super::{ANNOUNCE_WARMUP, CONNECT_TTL, Keys, SignalingOutput, Step, connect_failure_message};
use crate::id::{PeerId, random_id_with};
use crate::keys::RoomKeys;
use crate::room::LinkId;
use crate::time::Millis;

/// Outstanding offers per room (`offerPoolSize`), also the `numwant` of every announce.
pub const OFFER_POOL: usize = 3;
/// Offers older than this are reclaimed and replaced.
pub const OFFER_RETENTION: Duration = Duration::from_secs(120);
/// The announce interval before a tracker says otherwise, and its lower bound.
pub const MIN_ANNOUNCE: Duration = Duration::from_secs(10);
/// The upper bound of the announce interval.
pub const MAX_ANNOUNCE: Duration = Duration::from_secs(120);
/// The same offer or answer seen again within this is ignored.
pub const DEDUP_WINDOW: Duration = Duration::from_secs(4);
/// Length of an offer id.
pub const OFFER_ID_LEN: usize = 20;
/// The shortest gap between an announce and an early one (see [`TrackerSignaling`]).
pub const EARLY_ANNOUNCE_GAP: Duration = Duration::from_secs(2);

#[derive(Debug)]
struct PoolOffer {
    link: LinkId,
    /// The encrypted SDP, once the transport made it.
    sdp: Option<String>,
    created: Millis,
}

#[derive(Debug)]
struct Pending {
    link: LinkId,
    expires: Millis,
    /// Our answer went out (or their answer came in): a timeout is a connect failure.
    exchanged: bool,
}

#[derive(Debug)]
struct Answering {
    pending: Pending,
    offer_id: String,
    relay: usize,
}

/// The tracker signalling of one room. See the [module docs](self).
#[derive(Debug)]
pub struct TrackerSignaling {
    self_id: PeerId,
    keys: Keys,
    root_topic: String,
    has_turn: bool,
    offers: BTreeMap<String, PoolOffer>,
    answering: BTreeMap<PeerId, Answering>,
    /// Our offers claimed by an answer, until their link opens.
    claimed: BTreeMap<PeerId, Pending>,
    connected: BTreeMap<PeerId, ()>,
    interval: Duration,
    next_announce: Millis,
    last_announce: Option<Millis>,
    /// Announces made so far (the first ones follow the warm-up).
    announces: usize,
    /// An announce is due but waits for offers still being made.
    waiting: bool,
    seen: BTreeMap<String, Millis>,
    reported: BTreeMap<PeerId, ()>,
    limits: Limits,
}

impl TrackerSignaling {
    /// Starts the room at `now`: subscribe to the root topic (the adapter derives the
    /// `info_hash` from it), make the pool's offers, and announce once they exist.
    pub fn start(
        step: &mut Step<'_>,
        self_id: PeerId,
        keys: Arc<dyn RoomKeys>,
        has_turn: bool,
    ) -> Self {
        let now = step.now;
        let mut signaling = Self {
            self_id,
            root_topic: keys.root_topic(),
            has_turn,
            offers: BTreeMap::new(),
            answering: BTreeMap::new(),
            claimed: BTreeMap::new(),
            connected: BTreeMap::new(),
            interval: MIN_ANNOUNCE,
            next_announce: now,
            last_announce: None,
            announces: 0,
            waiting: false,
            seen: BTreeMap::new(),
            reported: BTreeMap::new(),
            limits: Limits::new(step.now),
            keys: Keys(keys),
        };
        step.out
            .push(SignalingOutput::Subscribe(signaling.root_topic.clone()));
        signaling.tick(step);
        signaling
    }

    /// The room's root topic (the adapter derives the `info_hash` from it).
    pub fn root_topic(&self) -> &str {
        &self.root_topic
    }

    /// The current announce interval (the tracker's, clamped).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The earliest instant [`TrackerSignaling::tick`] has something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        let retention = self
            .offers
            .values()
            .map(|offer| offer.created.after(OFFER_RETENTION));
        let pending = self
            .answering
            .values()
            .map(|answering| &answering.pending)
            .chain(self.claimed.values())
            .map(|pending| pending.expires);
        let announce = (!self.waiting).then_some(self.next_announce);
        announce.into_iter().chain(retention).chain(pending).min()
    }

    /// Announces when due, replaces stale (or failed) offers, and expires exchanges that never
    /// connected.
    pub fn tick(&mut self, step: &mut Step<'_>) {
        let now = step.now;
        let stale: Vec<String> = self
            .offers
            .iter()
            .filter(|(_, offer)| now >= offer.created.after(OFFER_RETENTION))
            .map(|(id, _)| id.clone())
            .collect();
        for id in stale {
            if let Some(offer) = self.offers.remove(&id) {
                step.out
                    .push(SignalingOutput::CloseLink { link: offer.link });
            }
        }
        let has_turn = self.has_turn;
        let mut failed = Vec::new();
        self.answering.retain(|peer, answering| {
            let keep = now < answering.pending.expires;
            if !keep {
                failed.push((*peer, answering.pending.link, answering.pending.exchanged));
            }
            keep
        });
        self.claimed.retain(|peer, pending| {
            let keep = now < pending.expires;
            if !keep {
                failed.push((*peer, pending.link, pending.exchanged));
            }
            keep
        });
        for (peer, link, exchanged) in failed {
            step.out.push(SignalingOutput::CloseLink { link });
            if exchanged && self.first_report(peer) {
                step.out.push(SignalingOutput::JoinError {
                    peer,
                    error: connect_failure_message(peer, has_turn),
                });
            }
        }
        self.fill_pool(step);
        if now >= self.next_announce && !self.waiting {
            self.waiting = true;
            self.last_announce = Some(now);
            let delay = ANNOUNCE_WARMUP
                .get(self.announces)
                .map_or(self.interval, |warmup| (*warmup).min(self.interval));
            self.announces += 1;
            self.next_announce = now.after(delay);
        }
        self.announce_if_ready(step.out);
    }

    /// Keeps [`OFFER_POOL`] offers outstanding.
    fn fill_pool(&mut self, step: &mut Step<'_>) {
        while self.offers.len() < OFFER_POOL {
            let Ok(id) = random_id_with(&mut *step.random, OFFER_ID_LEN) else {
                return;
            };
            let link = step.links.allocate();
            self.offers.insert(
                id,
                PoolOffer {
                    link,
                    sdp: None,
                    created: step.now,
                },
            );
            step.out.push(SignalingOutput::CreatePoolOffer { link });
        }
    }

    fn announce_if_ready(&mut self, out: &mut Vec<SignalingOutput>) {
        if !self.waiting || self.offers.values().any(|offer| offer.sdp.is_none()) {
            return;
        }
        self.waiting = false;
        let offers: Vec<Value> = self
            .offers
            .iter()
            .filter_map(|(id, offer)| {
                let sdp = offer.sdp.as_ref()?;
                Some(json!({"offer_id": id, "offer": {"type": "offer", "sdp": sdp}}))
            })
            .collect();
        let payload = format!(
            r#"{{"peer_id":{},"numwant":{OFFER_POOL},"offers":{}}}"#,
            Value::from(self.self_id.as_str()),
            Value::from(offers)
        );
        out.push(SignalingOutput::Publish {
            relay: None,
            topic: self.root_topic.clone(),
            payload,
        });
    }

    /// A tracker delivered `payload` for `topic`: an offer to answer, an answer claiming one of
    /// our offers, an `interval`, or a notice.
    pub fn on_relay_message(
        &mut self,
        step: &mut Step<'_>,
        relay: usize,
        topic: &str,
        payload: &str,
    ) {
        let now = step.now;
        if topic != self.root_topic {
            return;
        }
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(payload) else {
            return;
        };
        for key in ["failure reason", "warning message"] {
            if let Some(text) = message.get(key).and_then(Value::as_str) {
                step.out.push(SignalingOutput::RelayNotice {
                    relay,
                    message: format!("{key}: {text}"),
                });
                if key == "failure reason" {
                    return;
                }
            }
        }
        if let Some(seconds) = message.get("interval").and_then(Value::as_f64) {
            let millis = (seconds * 1000.0).clamp(
                MIN_ANNOUNCE.as_millis() as f64,
                MAX_ANNOUNCE.as_millis() as f64,
            );
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped above
            let interval = Duration::from_millis(millis as u64);
            self.interval = interval;
        }
        let (Some(peer), Some(offer_id)) = (
            message.get("peer_id").and_then(Value::as_str),
            message.get("offer_id").and_then(Value::as_str),
        ) else {
            return;
        };
        let Ok(peer) = peer.parse::<PeerId>() else {
            return;
        };
        let sdp = |field: &str| {
            message
                .get(field)
                .and_then(|value| value.get("sdp"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let (kind, sealed) = match (sdp("offer"), sdp("answer")) {
            (Some(offer), _) => ("offer", offer),
            (None, Some(answer)) => ("answer", answer),
            (None, None) => return,
        };
        if peer == self.self_id || self.duplicate(now, format!("{kind}:{offer_id}:{peer}")) {
            return;
        }
        if kind == "offer" {
            self.on_offer(step, relay, peer, offer_id, &sealed);
        } else {
            self.on_answer(step, peer, offer_id, &sealed);
        }
    }

    /// Whether an error about `peer` is the first (each is reported once). At most
    /// [`MAX_PEERS`] peers are remembered: beyond, made-up ids get no report at all.
    fn first_report(&mut self, peer: PeerId) -> bool {
        if self.reported.contains_key(&peer) {
            return false;
        }
        if self.reported.len() >= MAX_PEERS {
            self.limits.refused.peers += 1;
            return false;
        }
        self.reported.insert(peer, ());
        true
    }

    /// What the flood limits turned away so far.
    pub fn refused(&self) -> Refused {
        self.limits.refused
    }

    /// Offers being answered now (at most [`MAX_HALF_OPEN`](super::limits::MAX_HALF_OPEN)).
    pub fn half_open(&self) -> usize {
        self.answering.len()
    }

    fn duplicate(&mut self, now: Millis, key: String) -> bool {
        self.seen
            .retain(|_, at| now.since(*at) < DEDUP_WINDOW.saturating_mul(6));
        if self.seen.len() >= MAX_SEEN && !self.seen.contains_key(&key) {
            // A flood of distinct messages: treated as seen (dropped) until the window moves.
            self.limits.refused.peers += 1;
            return true;
        }
        let repeated = self
            .seen
            .get(&key)
            .is_some_and(|at| now.since(*at) < DEDUP_WINDOW);
        if !repeated {
            self.seen.insert(key, now);
        }
        repeated
    }

    fn busy_with(&self, peer: &PeerId) -> bool {
        self.connected.contains_key(peer)
            || self.answering.contains_key(peer)
            || self.claimed.contains_key(peer)
    }

    fn on_offer(
        &mut self,
        step: &mut Step<'_>,
        relay: usize,
        peer: PeerId,
        offer_id: &str,
        sealed: &str,
    ) {
        let (now, out) = (step.now, &mut *step.out);
        if self.busy_with(&peer) {
            return;
        }
        // Glare: we have offers out too, so only the higher id answers. The newcomer needs
        // ours: announce early rather than at the next interval.
        if self.self_id.leads(&peer) {
            let soonest = self
                .last_announce
                .map_or(now, |last| last.after(EARLY_ANNOUNCE_GAP).max(now));
            self.next_announce = self.next_announce.min(soonest);
            return;
        }
        if !self.limits.may_open(
            self.answering.values().map(|answering| answering.relay),
            relay,
        ) {
            return;
        }
        let Ok(sdp) = self.keys.decrypt(sealed) else {
            if self.first_report(peer) {
                out.push(SignalingOutput::JoinError {
                    peer,
                    error: "incorrect room password when decrypting offer".into(),
                });
            }
            return;
        };
        let link = step.links.allocate();
        self.answering.insert(
            peer,
            Answering {
                pending: Pending {
                    link,
                    expires: now.after(CONNECT_TTL),
                    exchanged: false,
                },
                offer_id: offer_id.to_owned(),
                relay,
            },
        );
        out.push(SignalingOutput::AcceptOffer { link, peer, sdp });
    }

    fn on_answer(&mut self, step: &mut Step<'_>, peer: PeerId, offer_id: &str, sealed: &str) {
        // Answers for offers we no longer hold are ignored.
        let Some(offer) = self.offers.remove(offer_id) else {
            return;
        };
        self.fill_pool(step);
        let (now, out) = (step.now, &mut *step.out);
        if self.busy_with(&peer) {
            out.push(SignalingOutput::CloseLink { link: offer.link });
            return;
        }
        let Ok(sdp) = self.keys.decrypt(sealed) else {
            out.push(SignalingOutput::CloseLink { link: offer.link });
            if self.first_report(peer) {
                out.push(SignalingOutput::JoinError {
                    peer,
                    error: "incorrect room password when decrypting answer".into(),
                });
            }
            return;
        };
        self.claimed.insert(
            peer,
            Pending {
                link: offer.link,
                expires: now.after(CONNECT_TTL),
                exchanged: true,
            },
        );
        out.push(SignalingOutput::BindPeer {
            link: offer.link,
            peer,
        });
        out.push(SignalingOutput::ApplyAnswer {
            link: offer.link,
            sdp,
        });
    }

    /// The transport made the SDP of an offer (`link`): it joins the next announce.
    pub fn offer_created(
        &mut self,
        _now: Millis,
        link: LinkId,
        sdp: &str,
        out: &mut Vec<SignalingOutput>,
    ) {
        let Some(offer) = self.offers.values_mut().find(|offer| offer.link == link) else {
            return;
        };
        let Ok(sealed) = self.keys.encrypt(sdp) else {
            return;
        };
        offer.sdp = Some(sealed);
        self.announce_if_ready(out);
    }

    /// The transport could not make the offer of `link`: drop it (the next tick makes another).
    pub fn offer_failed(&mut self, link: LinkId, out: &mut Vec<SignalingOutput>) {
        self.offers.retain(|_, offer| offer.link != link);
        self.announce_if_ready(out);
    }

    /// The transport made our answer (`link`): send it to the offerer through the tracker that
    /// brought the offer.
    pub fn answer_created(&mut self, link: LinkId, sdp: &str, out: &mut Vec<SignalingOutput>) {
        let keys = &*self.keys;
        let Some((peer, answering)) = self
            .answering
            .iter_mut()
            .find(|(_, answering)| answering.pending.link == link)
        else {
            return;
        };
        let Ok(sealed) = keys.encrypt(sdp) else {
            return;
        };
        answering.pending.exchanged = true;
        let payload = json!({"type": "answer", "sdp": sealed});
        out.push(SignalingOutput::Publish {
            relay: Some(answering.relay),
            topic: self.root_topic.clone(),
            payload: format!(
                r#"{{"peer_id":{},"answer":{payload},"offer_id":{},"to_peer_id":{}}}"#,
                Value::from(self.self_id.as_str()),
                Value::from(answering.offer_id.as_str()),
                Value::from(peer.as_str()),
            ),
        });
    }

    /// Candidates are all in the SDPs (non-trickle): nothing to send.
    pub fn local_candidate(&mut self, _link: LinkId) {}

    /// `link` opened: `peer` is connected. Returns whether the link belonged to this room.
    pub fn connected(&mut self, peer: PeerId, link: LinkId) -> bool {
        let ours = self
            .answering
            .get(&peer)
            .is_some_and(|answering| answering.pending.link == link)
            || self
                .claimed
                .get(&peer)
                .is_some_and(|pending| pending.link == link);
        if ours {
            self.answering.remove(&peer);
            self.claimed.remove(&peer);
            self.connected.insert(peer, ());
        }
        ours
    }

    /// `peer` is reachable over a connection made for another room: stop making one here.
    pub fn use_shared_connection(&mut self, peer: PeerId, out: &mut Vec<SignalingOutput>) {
        if let Some(answering) = self.answering.remove(&peer) {
            out.push(SignalingOutput::CloseLink {
                link: answering.pending.link,
            });
        }
        if let Some(pending) = self.claimed.remove(&peer) {
            out.push(SignalingOutput::CloseLink { link: pending.link });
        }
        self.connected.insert(peer, ());
    }

    /// The connection to `peer` is gone: it may connect again.
    pub fn disconnected(&mut self, _now: Millis, peer: PeerId) {
        self.connected.remove(&peer);
    }

    /// The links of our outstanding offers, to close when the room is left.
    pub fn pool_links(&self) -> Vec<LinkId> {
        self.offers.values().map(|offer| offer.link).collect()
    }
}

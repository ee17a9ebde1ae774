//! The tracker signalling (protocol §4.3) driven by hand, with the tracker played by the test:
//! the offer pool and its announce, answering by glare, claiming by offer id, dedup, the
//! interval clamp, notices, wrong passwords, and offers and exchanges that time out.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use trystero_core::PeerId;
use trystero_core::keys::{PlainKeys, RoomKeys};
use trystero_core::random::SeededRandom;
use trystero_core::room::LinkId;
use trystero_core::room::signaling::tracker::{OFFER_POOL, TrackerSignaling};
use trystero_core::room::signaling::{LinkIds, SignalingOutput, Step};
use trystero_core::time::Millis;

use super::{keys, peer};

/// One side of the swarm, with its outputs since the last call.
struct Side {
    id: PeerId,
    keys: PlainKeys,
    signaling: TrackerSignaling,
    links: LinkIds,
    random: SeededRandom,
    out: Vec<SignalingOutput>,
}

/// The one `AcceptOffer` among `out`: (link, peer, decrypted SDP).
fn accepted(out: Vec<SignalingOutput>) -> (LinkId, PeerId, String) {
    match <[SignalingOutput; 1]>::try_from(out) {
        Ok([SignalingOutput::AcceptOffer { link, peer, sdp }]) => (link, peer, sdp),
        other => panic!("expected one answer, got {other:?}"),
    }
}

impl Side {
    fn new(id: PeerId, password: &str) -> Self {
        let keys = keys("swarm", password);
        let (mut links, mut random, mut out) =
            (LinkIds::default(), SeededRandom::new(7), Vec::new());
        let signaling = TrackerSignaling::start(
            &mut Step {
                now: Millis(0),
                links: &mut links,
                random: &mut random,
                out: &mut out,
            },
            id,
            Arc::new(keys.clone()),
            false,
        );
        Self {
            id,
            keys,
            signaling,
            links,
            random,
            out,
        }
    }

    fn take(&mut self) -> Vec<SignalingOutput> {
        std::mem::take(&mut self.out)
    }

    /// Makes the SDP of every offer link asked for; returns the announce that follows.
    fn make_offers(&mut self, now: u64) -> Value {
        self.make_offers_quietly(now);
        self.published().pop().expect("an announce")
    }

    /// Makes the SDP of every offer link asked for.
    fn make_offers_quietly(&mut self, now: u64) {
        let links: Vec<LinkId> = self
            .take()
            .into_iter()
            .filter_map(|o| match o {
                SignalingOutput::CreatePoolOffer { link } => Some(link),
                _ => None,
            })
            .collect();
        for link in links {
            self.signaling.offer_created(
                Millis(now),
                link,
                &format!("sdp-{}", link.0),
                &mut self.out,
            );
        }
    }

    fn published(&mut self) -> Vec<Value> {
        self.take()
            .into_iter()
            .filter_map(|o| match o {
                SignalingOutput::Publish { payload, topic, .. } => {
                    assert_eq!(topic, self.keys.root_topic());
                    Some(serde_json::from_str(&payload).unwrap())
                }
                _ => None,
            })
            .collect()
    }

    fn receive(&mut self, now: u64, message: &Value) {
        self.out.clear();
        self.signaling.on_relay_message(
            &mut Step {
                now: Millis(now),
                links: &mut self.links,
                random: &mut self.random,
                out: &mut self.out,
            },
            0,
            &self.keys.root_topic(),
            &message.to_string(),
        );
    }

    fn tick(&mut self, now: u64) {
        self.out.clear();
        self.signaling.tick(&mut Step {
            now: Millis(now),
            links: &mut self.links,
            random: &mut self.random,
            out: &mut self.out,
        });
    }
}

/// What a tracker forwards to another peer: one offer of an announce.
fn forwarded_offer(announce: &Value, index: usize) -> Value {
    let offer = &announce["offers"][index];
    json!({
        "action": "announce",
        "info_hash": "ignored-here",
        "peer_id": announce["peer_id"],
        "offer_id": offer["offer_id"],
        "offer": offer["offer"],
    })
}

#[test]
fn the_pool_is_announced_then_answered_by_the_higher_id_and_claimed() {
    let (mut a, mut b) = (Side::new(peer(1), ""), Side::new(peer(2), ""));
    assert_eq!(a.out[0], SignalingOutput::Subscribe(a.keys.root_topic()));
    let pool = |out: &[SignalingOutput]| {
        out.iter()
            .filter(|o| matches!(o, SignalingOutput::CreatePoolOffer { .. }))
            .count()
    };
    assert_eq!(pool(&a.out), OFFER_POOL);
    assert!(
        !a.out
            .iter()
            .any(|o| matches!(o, SignalingOutput::Publish { .. })),
        "no announce before the offers exist"
    );
    let announce = a.make_offers(5);
    assert_eq!(announce["peer_id"], a.id.as_str());
    assert_eq!(announce["numwant"], 3);
    let offers = announce["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 3);
    for offer in offers {
        assert_eq!(offer["offer_id"].as_str().unwrap().len(), 20);
        assert_eq!(offer["offer"]["type"], "offer");
        let sealed = offer["offer"]["sdp"].as_str().unwrap();
        assert!(a.keys.decrypt(sealed).unwrap().starts_with("sdp-"));
    }
    b.make_offers(5);

    // B (higher) answers A's offer through the tracker that brought it.
    let offer = forwarded_offer(&announce, 1);
    b.receive(100, &offer);
    let (link, offerer, sdp) = accepted(b.take());
    assert_eq!((offerer, sdp.starts_with("sdp-")), (a.id, true));
    b.signaling.answer_created(link, "answer-sdp", &mut b.out);
    let answer = b.published().pop().unwrap();
    assert_eq!(answer["peer_id"], b.id.as_str());
    assert_eq!(answer["offer_id"], offer["offer_id"]);
    assert_eq!(answer["to_peer_id"], a.id.as_str());
    assert_eq!(answer["answer"]["type"], "answer");

    // The same offer again within 4 s is a duplicate; later, B is busy with A anyway.
    b.receive(3_000, &offer);
    assert!(b.out.is_empty());
    b.receive(9_000, &offer);
    assert!(b.out.is_empty());

    // The answer claims A's offer: the link is bound to B, and the pool is refilled.
    let back = json!({
        "action": "announce",
        "peer_id": b.id.as_str(),
        "offer_id": answer["offer_id"],
        "answer": answer["answer"],
    });
    a.receive(300, &back);
    let out = a.take();
    let bound = out.iter().find_map(|o| match o {
        SignalingOutput::BindPeer { link, peer } => Some((*link, *peer)),
        _ => None,
    });
    let (claimed, who) = bound.expect("the answer binds the offer's link");
    assert_eq!(who, b.id);
    assert!(out.contains(&SignalingOutput::ApplyAnswer {
        link: claimed,
        sdp: "answer-sdp".into()
    }));
    assert_eq!(pool(&out), 1, "one new offer replaces the claimed one");
    a.out = out;
    a.make_offers_quietly(300);
    // An answer for an offer we no longer hold is ignored.
    a.receive(5_000, &back);
    assert!(a.out.is_empty());
    assert!(a.signaling.connected(b.id, claimed));

    // Past the warm-up (announces 233, 533 and 1 333 ms apart), A announces every 10 s.
    for (at, next) in [(5_100, 5_633), (5_633, 6_966), (6_966, 16_966)] {
        a.tick(at);
        assert_eq!(a.published().len(), 1, "announce at {at}");
        assert_eq!(a.signaling.next_deadline(), Some(Millis(next)));
    }
    // A (lower) never answers a newcomer C's offers, since its own are out; it announces early
    // instead (2 s after its last announce at the soonest), so the tracker hands C its offers.
    let c_announce = Side::new(peer(3), "").make_offers(5);
    a.receive(7_000, &forwarded_offer(&c_announce, 0));
    assert!(a.out.is_empty(), "glare: the lower id's offers win");
    assert_eq!(a.signaling.next_deadline(), Some(Millis(8_966)));
    a.tick(8_966);
    assert_eq!(a.published().len(), 1, "the early announce");
    a.receive(9_000, &forwarded_offer(&c_announce, 1));
    assert_eq!(a.signaling.next_deadline(), Some(Millis(10_966)));
}

#[test]
fn intervals_are_clamped_and_notices_surface() {
    let mut a = Side::new(peer(1), "");
    a.make_offers(0);
    a.receive(1, &json!({"interval": 300, "info_hash": "x"}));
    assert_eq!(a.signaling.interval(), Duration::from_secs(120));
    a.receive(2, &json!({"interval": 2}));
    assert_eq!(a.signaling.interval(), Duration::from_secs(10));
    a.receive(3, &json!({"interval": 45}));
    assert_eq!(a.signaling.interval(), Duration::from_secs(45));
    // The warm-up (0, 233, 766, 2 099 ms), then the tracker's interval.
    for (at, next) in [(233, 766), (766, 2_099), (2_099, 47_099)] {
        assert_eq!(a.signaling.next_deadline(), Some(Millis(at)));
        a.tick(at);
        assert_eq!(a.published().len(), 1, "announced at {at}");
        assert_eq!(a.signaling.next_deadline(), Some(Millis(next)));
    }

    a.receive(4, &json!({"failure reason": "invalid info_hash"}));
    assert_eq!(
        a.out,
        [SignalingOutput::RelayNotice {
            relay: 0,
            message: "failure reason: invalid info_hash".into()
        }]
    );
    a.receive(5, &json!({"warning message": "slow down", "interval": 20}));
    assert!(
        matches!(&a.out[..], [SignalingOutput::RelayNotice { message, .. }] if message == "warning message: slow down")
    );
    a.receive(6, &json!("not an object"));
    a.receive(
        7,
        &json!({"peer_id": "short", "offer_id": "x", "offer": {"sdp": "y"}}),
    );
    assert!(a.out.is_empty(), "malformed messages are dropped");
}

#[test]
fn a_wrong_password_is_a_join_error_and_stale_offers_are_replaced() {
    let mut a = Side::new(peer(1), "one");
    let announce = a.make_offers(0);
    let mut b = Side::new(peer(2), "two");
    b.receive(10, &forwarded_offer(&announce, 0));
    assert_eq!(
        b.out,
        [SignalingOutput::JoinError {
            peer: a.id,
            error: "incorrect room password when decrypting offer".into()
        }]
    );

    // After 120 s every offer is closed and replaced, then announced afresh.
    a.tick(120_000);
    let out = a.take();
    let closed = out
        .iter()
        .filter(|o| matches!(o, SignalingOutput::CloseLink { .. }))
        .count();
    let made = out
        .iter()
        .filter(|o| matches!(o, SignalingOutput::CreatePoolOffer { .. }))
        .count();
    assert_eq!((closed, made), (OFFER_POOL, OFFER_POOL));
    a.out = out;
    let fresh = a.make_offers(120_001);
    assert_ne!(fresh["offers"], announce["offers"]);
}

#[test]
fn an_answer_that_never_connects_reports_the_turn_hint() {
    let mut a = Side::new(peer(1), "");
    let announce = a.make_offers(0);
    let mut b = Side::new(peer(2), "");
    b.receive(10, &forwarded_offer(&announce, 2));
    let (link, _, _) = accepted(b.take());
    b.signaling.answer_created(link, "answer", &mut b.out);
    b.out.clear();
    b.tick(10 + 23_333);
    assert!(b.out.contains(&SignalingOutput::CloseLink { link }));
    assert!(b.out.iter().any(|o| matches!(o,
        SignalingOutput::JoinError { peer, error } if *peer == a.id && error.contains("configure TURN servers"))));
}

/// Forged offers from made-up peer ids cannot make a room answer (and hold a WebRTC connection
/// for) each of them, nor remember an error report or a message key for each without bound.
/// Before: 2 000 forged offers made 2 000 answers.
#[test]
fn a_flood_of_forged_offers_is_bounded() {
    use trystero_core::room::signaling::limits::{MAX_HALF_OPEN_PER_RELAY, MAX_PEERS};
    // The lowest id answers nobody (glare); the highest answers every lower one.
    let top = PeerId::from_bytes(b"zzzzzzzzzzzzzzzzzzzz").unwrap();
    let mut side = Side::new(top, "");
    let sealed = side.keys.encrypt("sdp-forged").unwrap();
    let forged = |i: usize| PeerId::parse(&format!("A{i:019}")).unwrap();
    let mut answers = 0;
    for i in 0..2_000 {
        let offer = json!({
            "action": "announce",
            "info_hash": "ignored-here",
            "peer_id": forged(i).as_str(),
            "offer_id": format!("{i:020}"),
            "offer": {"type": "offer", "sdp": sealed},
        });
        side.receive(1_000, &offer);
        answers += side
            .out
            .iter()
            .filter(|o| matches!(o, SignalingOutput::AcceptOffer { .. }))
            .count();
    }
    assert_eq!(answers, MAX_HALF_OPEN_PER_RELAY, "one tracker's share");
    assert_eq!(side.signaling.half_open(), MAX_HALF_OPEN_PER_RELAY);
    assert!(side.signaling.refused().connections >= 2_000 - MAX_HALF_OPEN_PER_RELAY as u64);
    // Offers that fail to decrypt are each reported once, for at most MAX_PEERS peers.
    let mut reports = 0;
    for i in 2_000..2_000 + 2 * MAX_PEERS {
        let offer = json!({
            "action": "announce",
            "info_hash": "ignored-here",
            "peer_id": forged(i).as_str(),
            "offer_id": format!("{i:020}"),
            "offer": {"type": "offer", "sdp": "not sealed"},
        });
        side.tick(30_000 + i as u64); // the answers above time out: room to answer again
        side.receive(30_000 + i as u64, &offer);
        reports += side
            .out
            .iter()
            .filter(|o| matches!(o, SignalingOutput::JoinError { .. }))
            .count();
    }
    assert!(reports <= MAX_PEERS, "{reports} reports");
    assert!(side.signaling.refused().peers > 0);
}

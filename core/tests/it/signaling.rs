//! The signalling half of the engine under a manual clock, with an in-memory relay and a fake
//! transport: who offers, the nudge, the encrypted exchange, candidate routing, glare, wrong
//! passwords, expiries and the announce schedule.

use std::sync::Arc;
use std::time::Duration;

use trystero_core::keys::{PlainKeys, RoomKeys};
use trystero_core::room::LinkId;
use trystero_core::room::signaling::message::{IceCandidate, OutgoingSignal};
use trystero_core::room::signaling::{LinkIds, SignalingOutput, Step, TopicSignaling};
use trystero_core::time::Millis;
use trystero_core::{PeerId, SeededRandom};

use super::keys;

fn candidate(n: u16) -> IceCandidate {
    IceCandidate {
        candidate: format!("candidate:{n} 1 udp 2122252543 127.0.0.1 {n} typ host"),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
        username_fragment: Some("frag".into()),
    }
}

fn step<'a>(
    now: Millis,
    links: &'a mut LinkIds,
    random: &'a mut SeededRandom,
    out: &'a mut Vec<SignalingOutput>,
) -> Step<'a> {
    Step {
        now,
        links,
        random,
        out,
    }
}

struct Side {
    id: PeerId,
    keys: PlainKeys,
    signaling: TopicSignaling,
    links: LinkIds,
    random: SeededRandom,
    subscriptions: Vec<String>,
}

/// Two peers on one relay (index 0), with a transport that answers at once.
struct Pair {
    sides: [Side; 2],
    now: Millis,
    log: Vec<(usize, SignalingOutput)>,
    /// Links the fake transport reports connected when the answer is applied.
    pairs: Vec<(LinkId, LinkId)>,
    connected: Vec<(usize, PeerId, LinkId)>,
    /// Answers applied; the fake transport connects them once the relay traffic settles, as a
    /// real one connects only after candidates were exchanged.
    applied: Vec<(usize, LinkId)>,
    trickle: bool,
}

impl Pair {
    fn new(password_a: &str, password_b: &str) -> Self {
        let ids = [
            PeerId::parse("AAAAAAAAAAAAAAAAAAAA").unwrap(),
            PeerId::parse("bbbbbbbbbbbbbbbbbbbb").unwrap(),
        ];
        assert!(ids[0].leads(&ids[1]));
        let make = |i: usize, password: &str| {
            let keys = keys("room", password);
            let mut out = Vec::new();
            let (mut links, mut random) = (LinkIds::default(), SeededRandom::new(i as u64));
            let signaling = TopicSignaling::start(
                &mut step(Millis(0), &mut links, &mut random, &mut out),
                ids[i],
                Arc::new(keys.clone()),
                false,
                false,
            );
            let subscriptions = out
                .iter()
                .filter_map(|o| match o {
                    SignalingOutput::Subscribe(topic) => Some(topic.clone()),
                    _ => None,
                })
                .collect();
            (
                Side {
                    id: ids[i],
                    keys,
                    signaling,
                    links,
                    random,
                    subscriptions,
                },
                out,
            )
        };
        let (a, out_a) = make(0, password_a);
        let (b, out_b) = make(1, password_b);
        let mut pair = Self {
            sides: [a, b],
            now: Millis(0),
            log: Vec::new(),
            pairs: Vec::new(),
            connected: Vec::new(),
            applied: Vec::new(),
            trickle: true,
        };
        pair.carry(0, out_a);
        pair.carry(1, out_b);
        pair.settle();
        pair
    }

    /// Connects every link whose answer was applied.
    fn settle(&mut self) {
        for (side, link) in std::mem::take(&mut self.applied) {
            let (_, their) = self.pairs.pop().unwrap();
            let (me, other) = (self.sides[side].id, self.sides[1 - side].id);
            assert!(self.sides[side].signaling.connected(other, link));
            assert!(self.sides[1 - side].signaling.connected(me, their));
            self.connected.push((side, other, link));
            self.connected.push((1 - side, me, their));
        }
    }

    /// Carries out outputs of `side`, recursively, like a driver with a perfect network.
    fn carry(&mut self, side: usize, outputs: Vec<SignalingOutput>) {
        for output in outputs {
            self.log.push((side, output.clone()));
            let mut next = Vec::new();
            match output {
                SignalingOutput::Subscribe(_) | SignalingOutput::CloseLink { .. } => {}
                SignalingOutput::JoinError { .. } => {}
                SignalingOutput::Publish { topic, payload, .. } => {
                    // The relay echoes to every subscriber, the sender included.
                    for to in 0..2 {
                        if self.sides[to].subscriptions.contains(&topic) {
                            let s = &mut self.sides[to];
                            let mut out = Vec::new();
                            s.signaling.on_relay_message(
                                &mut step(self.now, &mut s.links, &mut s.random, &mut out),
                                0,
                                &topic,
                                &payload,
                            );
                            self.carry(to, out);
                        }
                    }
                }
                SignalingOutput::CreateOffer { link, .. } => {
                    let s = &mut self.sides[side];
                    s.signaling.offer_created(
                        self.now,
                        link,
                        &format!("offer-sdp-{}", link.0),
                        &mut next,
                    );
                    if self.trickle {
                        s.signaling.local_candidate(
                            link,
                            candidate(1000 + link.0 as u16),
                            &mut next,
                        );
                    }
                }
                SignalingOutput::AcceptOffer { link, sdp, .. } => {
                    assert!(sdp.starts_with("offer-sdp-"), "decrypted offer: {sdp}");
                    let s = &mut self.sides[side];
                    s.signaling.answer_created(link, "answer-sdp", &mut next);
                    if self.trickle {
                        s.signaling.local_candidate(
                            link,
                            candidate(2000 + link.0 as u16),
                            &mut next,
                        );
                    }
                    self.pairs.push((LinkId(0), link));
                }
                SignalingOutput::ApplyAnswer { link, sdp } => {
                    assert_eq!(sdp, "answer-sdp");
                    self.applied.push((side, link));
                }
                SignalingOutput::AddCandidate { .. } => {}
                // Tracker outputs: topic signalling never makes them.
                SignalingOutput::CreatePoolOffer { .. }
                | SignalingOutput::BindPeer { .. }
                | SignalingOutput::RelayNotice { .. } => panic!("tracker output {output:?}"),
            }
            self.carry(side, next);
        }
    }

    fn advance(&mut self, by: Duration) {
        self.now = self.now.after(by);
        for side in 0..2 {
            let mut out = Vec::new();
            let s = &mut self.sides[side];
            s.signaling
                .tick(&mut step(self.now, &mut s.links, &mut s.random, &mut out));
            self.carry(side, out);
        }
    }

    fn count(&self, side: usize, f: impl Fn(&SignalingOutput) -> bool) -> usize {
        self.log.iter().filter(|(s, o)| *s == side && f(o)).count()
    }
}

#[test]
fn the_lower_id_offers_and_both_connect() {
    let pair = Pair::new("", "");
    // A announced first; B saw it, is higher, and nudged A; A then offered.
    assert_eq!(
        pair.count(1, |o| matches!(o, SignalingOutput::CreateOffer { .. })),
        0
    );
    assert_eq!(
        pair.count(0, |o| matches!(o, SignalingOutput::CreateOffer { .. })),
        1
    );
    let nudge = OutgoingSignal::Announce {
        peer: pair.sides[1].id,
        passive: false,
    }
    .to_json();
    let a_topic = pair.sides[0].keys.peer_topic(&pair.sides[0].id);
    assert!(pair.log.iter().any(|(side, o)| *side == 1
        && *o
            == SignalingOutput::Publish {
                relay: Some(0),
                topic: a_topic.clone(),
                payload: nudge.clone()
            }));
    assert_eq!(pair.connected.len(), 2);
    // Each side got the other's trickled candidate.
    assert_eq!(
        pair.count(1, |o| matches!(o, SignalingOutput::AddCandidate { .. })),
        1
    );
    assert_eq!(
        pair.count(0, |o| matches!(o, SignalingOutput::AddCandidate { .. })),
        1
    );
    assert_eq!(
        pair.count(0, |o| matches!(o, SignalingOutput::JoinError { .. })),
        0
    );
}

#[test]
fn offers_travel_encrypted_with_an_offer_id() {
    let pair = Pair::new("pw", "pw");
    let offer = pair
        .log
        .iter()
        .find_map(|(side, o)| match o {
            SignalingOutput::Publish { payload, .. }
                if *side == 0 && payload.contains("\"offer\"") =>
            {
                Some(payload.clone())
            }
            _ => None,
        })
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&offer).unwrap();
    assert_eq!(value["offerId"].as_str().unwrap().len(), 12);
    let sealed = value["offer"].as_str().unwrap();
    assert!(
        !sealed.starts_with("offer-sdp"),
        "never in the clear: {sealed}"
    );
    assert!(
        pair.sides[1]
            .keys
            .decrypt(sealed)
            .unwrap()
            .starts_with("offer-sdp-")
    );
    assert_eq!(pair.connected.len(), 2);
}

#[test]
fn a_wrong_password_is_a_join_error_on_the_answerer() {
    let pair = Pair::new("right", "wrong");
    let errors: Vec<&SignalingOutput> = pair
        .log
        .iter()
        .filter(|(side, o)| *side == 1 && matches!(o, SignalingOutput::JoinError { .. }))
        .map(|(_, o)| o)
        .collect();
    assert_eq!(
        errors,
        [&SignalingOutput::JoinError {
            peer: pair.sides[0].id,
            error: "incorrect room password when decrypting offer".into()
        }]
    );
    assert!(pair.connected.is_empty());
}

#[test]
fn the_announce_schedule_warms_up_then_settles_at_60_s() {
    let mut pair = Pair::new("", "");
    // Disconnect nothing: just watch A's root-topic announces over time.
    let root = pair.sides[0].keys.root_topic();
    let announces = |pair: &Pair| {
        pair.log
            .iter()
            .filter(|(side, o)| {
                *side == 0 && matches!(o, SignalingOutput::Publish { topic, relay: None, .. } if *topic == root)
            })
            .count()
    };
    assert_eq!(announces(&pair), 1, "t = 0");
    assert_eq!(pair.sides[0].signaling.next_deadline(), Some(Millis(233)));
    let mut times = Vec::new();
    for _ in 0..5 {
        let next = pair.sides[0].signaling.next_deadline().unwrap();
        pair.advance(next.since(pair.now));
        times.push(pair.now.0);
    }
    assert_eq!(times, [233, 766, 2_099, 62_099, 122_099]);
    assert_eq!(announces(&pair), 6);
}

/// One side's signalling driven by hand: the test plays the other peer itself. `A…` has the lower
/// id (it offers), `b…` the higher.
struct Solo {
    me: PeerId,
    other: PeerId,
    keys: PlainKeys,
    signaling: TopicSignaling,
    links: LinkIds,
    random: SeededRandom,
    out: Vec<SignalingOutput>,
}

impl Solo {
    fn new(lower: bool) -> Self {
        let a = PeerId::parse("AAAAAAAAAAAAAAAAAAAA").unwrap();
        let b = PeerId::parse("bbbbbbbbbbbbbbbbbbbb").unwrap();
        let (me, other) = if lower { (a, b) } else { (b, a) };
        let keys = keys("room", "");
        let mut out = Vec::new();
        let (mut links, mut random) = (LinkIds::default(), SeededRandom::new(5));
        let signaling = TopicSignaling::start(
            &mut step(Millis(0), &mut links, &mut random, &mut out),
            me,
            Arc::new(keys.clone()),
            false,
            false,
        );
        Self {
            me,
            other,
            keys,
            signaling,
            links,
            random,
            out: Vec::new(),
        }
    }

    fn root(&self) -> String {
        self.keys.root_topic()
    }

    fn own(&self) -> String {
        self.keys.peer_topic(&self.me)
    }

    fn announce(peer: PeerId) -> String {
        OutgoingSignal::Announce {
            peer,
            passive: false,
        }
        .to_json()
    }

    /// Delivers one relay message at `at` ms; `out` then holds only what it caused.
    fn receive(&mut self, at: u64, topic: &str, payload: &str) {
        self.out.clear();
        self.receive_on(0, at, topic, payload);
    }

    /// Delivers one relay message from `relay` at `at` ms, adding to `out`.
    fn receive_on(&mut self, relay: usize, at: u64, topic: &str, payload: &str) {
        self.signaling.on_relay_message(
            &mut step(Millis(at), &mut self.links, &mut self.random, &mut self.out),
            relay,
            topic,
            payload,
        );
    }

    /// Runs the signalling's timers at `now`; `out` then holds only what they caused.
    fn tick(&mut self, now: Millis) {
        self.out.clear();
        self.signaling.tick(&mut step(
            now,
            &mut self.links,
            &mut self.random,
            &mut self.out,
        ));
    }

    /// The other peer announces itself; we (the lower id) answer with an offer on a new link.
    fn offer_to_the_other(&mut self) -> LinkId {
        let root = self.root();
        self.receive(0, &root, &Self::announce(self.other));
        let Some(SignalingOutput::CreateOffer { link, peer }) = self.out.pop() else {
            panic!("expected an offer: {:?}", self.out);
        };
        assert_eq!(peer, self.other);
        link
    }
}

#[test]
fn an_unanswered_offer_expires_quietly() {
    let mut solo = Solo::new(true);
    let link = solo.offer_to_the_other();
    assert_eq!(solo.signaling.next_deadline(), Some(Millis(233)));
    solo.out.clear();
    solo.tick(Millis(57_333));
    assert!(solo.out.contains(&SignalingOutput::CloseLink { link }));
    assert!(
        !solo
            .out
            .iter()
            .any(|o| matches!(o, SignalingOutput::JoinError { .. }))
    );
}

/// A peer may ignore our offer (it still holds a connection to our previous instance, say):
/// its next announcement, 4.8 s on, gets the same offer again; an earlier one does not.
#[test]
fn a_later_announcement_gets_the_same_offer_again() {
    let mut solo = Solo::new(true);
    let link = solo.offer_to_the_other();
    solo.out.clear();
    solo.signaling
        .offer_created(Millis(0), link, "sdp", &mut solo.out);
    let offers = |out: &[SignalingOutput]| -> Vec<String> {
        out.iter()
            .filter_map(|o| match o {
                SignalingOutput::Publish { payload, .. } => {
                    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
                    v["offerId"].as_str().map(str::to_owned)
                }
                _ => None,
            })
            .collect()
    };
    let first = offers(&solo.out);
    assert_eq!(first.len(), 1);
    let (root, announce) = (solo.root(), Solo::announce(solo.other));
    solo.receive(4_799, &root, &announce);
    assert_eq!(
        offers(&solo.out),
        Vec::<String>::new(),
        "too soon to send again"
    );
    solo.receive(4_800, &root, &announce);
    assert_eq!(offers(&solo.out), first, "the same offer id again");
    solo.receive(5_000, &root, &announce);
    assert_eq!(offers(&solo.out), Vec::<String>::new());
}

#[test]
fn an_answered_offer_that_never_connects_reports_the_turn_hint() {
    let mut solo = Solo::new(true);
    let b = solo.other;
    let link = solo.offer_to_the_other();
    solo.signaling
        .offer_created(Millis(0), link, "sdp", &mut solo.out);
    let offer_id = solo
        .out
        .iter()
        .find_map(|o| match o {
            SignalingOutput::Publish { payload, .. } => {
                let v: serde_json::Value = serde_json::from_str(payload).ok()?;
                v["offerId"].as_str().map(str::to_owned)
            }
            _ => None,
        })
        .unwrap();
    let answer = OutgoingSignal::Answer {
        peer: b,
        answer: solo.keys.encrypt("answer").unwrap(),
        offer_id: Some(offer_id),
        passive: false,
    }
    .to_json();
    let own = solo.own();
    solo.receive(1_000, &own, &answer);
    assert_eq!(
        solo.out,
        [SignalingOutput::ApplyAnswer {
            link,
            sdp: "answer".into()
        }]
    );
    solo.out.clear();
    solo.tick(Millis(1_000 + 23_333));
    assert!(solo.out.contains(&SignalingOutput::JoinError {
        peer: b,
        error: format!(
            "could not connect to peer {b} after exchanging SDP; configure TURN servers with turnConfig or rtcConfig.iceServers"
        ),
    }));
}

#[test]
fn glare_the_lower_ids_offer_wins() {
    let mut solo = Solo::new(true);
    solo.offer_to_the_other();
    // B offers too (a racing peer): A has its own offer and the lower id, so it ignores B's.
    let theirs = OutgoingSignal::Offer {
        peer: solo.other,
        offer_id: "zzzzzzzzzzzz".into(),
        offer: solo.keys.encrypt("their-offer").unwrap(),
        passive: false,
    }
    .to_json();
    let own = solo.own();
    solo.receive(1, &own, &theirs);
    assert!(solo.out.is_empty(), "{:?}", solo.out);
}

#[test]
fn candidates_before_the_offer_are_buffered_then_applied() {
    let mut solo = Solo::new(false);
    let a = solo.other;
    let (root, own) = (solo.root(), solo.own());
    let early = OutgoingSignal::OffererCandidate {
        peer: a,
        offer_id: "offer0000000".into(),
        candidate: solo.keys.encrypt(&candidate(7).to_json()).unwrap(),
        passive: false,
    }
    .to_json();
    // A nudge-less candidate first: nothing to route to yet.
    solo.receive(0, &root, &Solo::announce(a));
    solo.receive(1, &own, &early);
    assert!(solo.out.is_empty());
    let offer = OutgoingSignal::Offer {
        peer: a,
        offer_id: "offer0000000".into(),
        offer: solo.keys.encrypt("offer-sdp-1").unwrap(),
        passive: false,
    }
    .to_json();
    solo.receive(2, &own, &offer);
    assert!(matches!(&solo.out[0], SignalingOutput::AcceptOffer { .. }));
    assert!(
        matches!(&solo.out[1], SignalingOutput::AddCandidate { candidate: c, .. } if *c == candidate(7)),
        "{:?}",
        solo.out
    );
}

#[test]
fn foreign_topics_and_our_own_echo_are_ignored() {
    let mut solo = Solo::new(true);
    let root = solo.root();
    solo.receive(0, "elsewhere", &Solo::announce(solo.other));
    assert!(solo.out.is_empty(), "{:?}", solo.out);
    solo.receive(0, &root, &Solo::announce(solo.me));
    assert!(solo.out.is_empty(), "{:?}", solo.out);
    solo.receive(0, &root, "{garbage");
    assert!(solo.out.is_empty(), "{:?}", solo.out);
}

#[test]
fn a_disconnect_restarts_the_warm_up() {
    let mut pair = Pair::new("", "");
    pair.advance(Duration::from_secs(200));
    let b = pair.sides[1].id;
    pair.sides[0].signaling.disconnected(pair.now, b);
    assert_eq!(pair.sides[0].signaling.next_deadline(), Some(pair.now));
}

/// Anyone who knows the app and room ids can announce made-up peer ids. A flood of them
/// cannot make a room open connections without bound (before: one WebRTC connection and offer
/// per id, each held 57 s), keep state without bound, let one relay take every slot, or make
/// the room flood the relays with nudges; once the half-open offers expire, honest peers get
/// theirs again.
#[test]
fn a_flood_of_forged_announcements_is_bounded() {
    use trystero_core::room::signaling::limits::{
        MAX_HALF_OPEN, MAX_HALF_OPEN_PER_RELAY, MAX_PEERS, NUDGE_BURST, NUDGES_PER_SECOND,
    };
    use trystero_core::room::signaling::topics::OFFER_TTL;
    let offers = |out: &[SignalingOutput]| {
        out.iter()
            .filter(|o| matches!(o, SignalingOutput::CreateOffer { .. }))
            .count()
    };
    let forged = |first: char, i: usize| PeerId::parse(&format!("{first}{i:019}")).unwrap();
    // We are the lower id: higher ones' announcements would each get an offer.
    let mut solo = Solo::new(true);
    let root = solo.root();
    solo.out.clear();
    for i in 0..1_000 {
        solo.receive_on(0, 1_000, &root, &Solo::announce(forged('b', i)));
    }
    assert_eq!(
        offers(&solo.out),
        MAX_HALF_OPEN_PER_RELAY,
        "one relay's share"
    );
    for i in 1_000..2_000 {
        solo.receive_on(1 + i % 3, 1_000, &root, &Solo::announce(forged('b', i)));
    }
    assert_eq!(offers(&solo.out), MAX_HALF_OPEN);
    assert_eq!(solo.signaling.half_open(), MAX_HALF_OPEN);
    assert!(solo.signaling.tracked_peers() <= MAX_PEERS);
    let refused = solo.signaling.refused();
    assert_eq!(
        refused.connections + refused.peers + MAX_HALF_OPEN as u64,
        2_000,
        "{refused:?}"
    );
    // The offers expire unanswered; an honest peer then gets one at once.
    let later = 1_000 + OFFER_TTL.as_millis() as u64 + 1;
    solo.tick(Millis(later));
    assert_eq!(solo.signaling.half_open(), 0);
    let other = solo.other;
    solo.receive(later, &root, &Solo::announce(other));
    assert_eq!(offers(&solo.out), 1);

    // We are the higher id: lower ones' announcements would each get a nudge published.
    let mut solo = Solo::new(false);
    let root = solo.root();
    solo.out.clear();
    for i in 0..1_000 {
        solo.receive_on(0, 1_000, &root, &Solo::announce(forged('A', i)));
    }
    let publishes = |out: &[SignalingOutput]| {
        out.iter()
            .filter(|o| matches!(o, SignalingOutput::Publish { .. }))
            .count()
    };
    assert_eq!(publishes(&solo.out), NUDGE_BURST as usize);
    // A second later the budget has refilled by the rate, no more.
    solo.out.clear();
    for i in 1_000..2_000 {
        solo.receive_on(0, 2_000, &root, &Solo::announce(forged('A', i)));
    }
    assert_eq!(publishes(&solo.out), NUDGES_PER_SECOND as usize);
    // One peer announcing many times is nudged once a second at most.
    let mut solo = Solo::new(false);
    solo.out.clear();
    let other = solo.other;
    for at in 0..10 {
        solo.receive_on(0, 1_000 + at * 100, &root, &Solo::announce(other));
    }
    assert_eq!(publishes(&solo.out), 1);
}

/// Two of three relays die in the middle of the offer/answer exchange: our answer went out
/// through a relay that then died, and the offerer re-sends its offer through another relay.
/// We answer again there (before, the offer was ignored as one we already answer, and the join
/// waited for the offer to expire, 57 s).
#[test]
fn an_offer_repeated_through_another_relay_is_answered_there_again() {
    let mut solo = Solo::new(false);
    let own = solo.own();
    let sealed = solo.keys.encrypt("offer-sdp").unwrap();
    let offer = OutgoingSignal::Offer {
        peer: solo.other,
        offer_id: "abcdefghijkl".into(),
        offer: sealed,
        passive: false,
    }
    .to_json();
    solo.out.clear();
    solo.receive_on(1, 0, &own, &offer);
    let Some(SignalingOutput::AcceptOffer { link, .. }) = solo
        .out
        .iter()
        .find(|o| matches!(o, SignalingOutput::AcceptOffer { .. }))
        .cloned()
    else {
        panic!("expected an answer to be made: {:?}", solo.out);
    };
    solo.out.clear();
    solo.signaling
        .answer_created(link, "answer-sdp", &mut solo.out);
    let answers = |out: &[SignalingOutput]| -> Vec<(usize, String)> {
        out.iter()
            .filter_map(|o| match o {
                SignalingOutput::Publish {
                    relay: Some(relay),
                    payload,
                    ..
                } if payload.contains("\"answer\"") => {
                    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
                    Some((*relay, v["offerId"].as_str()?.to_owned()))
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(answers(&solo.out), [(1, "abcdefghijkl".to_owned())]);
    // Relay 1 died; the offer comes again through relay 0: answered there, once.
    solo.out.clear();
    solo.receive_on(0, 4_800, &own, &offer);
    assert_eq!(answers(&solo.out), [(0, "abcdefghijkl".to_owned())]);
    assert!(
        !solo
            .out
            .iter()
            .any(|o| matches!(o, SignalingOutput::AcceptOffer { .. })),
        "no second connection"
    );
    solo.out.clear();
    solo.receive_on(0, 9_600, &own, &offer);
    assert_eq!(answers(&solo.out), [], "not again through the same relay");
}

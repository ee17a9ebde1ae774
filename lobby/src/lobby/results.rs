//! Results: rated games (signed results through the game room) and tournament match reports.

use std::collections::{BTreeMap, BTreeSet};

use trystero_core::PeerId;
use trystero_core::identity::{Identity, PublicKey, Signature, Verifier};
use trystero_core::time::Millis;

use super::{Channel, Lobby, LobbyError, LobbyEvent, MAX_PENDING_RESULTS, Refusal};
use crate::game::Phase;
use crate::message::Body;
use crate::rating::{MatchResult, Ratings, ResultError, SignedResult, Standing};
/// What rates games: our identity, the scheme to check others', the table, and results waiting
/// for signatures (by their signed bytes).
pub(super) struct Rater {
    identity: Box<dyn Identity>,
    verifier: Box<dyn Verifier>,
    ratings: Ratings,
    pending: BTreeMap<Vec<u8>, SignedResult>,
}

impl Lobby {
    /// Rates our games: results are signed with `identity` (its key goes into our profile),
    /// others' signatures checked with `verifier`, and counted results move `ratings`.
    pub fn with_ratings(
        mut self,
        identity: impl Identity + 'static,
        verifier: impl Verifier + 'static,
        ratings: Ratings,
    ) -> Self {
        self.profile.key = Some(identity.public_key());
        self.rater = Some(Rater {
            identity: Box::new(identity),
            verifier: Box::new(verifier),
            ratings,
            pending: BTreeMap::new(),
        });
        self
    }

    /// The ratings table, if this lobby rates games.
    pub fn ratings(&self) -> Option<&Ratings> {
        self.rater.as_ref().map(|rater| &rater.ratings)
    }

    /// Reports the winner of one of our tournament matches; the host applies it once both
    /// players named the same winner.
    pub fn report_match(
        &mut self,
        now: Millis,
        match_id: u16,
        winner: PeerId,
    ) -> Result<(), LobbyError> {
        self.now = now;
        let state = self.game().ok_or(LobbyError::NotInGame)?;
        if state.tournament.is_none() {
            return Err(LobbyError::NotStarted);
        }
        let game = state.game;
        if self.is_host() {
            let me = self.self_id;
            self.host_apply(|state, _| state.apply_match_report(me, match_id, winner));
        } else {
            self.send(
                Channel::Game,
                None,
                &Body::MatchReport {
                    game,
                    match_id,
                    winner,
                },
            );
        }
        Ok(())
    }

    /// Signs and sends our account of the current game's result: each player's place (1 is
    /// first). It counts once every player signed the same result.
    pub fn report_result(
        &mut self,
        now: Millis,
        places: &[(PeerId, u8)],
    ) -> Result<(), LobbyError> {
        self.now = now;
        let state = self.game().ok_or(LobbyError::NotInGame)?;
        let Phase::Started { seed, .. } = state.phase else {
            return Err(LobbyError::NotStarted);
        };
        let mut standings = Vec::with_capacity(places.len());
        for (peer, place) in places {
            let player = state
                .players
                .iter()
                .find(|player| player.id == *peer)
                .ok_or(LobbyError::NotInGame)?;
            let key = player.profile.key.ok_or(LobbyError::Unrated(*peer))?;
            standings.push(Standing {
                player: key,
                place: *place,
            });
        }
        let result = MatchResult {
            game: state.game,
            seed,
            standings,
        };
        let rater = self.rater.as_ref().ok_or(LobbyError::NoIdentity)?;
        let signature = rater.identity.sign(&result.signing_bytes());
        let mine = rater.identity.public_key();
        self.add_signature(result.clone(), mine, signature)?;
        self.send(
            Channel::Game,
            None,
            &Body::ResultSignature { result, signature },
        );
        Ok(())
    }

    /// Adds a verified signature to its pending result; counts the result once complete.
    pub(super) fn add_signature(
        &mut self,
        result: MatchResult,
        key: PublicKey,
        signature: Signature,
    ) -> Result<(), ResultError> {
        let Some(rater) = self.rater.as_mut() else {
            return Ok(());
        };
        let bytes = result.signing_bytes();
        if !rater.pending.contains_key(&bytes) && rater.pending.len() >= MAX_PENDING_RESULTS {
            return Err(ResultError::TooManyPending);
        }
        let game = result.game;
        let pending = rater
            .pending
            .entry(bytes.clone())
            .or_insert_with(|| SignedResult::new(result));
        pending.add_signature(&*rater.verifier, key, signature)?;
        if pending.check(&*rater.verifier).is_err() {
            return Ok(());
        }
        let Some(complete) = rater.pending.remove(&bytes) else {
            return Ok(());
        };
        // Other accounts of the same game can no longer count.
        rater.pending.retain(|_, other| other.result.game != game);
        let after = rater.ratings.record(&complete, &*rater.verifier)?;
        let ratings = after
            .iter()
            .map(|(key, rating)| (*key, rating.whole()))
            .collect();
        self.event(LobbyEvent::RatingsChanged { game, ratings });
        Ok(())
    }

    /// A player's signature over a result arrived.
    pub(super) fn on_result_signature(
        &mut self,
        from: PeerId,
        result: MatchResult,
        signature: Signature,
    ) {
        if self.rater.is_none() {
            return;
        }
        let Some(state) = self.game() else {
            return;
        };
        let Phase::Started { seed, .. } = state.phase else {
            self.refuse(from, Refusal::OutOfPlace);
            return;
        };
        // The result must be this match's, over exactly its players' keys, and signed by the
        // sender's own key.
        let keys: BTreeSet<Option<PublicKey>> = state
            .players
            .iter()
            .map(|player| player.profile.key)
            .collect();
        let listed: BTreeSet<Option<PublicKey>> =
            result.standings.iter().map(|s| Some(s.player)).collect();
        let sender = state
            .players
            .iter()
            .find(|player| player.id == from)
            .and_then(|player| player.profile.key);
        if result.game != state.game || result.seed != seed || keys != listed {
            self.refuse(from, Refusal::OutOfPlace);
            return;
        }
        let Some(sender) = sender else {
            self.refuse(from, Refusal::OutOfPlace);
            return;
        };
        if let Err(error) = self.add_signature(result, sender, signature) {
            self.refuse(from, Refusal::Result(error));
        }
    }
}

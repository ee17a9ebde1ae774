//! Ratings from signed match results: Elo or Glicko-2 (the `skillratings` crate), kept per player
//! (by [`PublicKey`]) in a local [`Ratings`] table.
//!
//! A result counts only when **every** player of the match signed the same [`MatchResult`]
//! (its canonical bytes): a peer cannot rate itself up alone, and a result with a missing,
//! foreign or bad signature is refused with a [`ResultError`]. Each game counts once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use skillratings::Outcomes;
use skillratings::elo::{EloConfig, EloRating, elo_rating_period};
use skillratings::glicko2::{Glicko2Config, Glicko2Rating, glicko2_rating_period};
use trystero_core::identity::{Identity, PublicKey, Signature, Verifier};

use crate::game::GameId;
use crate::message::MAX_MEMBERS;

/// What the signatures cover, before the result's JSON: no other message can be taken for one.
const DOMAIN: &[u8] = b"trystero-lobby match result v1\n";
/// How many counted games a table remembers (to refuse a result twice).
pub const MAX_REMEMBERED_GAMES: usize = 4096;

/// How ratings move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RatingSystem {
    /// Elo with this K-factor (32 is usual).
    Elo {
        /// How far one game moves a rating.
        k: f64,
    },
    /// Glicko-2 with this system constant (0.3 to 1.2; 0.5 is usual).
    Glicko2 {
        /// How fast volatility may change.
        tau: f64,
    },
}

impl Default for RatingSystem {
    fn default() -> Self {
        Self::Glicko2 { tau: 0.5 }
    }
}

/// A player's rating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// The rating (1500 to start).
    pub rating: f64,
    /// How uncertain it is (Glicko-2; 350 to start, lower with games).
    pub deviation: f64,
    /// How erratic the player is (Glicko-2; 0.06 to start).
    pub volatility: f64,
    /// Counted games.
    pub games: u32,
}

impl Default for Rating {
    fn default() -> Self {
        Self {
            rating: 1500.0,
            deviation: 350.0,
            volatility: 0.06,
            games: 0,
        }
    }
}

impl Rating {
    /// The rating rounded, as profiles and adverts carry it.
    #[allow(clippy::cast_possible_truncation)] // ratings stay far inside i32
    pub fn whole(&self) -> i32 {
        self.rating.round() as i32
    }
}

/// One player's place in a match (1 is first; equal places are draws).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// The player's identity key.
    pub player: PublicKey,
    /// The place.
    pub place: u8,
}

/// What happened in one match, as every player signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The game.
    pub game: GameId,
    /// The match's seed (from `GameStarting`), so a result names one match.
    pub seed: u64,
    /// Every player's place.
    pub standings: Vec<Standing>,
}

impl MatchResult {
    /// The bytes every player signs.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut bytes = DOMAIN.to_vec();
        // Plain data: serializing cannot fail.
        bytes.extend(serde_json::to_vec(self).unwrap_or_default());
        bytes
    }
}

/// A result with the signatures gathered so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedResult {
    /// The result.
    pub result: MatchResult,
    /// Each player's signature over [`MatchResult::signing_bytes`].
    pub signatures: BTreeMap<PublicKey, Signature>,
}

/// A result was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResultError {
    /// A player did not sign.
    #[error("player {0} has not signed the result")]
    MissingSignature(PublicKey),
    /// A signature does not verify.
    #[error("the signature of {0} does not verify")]
    BadSignature(PublicKey),
    /// A signature from someone who did not play.
    #[error("{0} signed but did not play")]
    UnknownSigner(PublicKey),
    /// A player listed twice.
    #[error("player {0} is listed twice")]
    DuplicatePlayer(PublicKey),
    /// Fewer than two players, or more than a game holds.
    #[error("a result needs 2 to {MAX_MEMBERS} players")]
    PlayerCount,
    /// Too many different results of one game wait for signatures.
    #[error("too many different results wait for signatures")]
    TooManyPending,
    /// This game was counted already.
    #[error("game {0} was counted already")]
    AlreadyCounted(GameId),
}

impl SignedResult {
    /// A result no one has signed yet.
    pub fn new(result: MatchResult) -> Self {
        Self {
            result,
            signatures: BTreeMap::new(),
        }
    }

    /// Adds `identity`'s signature.
    pub fn sign(&mut self, identity: &dyn Identity) {
        let signature = identity.sign(&self.result.signing_bytes());
        self.signatures.insert(identity.public_key(), signature);
    }

    /// Adds a signature received from a peer, if it verifies for a player of the result.
    pub fn add_signature(
        &mut self,
        verifier: &dyn Verifier,
        key: PublicKey,
        signature: Signature,
    ) -> Result<(), ResultError> {
        if !self.result.standings.iter().any(|s| s.player == key) {
            return Err(ResultError::UnknownSigner(key));
        }
        if !verifier.verify(&key, &self.result.signing_bytes(), &signature) {
            return Err(ResultError::BadSignature(key));
        }
        self.signatures.insert(key, signature);
        Ok(())
    }

    /// Whether every player signed and every signature verifies.
    pub fn check(&self, verifier: &dyn Verifier) -> Result<(), ResultError> {
        let standings = &self.result.standings;
        if standings.len() < 2 || standings.len() > MAX_MEMBERS {
            return Err(ResultError::PlayerCount);
        }
        let mut players = BTreeSet::new();
        for standing in standings {
            if !players.insert(standing.player) {
                return Err(ResultError::DuplicatePlayer(standing.player));
            }
        }
        if let Some(stranger) = self.signatures.keys().find(|key| !players.contains(key)) {
            return Err(ResultError::UnknownSigner(*stranger));
        }
        let bytes = self.result.signing_bytes();
        for player in &players {
            let signature = self
                .signatures
                .get(player)
                .ok_or(ResultError::MissingSignature(*player))?;
            if !verifier.verify(player, &bytes, signature) {
                return Err(ResultError::BadSignature(*player));
            }
        }
        Ok(())
    }
}

/// The local ratings table.
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    system: RatingSystem,
    table: BTreeMap<PublicKey, Rating>,
    counted: BTreeSet<GameId>,
    counted_order: VecDeque<GameId>,
}

/// A ratings table as a file holds it: every player's rating and the games counted (so a
/// result is not counted twice across restarts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedRatings {
    /// Each player's identity key and rating.
    pub players: Vec<(PublicKey, Rating)>,
    /// The games counted, oldest first (at most [`MAX_REMEMBERED_GAMES`]).
    pub counted: Vec<GameId>,
}

impl Ratings {
    /// What to save.
    pub fn save(&self) -> SavedRatings {
        SavedRatings {
            players: self
                .table
                .iter()
                .map(|(key, rating)| (*key, *rating))
                .collect(),
            counted: self.counted_order.iter().copied().collect(),
        }
    }

    /// A table rating with `system` from what was saved.
    pub fn load(system: RatingSystem, saved: SavedRatings) -> Self {
        let mut ratings = Self::new(system);
        ratings.table = saved.players.into_iter().collect();
        for game in saved
            .counted
            .into_iter()
            .rev()
            .take(MAX_REMEMBERED_GAMES)
            .rev()
        {
            if ratings.counted.insert(game) {
                ratings.counted_order.push_back(game);
            }
        }
        ratings
    }

    /// An empty table rating with `system`.
    pub fn new(system: RatingSystem) -> Self {
        Self {
            system,
            ..Self::default()
        }
    }

    /// A player's rating (the starting one if unknown).
    pub fn rating(&self, player: &PublicKey) -> Rating {
        self.table.get(player).copied().unwrap_or_default()
    }

    /// Every known player's rating.
    pub fn all(&self) -> impl Iterator<Item = (&PublicKey, &Rating)> {
        self.table.iter()
    }

    /// Counts a fully signed result; returns the players' new ratings, in standing order.
    pub fn record(
        &mut self,
        signed: &SignedResult,
        verifier: &dyn Verifier,
    ) -> Result<Vec<(PublicKey, Rating)>, ResultError> {
        let game = signed.result.game;
        if self.counted.contains(&game) {
            return Err(ResultError::AlreadyCounted(game));
        }
        signed.check(verifier)?;
        let standings = &signed.result.standings;
        let before: Vec<Rating> = standings.iter().map(|s| self.rating(&s.player)).collect();
        let mut after = Vec::with_capacity(standings.len());
        for (index, standing) in standings.iter().enumerate() {
            let outcomes = standings
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .map(|(other, them)| {
                    let outcome = match standing.place.cmp(&them.place) {
                        std::cmp::Ordering::Less => Outcomes::WIN,
                        std::cmp::Ordering::Greater => Outcomes::LOSS,
                        std::cmp::Ordering::Equal => Outcomes::DRAW,
                    };
                    (before[other], outcome)
                });
            let mut rating = self.rate(&before[index], outcomes);
            rating.games = before[index].games.saturating_add(1);
            after.push((standing.player, rating));
        }
        for (player, rating) in &after {
            self.table.insert(*player, *rating);
        }
        self.counted.insert(game);
        self.counted_order.push_back(game);
        if self.counted_order.len() > MAX_REMEMBERED_GAMES
            && let Some(oldest) = self.counted_order.pop_front()
        {
            self.counted.remove(&oldest);
        }
        Ok(after)
    }

    fn rate(&self, player: &Rating, results: impl Iterator<Item = (Rating, Outcomes)>) -> Rating {
        match self.system {
            RatingSystem::Elo { k } => {
                let results: Vec<(EloRating, Outcomes)> = results
                    .map(|(them, outcome)| {
                        (
                            EloRating {
                                rating: them.rating,
                            },
                            outcome,
                        )
                    })
                    .collect();
                let new = elo_rating_period(
                    &EloRating {
                        rating: player.rating,
                    },
                    &results,
                    &EloConfig { k },
                );
                Rating {
                    rating: new.rating,
                    ..*player
                }
            }
            RatingSystem::Glicko2 { tau } => {
                let glicko = |r: &Rating| Glicko2Rating {
                    rating: r.rating,
                    deviation: r.deviation,
                    volatility: r.volatility,
                };
                let results: Vec<(Glicko2Rating, Outcomes)> = results
                    .map(|(them, outcome)| (glicko(&them), outcome))
                    .collect();
                let config = Glicko2Config {
                    tau,
                    ..Glicko2Config::new()
                };
                let new = glicko2_rating_period(&glicko(player), &results, &config);
                Rating {
                    rating: new.rating,
                    deviation: new.deviation,
                    volatility: new.volatility,
                    games: player.games,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use trystero_core::PeerId;
    use trystero_core::identity::{PlainIdentity, PlainVerifier};

    use super::*;

    fn result(players: &[&PlainIdentity]) -> MatchResult {
        MatchResult {
            game: GameId::new(PeerId::parse("peer0000000000000001").unwrap(), 1),
            seed: 42,
            standings: players
                .iter()
                .enumerate()
                .map(|(place, identity)| Standing {
                    player: identity.public_key(),
                    place: u8::try_from(place + 1).unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_result_counts_only_with_every_players_signature() {
        let (alice, bob) = (PlainIdentity::new(1), PlainIdentity::new(2));
        let mut ratings = Ratings::new(RatingSystem::Elo { k: 32.0 });
        let mut signed = SignedResult::new(result(&[&alice, &bob]));
        // Alice claims the win alone.
        signed.sign(&alice);
        assert_eq!(
            ratings.record(&signed, &PlainVerifier),
            Err(ResultError::MissingSignature(bob.public_key()))
        );
        // A signature over another result is not Bob's signature over this one.
        let mut other = result(&[&bob, &alice]);
        other.seed = 7;
        let forged = bob.sign(&other.signing_bytes());
        assert_eq!(
            signed.add_signature(&PlainVerifier, bob.public_key(), forged),
            Err(ResultError::BadSignature(bob.public_key()))
        );
        let mallory = PlainIdentity::new(3);
        assert_eq!(
            signed.add_signature(&PlainVerifier, mallory.public_key(), mallory.sign(b"x")),
            Err(ResultError::UnknownSigner(mallory.public_key()))
        );
        let good = bob.sign(&signed.result.signing_bytes());
        signed
            .add_signature(&PlainVerifier, bob.public_key(), good)
            .unwrap();
        let after = ratings.record(&signed, &PlainVerifier).unwrap();
        assert_eq!(after[0].1.rating.round(), 1516.0);
        assert_eq!(after[1].1.rating.round(), 1484.0);
        assert_eq!(ratings.rating(&alice.public_key()).games, 1);
        assert_eq!(
            ratings.record(&signed, &PlainVerifier),
            Err(ResultError::AlreadyCounted(signed.result.game))
        );
    }

    #[test]
    fn glicko2_ranks_a_four_player_match_and_narrows_deviation() {
        let players: Vec<PlainIdentity> = (1..=4).map(PlainIdentity::new).collect();
        let refs: Vec<&PlainIdentity> = players.iter().collect();
        let mut signed = SignedResult::new(result(&refs));
        for player in &players {
            signed.sign(player);
        }
        let mut ratings = Ratings::new(RatingSystem::default());
        let after = ratings.record(&signed, &PlainVerifier).unwrap();
        let values: Vec<f64> = after.iter().map(|(_, r)| r.rating).collect();
        assert!(
            values.windows(2).all(|pair| pair[0] > pair[1]),
            "{values:?}"
        );
        assert!(after.iter().all(|(_, r)| r.deviation < 350.0));
        // Sum of changes is zero-ish for equal starting ratings.
        let sum: f64 = values.iter().map(|v| v - 1500.0).sum();
        assert!(sum.abs() < 1e-6, "{sum}");
    }

    #[test]
    fn a_saved_table_loads_back_and_still_refuses_counted_games() {
        let (alice, bob) = (PlainIdentity::new(1), PlainIdentity::new(2));
        let mut signed = SignedResult::new(result(&[&alice, &bob]));
        signed.sign(&alice);
        signed.sign(&bob);
        let mut ratings = Ratings::new(RatingSystem::default());
        ratings.record(&signed, &PlainVerifier).unwrap();
        let text = serde_json::to_string(&ratings.save()).unwrap();
        let mut again = Ratings::load(
            RatingSystem::default(),
            serde_json::from_str(&text).unwrap(),
        );
        assert_eq!(
            again.rating(&alice.public_key()),
            ratings.rating(&alice.public_key())
        );
        assert_eq!(
            again.record(&signed, &PlainVerifier),
            Err(ResultError::AlreadyCounted(signed.result.game))
        );
    }

    #[test]
    fn malformed_results_are_refused() {
        let alice = PlainIdentity::new(1);
        let mut signed = SignedResult::new(result(&[&alice]));
        signed.sign(&alice);
        assert_eq!(signed.check(&PlainVerifier), Err(ResultError::PlayerCount));
        let mut twice = SignedResult::new(result(&[&alice, &alice]));
        twice.sign(&alice);
        assert_eq!(
            twice.check(&PlainVerifier),
            Err(ResultError::DuplicatePlayer(alice.public_key()))
        );
    }
}

//! [`TrysteroKeys`]: the real implementation of core's `RoomKeys` port, with Trystero's exact
//! derivations (topics, token, AES-GCM key, password proof).

use trystero_core::keys::{KeyError, RoomKeys};
use trystero_core::random::{OsRandom, RandomSource, SharedRandom};
use trystero_core::{AppId, PeerId, RoomId, RoomToken};

use crate::password::password_challenge_response;
use crate::sdp::SdpKey;
use crate::topics::{peer_topic, room_token, root_topic};

/// The keys of one room for one password, derived once at join. Its `Debug` shows the names
/// and the public token, never the password or the key.
#[derive(Clone)]
pub struct TrysteroKeys {
    app: AppId,
    room: RoomId,
    password: String,
    root: String,
    token: RoomToken,
    cipher: SdpKey,
    /// Where the AES-GCM IVs come from.
    random: SharedRandom,
}

impl std::fmt::Debug for TrysteroKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrysteroKeys")
            .field("app", &self.app)
            .field("room", &self.room)
            .field(
                "password",
                &if self.password.is_empty() {
                    "(none)"
                } else {
                    "(redacted)"
                },
            )
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl TrysteroKeys {
    /// Derives everything for `room` of `app` with `password` (`""` for none).
    pub fn new(app: &AppId, room: &RoomId, password: &str) -> Self {
        Self::with_random(app, room, password, OsRandom)
    }

    /// [`TrysteroKeys::new`] drawing the AES-GCM IVs from `random` instead of the operating
    /// system, so a test's encrypted signals are the same every run. Production code keeps
    /// [`TrysteroKeys::new`]: an IV must never repeat under one key.
    pub fn with_random(
        app: &AppId,
        room: &RoomId,
        password: &str,
        random: impl RandomSource + Send + 'static,
    ) -> Self {
        Self {
            random: SharedRandom::new(random),
            app: app.clone(),
            room: room.clone(),
            password: password.to_owned(),
            root: root_topic(app, room),
            token: room_token(app, room),
            cipher: SdpKey::derive(password, app, room),
        }
    }
}

impl RoomKeys for TrysteroKeys {
    fn root_topic(&self) -> String {
        self.root.clone()
    }

    fn peer_topic(&self, peer: &PeerId) -> String {
        peer_topic(&self.app, &self.room, peer)
    }

    fn token(&self) -> RoomToken {
        self.token
    }

    fn encrypt(&self, plaintext: &str) -> Result<String, KeyError> {
        let mut random = self.random.clone();
        let sealed = self.cipher.encrypt_with(&mut random, plaintext);
        sealed.map_err(|error| KeyError {
            reason: error.to_string(),
        })
    }

    fn decrypt(&self, wire: &str) -> Result<String, KeyError> {
        self.cipher.decrypt(wire).map_err(|error| KeyError {
            reason: error.to_string(),
        })
    }

    fn challenge_response(&self, challenge: &str) -> String {
        password_challenge_response(challenge, &self.password, &self.app, &self.room)
    }

    fn has_password(&self) -> bool {
        !self.password.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use trystero_core::SeededRandom;

    use super::*;

    fn keys(seed: u64, password: &str) -> TrysteroKeys {
        let app = AppId::new("app").unwrap();
        let room = RoomId::new("room").unwrap();
        TrysteroKeys::with_random(&app, &room, password, SeededRandom::new(seed))
    }

    #[test]
    fn seeded_keys_seal_the_same_way_every_run_and_still_open() {
        let (first, second) = (keys(7, "pw"), keys(7, "pw"));
        let sealed = first.encrypt("v=0 offer").unwrap();
        assert_eq!(sealed, second.encrypt("v=0 offer").unwrap());
        // The IVs move on: the next message under the same keys differs.
        assert_ne!(sealed, first.encrypt("v=0 offer").unwrap());
        assert_eq!(second.decrypt(&sealed).unwrap(), "v=0 offer");
        assert_ne!(sealed, keys(8, "pw").encrypt("v=0 offer").unwrap());
        assert!(keys(7, "other").decrypt(&sealed).is_err());
    }
}

//! [`TrysteroKeys`]: the real implementation of core's `RoomKeys` port, with Trystero's exact
//! derivations (topics, token, AES-GCM key, password proof).

use trystero_core::keys::{KeyError, RoomKeys};
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
        Self {
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
        self.cipher.encrypt(plaintext).map_err(|error| KeyError {
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

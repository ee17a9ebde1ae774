//! `trystero-nostr`: Trystero's default strategy. Nostr relays (NIP-01 over WebSocket) carry
//! the signalling messages as ephemeral events (protocol §4.1).
//!
//! [`NostrSignaler`] implements core's `Signaler` port:
//! - `NostrSignaler` is the shared relay client's `RelaySignaler` over the [`Nostr`] strategy:
//!   one reconnecting WebSocket per relay (`trystero-signaling-client`), each in its own task,
//!   so a relay that is down or refuses us never blocks the others;
//! - topics become one `REQ` per relay (`kinds`, `since`, `#x`; at most 250 topics per
//!   subscription), re-sent with a fresh `since` when topics change and after a reconnect, and
//!   `CLOSE`d when none are left;
//! - publishing signs an event of kind `(Σ UTF-16 units of topic) mod 10000 + 20000` with the
//!   `["x", topic]` tag (BIP-340 signatures from the `nostr` crate, one key per signaler);
//! - reconnects after a random delay below a period that starts at 3 333 ms and doubles, giving
//!   up once it would reach 60 s, as Trystero JS 0.25.4 does; reconnection can be paused;
//! - `OK false "rate-limited:…"` backs announcements off on that relay (60 s, doubling, up to
//!   15 min); any other refusal, or `CLOSED`, retires the relay for the session.
//!
//! The announce schedule, who offers and the encrypted exchange are not here: they are
//! strategy-independent and live in `trystero-core`'s engine, which any topic strategy (MQTT,
//! Supabase, Firebase) reuses through the same port.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod relay;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use nostr::{EventBuilder, JsonUtil, Keys, Kind, Tag, TagKind};
use trystero_core::config::RoomConfig;
use trystero_core::signaler::{SignalingError, redact_userinfo};
use trystero_crypto::nostr_kind;
use trystero_signaling_client::{
    Publication, RelaySet, RelaySignaler, RelayTask, Strategy, websocket,
};

use relay::Relay;
pub use relay::RelayCommand;
#[doc(hidden)]
pub use relay::decode_relay_message;

/// Trystero 0.25.4's default Nostr relays, each `wss://`.
pub const DEFAULT_RELAYS: [&str; 28] = [
    "wss://basspistol.org",
    "wss://bucket.coracle.social",
    "wss://chorus.pjv.me",
    "wss://koru.bitcointxoko.org",
    "wss://nos.lol",
    "wss://nostr-01.uid.ovh",
    "wss://nostr-01.yakihonne.com",
    "wss://nostr-relay.corb.net",
    "wss://nostr.data.haus",
    "wss://nostr.islandarea.net",
    "wss://nostr.sathoarder.com",
    "wss://nostr.tegila.com.br",
    "wss://nostr.vulpem.com",
    "wss://purplerelay.com",
    "wss://relay-can.zombi.cloudrodion.com",
    "wss://relay-rpi.edufeed.org",
    "wss://relay.agorist.space",
    "wss://relay.artio.inf.unibe.ch",
    "wss://relay.mostr.pub",
    "wss://relay.mostro.network",
    "wss://relay.sigit.io",
    "wss://relay02.lnfi.network",
    "wss://schnorr.me",
    "wss://social.amanah.eblessing.co",
    "wss://staging.yabu.me",
    "wss://strfry.shock.network",
    "wss://top.testrelay.top",
    "wss://yabu.me/v2",
];

/// How many default relays a room uses.
pub const DEFAULT_REDUNDANCY: usize = 5;

/// The relays a room uses: its explicit URLs, or the app-seeded shuffle of the defaults.
pub fn relay_urls(config: &RoomConfig) -> Vec<String> {
    config
        .relay()
        .select(&DEFAULT_RELAYS, config.app_id(), true, DEFAULT_REDUNDANCY)
}

/// The topic set shared with the relay tasks.
type Topics = Arc<Mutex<BTreeSet<String>>>;

/// Trystero's Nostr strategy as a signaler: `NostrSignaler::connect(&urls)`. Must be created
/// inside a tokio runtime.
pub type NostrSignaler = RelaySignaler<Nostr>;

/// The Nostr strategy: the signing key and the topics every relay subscribes to.
pub struct Nostr {
    keys: Keys,
    topics: Topics,
}

impl Nostr {
    /// Signs with `keys` (`NostrSignaler::connect_with(Nostr::with_keys(keys), &urls)`).
    pub fn with_keys(keys: Keys) -> Self {
        Self {
            keys,
            topics: Topics::default(),
        }
    }

    fn topics_changed(&self, relays: &RelaySet<RelayCommand>) {
        relays.broadcast(|| RelayCommand::TopicsChanged);
    }

    fn lock_topics(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Shows the public key and topics, never the secret key.
impl std::fmt::Debug for Nostr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nostr")
            .field("public_key", &self.keys.public_key())
            .field("topics", &self.topics)
            .finish()
    }
}

/// A fresh random key.
impl Default for Nostr {
    fn default() -> Self {
        Self::with_keys(Keys::generate())
    }
}

/// Whether a §3.1 payload is an announcement (no offer, answer or candidate).
fn is_announcement(payload: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|value| {
            let object = value.as_object()?;
            Some(
                !["offer", "answer", "candidate"]
                    .iter()
                    .any(|key| object.contains_key(*key)),
            )
        })
        .unwrap_or(false)
}

impl Strategy for Nostr {
    type Command = RelayCommand;

    const NAME: &'static str = "NostrSignaler";

    fn start_relay(&self, task: RelayTask<RelayCommand>) {
        let span = tracing::info_span!("relay", url = %redact_userinfo(task.url()));
        let relay = Relay::new(task.url(), self.topics.clone());
        websocket::spawn(task, relay, span);
    }

    fn subscribe(&self, relays: &RelaySet<RelayCommand>, topic: &str) {
        let added = self.lock_topics().insert(topic.to_owned());
        if added {
            self.topics_changed(relays);
        }
    }

    fn unsubscribe(&self, relays: &RelaySet<RelayCommand>, topic: &str) {
        let removed = self.lock_topics().remove(topic);
        if removed {
            self.topics_changed(relays);
        }
    }

    fn publish(
        &self,
        relays: &RelaySet<RelayCommand>,
        publication: Publication<'_>,
    ) -> Result<(), SignalingError> {
        let tag = Tag::custom(TagKind::custom("x"), [publication.topic.to_owned()]);
        let event = EventBuilder::new(
            Kind::from_u16(nostr_kind(publication.topic)),
            publication.payload,
        )
        .tag(tag)
        .sign_with_keys(&self.keys)
        .map_err(|error| SignalingError::Relay {
            relay: publication.relay.unwrap_or(0),
            reason: error.to_string(),
        })?;
        let message = format!("[\"EVENT\",{}]", event.as_json());
        let announcement = is_announcement(publication.payload);
        relays.send(publication.relay, || RelayCommand::Publish {
            message: message.clone(),
            announcement,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_are_told_apart_from_signals() {
        assert!(is_announcement(r#"{"peerId":"x"}"#));
        assert!(is_announcement(r#"{"peerId":"x","passive":true}"#));
        assert!(!is_announcement(
            r#"{"peerId":"x","offerId":"o","offer":"e"}"#
        ));
        assert!(!is_announcement(r#"{"peerId":"x","candidate":"c"}"#));
        assert!(!is_announcement("not json"));
    }

    #[test]
    fn default_relays_follow_the_app_seeded_shuffle() {
        let config = RoomConfig::builder("trystero-rust-test").build().unwrap();
        assert_eq!(
            relay_urls(&config),
            [
                "wss://schnorr.me",
                "wss://relay.artio.inf.unibe.ch",
                "wss://nostr.data.haus",
                "wss://yabu.me/v2",
                "wss://nostr.tegila.com.br"
            ]
        );
        let config = RoomConfig::builder("x")
            .relay_urls(["ws://127.0.0.1:1"])
            .build()
            .unwrap();
        assert_eq!(relay_urls(&config), ["ws://127.0.0.1:1"]);
    }
}

//! What a Nostr relay hears and says (NIP-01): the [`Session`] that the shared reconnecting
//! WebSocket runs for each relay.

use std::sync::PoisonError;
use std::time::Duration;

use nostr::JsonUtil;
use serde_json::{Value, json};
use tokio::time::Instant;
use trystero_core::id::random_id;
use trystero_crypto::nostr_kind;
use trystero_signaling_client::Inbox;
use trystero_signaling_client::websocket::Session;

use crate::Topics;

/// The first announcement back-off after `rate-limited:`; it doubles up to the maximum.
const RATE_LIMIT_BACKOFF: Duration = Duration::from_secs(60);
const MAX_RATE_LIMIT_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Topics per `REQ` (JS: 250).
const TOPICS_PER_REQ: usize = 250;

/// What the signaler asks of one Nostr relay.
#[derive(Debug)]
pub enum RelayCommand {
    /// Send the `REQ`s (and `CLOSE`s) for the current topics.
    TopicsChanged,
    /// Send this `EVENT`.
    Publish {
        /// The whole `["EVENT",…]` message.
        message: String,
        /// Whether it is an announcement (skipped while the relay rate-limits us).
        announcement: bool,
    },
}

/// One relay's NIP-01 state.
pub(crate) struct Relay {
    url: String,
    topics: Topics,
    /// The subscription id prefix (60 random characters + a two-digit group number).
    subscription: String,
    /// How many `REQ` groups are open on the current connection.
    groups_sent: usize,
    /// Announcements are skipped until then, after `rate-limited:` (until, current length).
    backoff: Option<(Instant, Duration)>,
}

impl Relay {
    pub(crate) fn new(url: &str, topics: Topics) -> Self {
        Self {
            url: url.to_owned(),
            topics,
            subscription: random_id(60).unwrap_or_else(|_| "trystero".repeat(8)),
            groups_sent: 0,
            backoff: None,
        }
    }

    /// `REQ`s for the current topics (groups of 250), and `CLOSE`s for groups no longer needed.
    fn subscription_messages(&mut self) -> Vec<String> {
        let topics: Vec<String> = self
            .topics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect();
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let mut messages = Vec::new();
        let groups: Vec<&[String]> = topics.chunks(TOPICS_PER_REQ).collect();
        for (group, topics) in groups.iter().enumerate() {
            let mut kinds: Vec<u16> = topics.iter().map(|topic| nostr_kind(topic)).collect();
            kinds.sort_unstable();
            kinds.dedup();
            let filter = json!({"kinds": kinds, "since": since, "#x": topics});
            messages.push(json!(["REQ", self.subscription_id(group), filter]).to_string());
        }
        for group in groups.len()..self.groups_sent {
            messages.push(json!(["CLOSE", self.subscription_id(group)]).to_string());
        }
        self.groups_sent = groups.len();
        messages
    }

    fn subscription_id(&self, group: usize) -> String {
        format!("{}{:02}", self.subscription, group % 100)
    }

    /// Handles one relay message; `Err` retires the relay.
    fn on_text(&mut self, text: &str, inbox: &Inbox) -> Result<(), String> {
        let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(text) else {
            return Ok(());
        };
        match parts.first().and_then(Value::as_str) {
            Some("EVENT") => {
                match accepted_event(&parts, &self.topics) {
                    Ok((topic, content)) => {
                        inbox.deliver(topic, content);
                    }
                    Err(refused) => {
                        tracing::debug!(relay = %self.url, %refused, "event dropped");
                    }
                }
                Ok(())
            }
            Some("OK") if parts.get(2) == Some(&Value::Bool(false)) => {
                let reason = parts.get(3).and_then(Value::as_str).unwrap_or_default();
                if reason.starts_with("rate-limited:") {
                    let length = self.backoff.map_or(RATE_LIMIT_BACKOFF, |(_, length)| {
                        (length * 2).min(MAX_RATE_LIMIT_BACKOFF)
                    });
                    self.backoff = Some((Instant::now() + length, length));
                    tracing::warn!(%reason, backoff = ?length, "rate limited: announcing less");
                    Ok(())
                } else if reason.starts_with("duplicate:") {
                    Ok(())
                } else {
                    Err(format!("{} refused an event: {reason}", self.url))
                }
            }
            Some("CLOSED") => {
                let reason = parts.get(2).and_then(Value::as_str).unwrap_or_default();
                Err(format!("{} closed our subscription: {reason}", self.url))
            }
            _ => Ok(()),
        }
    }
}

/// Why an `EVENT` from a relay was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refused {
    /// Not an event with content and an `x` tag.
    #[error("not a Trystero event")]
    Malformed,
    /// For a topic we do not listen to (relays should not send those).
    #[error("a topic we did not subscribe to")]
    Unsubscribed,
    /// Its kind is not the one its topic maps to.
    #[error("kind {0} does not match its topic")]
    WrongKind(u64),
    /// Its id is not the hash of its fields, or its signature does not verify.
    #[error("forged: {0}")]
    Forged(String),
}

/// The topic and content of an `EVENT` message's event, once it is one we listen to, of its
/// topic's kind, and signed by its `pubkey` over its own id (NIP-01: the relay may be anyone,
/// so its word is not taken for it). The cheap checks come before the signature's.
pub(crate) fn accepted_event(
    parts: &[Value],
    topics: &Topics,
) -> Result<(String, String), Refused> {
    let event = parts.get(2).ok_or(Refused::Malformed)?;
    let content = event
        .get("content")
        .and_then(Value::as_str)
        .ok_or(Refused::Malformed)?;
    let topic = event
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|tags| {
            tags.iter().find_map(|tag| {
                let tag = tag.as_array()?;
                (tag.first()?.as_str()? == "x").then(|| tag.get(1)?.as_str())?
            })
        })
        .ok_or(Refused::Malformed)?;
    if !topics
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(topic)
    {
        return Err(Refused::Unsubscribed);
    }
    let kind = event
        .get("kind")
        .and_then(Value::as_u64)
        .ok_or(Refused::Malformed)?;
    if kind != u64::from(nostr_kind(topic)) {
        return Err(Refused::WrongKind(kind));
    }
    let signed = nostr::Event::from_json(event.to_string())
        .map_err(|error| Refused::Forged(error.to_string()))?;
    signed
        .verify()
        .map_err(|error| Refused::Forged(error.to_string()))?;
    Ok((topic.to_owned(), content.to_owned()))
}

/// For the fuzz target (`fuzz/fuzz_targets/nostr.rs`): what one relay message would deliver
/// while `topic` is subscribed, read as a live connection reads it.
#[doc(hidden)]
pub fn decode_relay_message(text: &str, topic: &str) -> Option<(String, String)> {
    let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    if parts.first().and_then(Value::as_str) != Some("EVENT") {
        return None;
    }
    let topics: Topics = std::sync::Arc::new(std::sync::Mutex::new([topic.to_owned()].into()));
    accepted_event(&parts, &topics).ok()
}

impl Session for Relay {
    type Command = RelayCommand;

    fn opened(&mut self) -> Vec<String> {
        self.groups_sent = 0;
        self.subscription_messages()
    }

    fn command(&mut self, command: RelayCommand) -> Vec<String> {
        match command {
            RelayCommand::TopicsChanged => self.subscription_messages(),
            RelayCommand::Publish {
                message,
                announcement,
            } => {
                let backing_off = self
                    .backoff
                    .is_some_and(|(until, _)| Instant::now() < until);
                if announcement && backing_off {
                    Vec::new()
                } else {
                    vec![message]
                }
            }
        }
    }

    fn received(&mut self, text: &str, inbox: &Inbox) -> Result<(), String> {
        self.on_text(text, inbox)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};

    use nostr::{EventBuilder, Keys, Kind, Tag, TagKind};

    use super::*;

    const TOPIC: &str = "Trystero@app@room";

    fn topics() -> Topics {
        Arc::new(Mutex::new(BTreeSet::from([TOPIC.to_owned()])))
    }

    /// `["EVENT", sub, event]` for an event on `topic` of `kind`, signed by a fresh key.
    fn message(topic: &str, kind: u16, content: &str) -> Vec<Value> {
        let event = EventBuilder::new(Kind::from_u16(kind), content)
            .tag(Tag::custom(TagKind::custom("x"), [topic.to_owned()]))
            .sign_with_keys(&Keys::generate())
            .unwrap();
        let event: Value = serde_json::from_str(&event.as_json()).unwrap();
        vec![json!("EVENT"), json!("sub"), event]
    }

    #[test]
    fn a_signed_event_of_a_subscribed_topic_is_delivered() {
        let parts = message(TOPIC, nostr_kind(TOPIC), r#"{"peerId":"p"}"#);
        assert_eq!(
            accepted_event(&parts, &topics()),
            Ok((TOPIC.to_owned(), r#"{"peerId":"p"}"#.to_owned()))
        );
    }

    /// A relay (or anyone in its place) cannot make up or alter what a peer said.
    #[test]
    fn forged_and_foreign_events_are_dropped() {
        let kind = nostr_kind(TOPIC);
        // The content changed after signing: the id no longer matches.
        let mut altered = message(TOPIC, kind, r#"{"peerId":"p"}"#);
        altered[2]["content"] = json!(r#"{"peerId":"mallory"}"#);
        assert!(matches!(
            accepted_event(&altered, &topics()),
            Err(Refused::Forged(_))
        ));
        // Someone else's signature under this event's id.
        let mut resigned = message(TOPIC, kind, "a");
        let other = message(TOPIC, kind, "b");
        resigned[2]["sig"] = other[2]["sig"].clone();
        assert!(matches!(
            accepted_event(&resigned, &topics()),
            Err(Refused::Forged(_))
        ));
        // A made-up id and signature of the right shape.
        let mut invented = message(TOPIC, kind, "a");
        invented[2]["id"] = json!("00".repeat(32));
        assert!(matches!(
            accepted_event(&invented, &topics()),
            Err(Refused::Forged(_))
        ));
        assert_eq!(
            accepted_event(&message("Trystero@app@other", kind, "a"), &topics()),
            Err(Refused::Unsubscribed)
        );
        let wrong = if kind == 20_000 { 20_001 } else { 20_000 };
        assert_eq!(
            accepted_event(&message(TOPIC, wrong, "a"), &topics()),
            Err(Refused::WrongKind(u64::from(wrong)))
        );
        let mut untagged = message(TOPIC, kind, "a");
        untagged[2]["tags"] = json!([]);
        assert_eq!(
            accepted_event(&untagged, &topics()),
            Err(Refused::Malformed)
        );
        assert_eq!(
            accepted_event(&[json!("EVENT")], &topics()),
            Err(Refused::Malformed)
        );
    }
}

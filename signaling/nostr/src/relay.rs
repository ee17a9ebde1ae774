//! What a Nostr relay hears and says (NIP-01): the [`Session`] that the shared reconnecting
//! WebSocket runs for each relay.

use std::sync::PoisonError;
use std::time::Duration;

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
                if let Some((topic, content)) = event_topic_and_content(&parts) {
                    inbox.deliver(topic.to_owned(), content.to_owned());
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

/// The `x` tag and the content of an `EVENT` message's event.
fn event_topic_and_content(parts: &[Value]) -> Option<(&str, &str)> {
    let event = parts.get(2)?;
    let content = event.get("content")?.as_str()?;
    let topic = event.get("tags")?.as_array()?.iter().find_map(|tag| {
        let tag = tag.as_array()?;
        (tag.first()?.as_str()? == "x").then(|| tag.get(1)?.as_str())?
    })?;
    Some((topic, content))
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

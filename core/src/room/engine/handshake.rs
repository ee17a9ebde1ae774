//! The per-(room, peer) handshake (protocol §6.5).
//!
//! A peer becomes active only when both hold: our local handshake passed (at once without a
//! password; after the challenge exchange with one) **and** the remote `@_hsready` arrived. If
//! that does not happen before the deadline, the peer is rejected with
//! `handshake timed out after {ms}ms`.
//!
//! With a password, the initiator (the lower peer id) sends
//! `{"__trystero_pw":"challenge","c":C}` on `@_hsdata`; the responder checks the shape and answers
//! `{"__trystero_pw":"response","h":H}`; the initiator compares `H`. Any other shape or a wrong
//! `H` fails with `handshake failed: incorrect password for overlapping room`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::keys::RoomKeys;
use crate::time::Millis;
use crate::wire::{JsonText, Payload};

/// The length of a password challenge (`genId(36)`).
pub const CHALLENGE_LEN: usize = 36;

/// The error text JS reports for a password mismatch on a shared connection.
pub const PASSWORD_MISMATCH: &str = "handshake failed: incorrect password for overlapping room";

/// What the handshake asks its owner to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeStep {
    /// Send this JSON on `@_hsdata`.
    SendData(JsonText),
    /// Send `@_hsready` with the empty-string payload.
    SendReady,
    /// Both sides are ready: the peer joined.
    Activated,
    /// The handshake failed with this message (Trystero's wording); drop the binding.
    Failed(String),
}

#[derive(Debug, Serialize, Deserialize)]
struct PasswordMessage {
    #[serde(rename = "__trystero_pw")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    h: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Password {
    /// No password: nothing to exchange.
    NotNeeded,
    /// We sent this challenge and wait for the response.
    AwaitingResponse(String),
    /// We wait for the initiator's challenge.
    AwaitingChallenge,
    /// Exchange completed successfully.
    Passed,
}

/// The handshake state of one peer in one room.
#[derive(Debug, Clone)]
pub struct Handshake {
    password: Password,
    local_passed: bool,
    remote_ready: bool,
    active: bool,
    failed: bool,
    deadline: Millis,
    timeout: Duration,
}

impl Handshake {
    /// Starts the handshake at `now`. `initiator` is `self_id < peer_id`; `challenge` is a fresh
    /// 36-character random id (used only by the initiator when a password is set).
    pub fn start(
        now: Millis,
        timeout: Duration,
        initiator: bool,
        keys: &dyn RoomKeys,
        challenge: String,
    ) -> (Self, Vec<HandshakeStep>) {
        let mut handshake = Self {
            password: Password::NotNeeded,
            local_passed: false,
            remote_ready: false,
            active: false,
            failed: false,
            deadline: now.after(timeout),
            timeout,
        };
        let mut steps = Vec::new();
        if !keys.has_password() {
            handshake.pass_locally(&mut steps);
        } else if initiator {
            steps.push(HandshakeStep::SendData(password_json(&PasswordMessage {
                kind: "challenge".into(),
                c: Some(challenge.clone()),
                h: None,
            })));
            handshake.password = Password::AwaitingResponse(challenge);
        } else {
            handshake.password = Password::AwaitingChallenge;
        }
        (handshake, steps)
    }

    /// Whether the peer is active (joined).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// When the handshake times out, while it is pending.
    pub fn deadline(&self) -> Option<Millis> {
        (!self.active && !self.failed).then_some(self.deadline)
    }

    /// Handles an `@_hsdata` payload from the peer.
    pub fn on_data(&mut self, payload: &Payload, keys: &dyn RoomKeys) -> Vec<HandshakeStep> {
        let mut steps = Vec::new();
        if self.active || self.failed {
            return steps;
        }
        let message = match payload {
            Payload::Json(json) => json.deserialize::<PasswordMessage>().ok(),
            _ => None,
        };
        match (&self.password, message) {
            (
                Password::AwaitingChallenge,
                Some(PasswordMessage {
                    kind, c: Some(c), ..
                }),
            ) if kind == "challenge" => {
                steps.push(HandshakeStep::SendData(password_json(&PasswordMessage {
                    kind: "response".into(),
                    c: None,
                    h: Some(keys.challenge_response(&c)),
                })));
                self.password = Password::Passed;
                self.pass_locally(&mut steps);
            }
            (
                Password::AwaitingResponse(challenge),
                Some(PasswordMessage {
                    kind, h: Some(h), ..
                }),
            ) if kind == "response" => {
                let expected = keys.challenge_response(challenge);
                if constant_time_eq(expected.as_bytes(), h.as_bytes()) {
                    self.password = Password::Passed;
                    self.pass_locally(&mut steps);
                } else {
                    self.fail(&mut steps, PASSWORD_MISMATCH.into());
                }
            }
            // Without a password, or once ours passed, extra handshake data is a user
            // handshake's business; we run none, so it is ignored.
            (Password::NotNeeded | Password::Passed, _) => {}
            _ => self.fail(&mut steps, PASSWORD_MISMATCH.into()),
        }
        steps
    }

    /// Handles the peer's `@_hsready`.
    pub fn on_ready(&mut self) -> Vec<HandshakeStep> {
        let mut steps = Vec::new();
        if !self.active && !self.failed {
            self.remote_ready = true;
            self.maybe_activate(&mut steps);
        }
        steps
    }

    /// Checks the deadline.
    pub fn on_tick(&mut self, now: Millis) -> Vec<HandshakeStep> {
        let mut steps = Vec::new();
        if !self.active && !self.failed && now >= self.deadline {
            let message = format!("handshake timed out after {}ms", self.timeout.as_millis());
            self.fail(&mut steps, message);
        }
        steps
    }

    fn pass_locally(&mut self, steps: &mut Vec<HandshakeStep>) {
        self.local_passed = true;
        steps.push(HandshakeStep::SendReady);
        self.maybe_activate(steps);
    }

    fn maybe_activate(&mut self, steps: &mut Vec<HandshakeStep>) {
        if self.local_passed && self.remote_ready && !self.active {
            self.active = true;
            steps.push(HandshakeStep::Activated);
        }
    }

    fn fail(&mut self, steps: &mut Vec<HandshakeStep>, message: String) {
        self.failed = true;
        steps.push(HandshakeStep::Failed(message));
    }
}

fn password_json(message: &PasswordMessage) -> JsonText {
    JsonText::from_value(message).expect("a struct of strings always serializes")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{AppId, RoomId};
    use crate::keys::PlainKeys;

    const TIMEOUT: Duration = Duration::from_secs(10);

    fn keys(password: &str) -> PlainKeys {
        PlainKeys::new(
            &AppId::new("app").unwrap(),
            &RoomId::new("room").unwrap(),
            password,
        )
    }

    fn data(steps: &[HandshakeStep]) -> Payload {
        steps
            .iter()
            .find_map(|step| match step {
                HandshakeStep::SendData(json) => Some(Payload::Json(json.clone())),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn without_password_ready_is_sent_at_once() {
        let (mut handshake, steps) =
            Handshake::start(Millis(0), TIMEOUT, true, &keys(""), "c".repeat(36));
        assert_eq!(steps, [HandshakeStep::SendReady]);
        assert!(!handshake.is_active(), "waits for the remote ready");
        assert_eq!(handshake.on_ready(), [HandshakeStep::Activated]);
        assert!(handshake.is_active());
        assert_eq!(handshake.deadline(), None);
    }

    #[test]
    fn password_challenge_between_matching_peers() {
        let (keys_a, keys_b) = (keys("hunter2"), keys("hunter2"));
        let challenge = "HN4fG2bXVrkO5DRVj26um70a5mtAO3nNUMmz".to_owned();
        let (mut initiator, steps) =
            Handshake::start(Millis(0), TIMEOUT, true, &keys_a, challenge.clone());
        let sent = data(&steps);
        assert_eq!(
            sent.as_bytes(),
            format!(r#"{{"__trystero_pw":"challenge","c":"{challenge}"}}"#).as_bytes()
        );
        let (mut responder, steps) =
            Handshake::start(Millis(0), TIMEOUT, false, &keys_b, "unused".into());
        assert!(steps.is_empty(), "the responder waits for the challenge");
        let steps = responder.on_data(&sent, &keys_b);
        let response = data(&steps);
        assert!(
            response
                .as_bytes()
                .starts_with(br#"{"__trystero_pw":"response","h":""#)
        );
        assert!(steps.contains(&HandshakeStep::SendReady));
        let steps = initiator.on_data(&response, &keys_a);
        assert_eq!(steps, [HandshakeStep::SendReady]);
        assert_eq!(initiator.on_ready(), [HandshakeStep::Activated]);
        assert_eq!(responder.on_ready(), [HandshakeStep::Activated]);
    }

    #[test]
    fn a_wrong_password_fails_the_initiator() {
        let (mut initiator, steps) =
            Handshake::start(Millis(0), TIMEOUT, true, &keys("right"), "c".repeat(36));
        let (mut responder, _) =
            Handshake::start(Millis(0), TIMEOUT, false, &keys("wrong"), String::new());
        let response = data(&responder.on_data(&data(&steps), &keys("wrong")));
        assert_eq!(
            initiator.on_data(&response, &keys("right")),
            [HandshakeStep::Failed(PASSWORD_MISMATCH.into())]
        );
        assert!(
            initiator.on_ready().is_empty(),
            "a failed handshake never activates"
        );
    }

    #[test]
    fn a_malformed_challenge_fails_the_responder() {
        let (mut responder, _) =
            Handshake::start(Millis(0), TIMEOUT, false, &keys("pw"), String::new());
        let bogus =
            Payload::json(&serde_json::json!({"__trystero_pw": "response", "h": "x"})).unwrap();
        assert_eq!(
            responder.on_data(&bogus, &keys("pw")),
            [HandshakeStep::Failed(PASSWORD_MISMATCH.into())]
        );
    }

    #[test]
    fn the_deadline_rejects_a_silent_peer() {
        let (mut handshake, _) =
            Handshake::start(Millis(1_000), TIMEOUT, true, &keys(""), String::new());
        assert_eq!(handshake.deadline(), Some(Millis(11_000)));
        assert!(handshake.on_tick(Millis(10_999)).is_empty());
        assert_eq!(
            handshake.on_tick(Millis(11_000)),
            [HandshakeStep::Failed(
                "handshake timed out after 10000ms".into()
            )]
        );
        assert_eq!(handshake.deadline(), None);
    }
}

//! The signalling messages that strategies carry between peers (protocol §3).
//!
//! Topic strategies (Nostr, MQTT, …) carry these JSON objects verbatim as strings; the torrent
//! strategy maps them onto tracker fields. [`OutgoingSignal::to_json`] writes exactly what
//! Trystero JS writes (same keys, same order); [`IncomingSignal::parse`] applies the receiver's
//! validation rules of §3.2 and returns a typed error for anything JS would drop.
//!
//! SDP strings here are the *encrypted* wire strings of §2 (`trystero-crypto` makes them).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::id::PeerId;

/// A received signal was dropped by the §3.2 rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalError {
    /// Not a JSON object.
    #[error("a signal must be a JSON object")]
    NotAnObject,
    /// `offer`, `answer` or `candidate` is present but not a non-empty string.
    #[error("signal field {0:?} must be a non-empty string")]
    InvalidField(&'static str),
    /// `peerId` is missing or empty.
    #[error("a signal needs a peerId")]
    MissingPeerId,
    /// `peerId` is not a valid peer id.
    #[error("invalid peerId: {0}")]
    InvalidPeerId(#[from] crate::id::IdError),
}

/// What an incoming signal asks for. Precedence follows JS: offer, then candidate, then answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalBody {
    /// "I am here": an announcement on the root topic, or a nudge on our own topic.
    Announce,
    /// An encrypted offer SDP.
    Offer(String),
    /// An encrypted ICE candidate (a JSON string inside, once decrypted).
    Candidate(String),
    /// An encrypted answer SDP.
    Answer(String),
}

/// A validated incoming signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingSignal {
    /// The sender.
    pub peer: PeerId,
    /// The offer id it refers to, if any (non-empty strings only, as JS reads it).
    pub offer_id: Option<String>,
    /// Whether the sender's room is passive (`"passive": true` exactly).
    pub passive: bool,
    /// The content.
    pub body: SignalBody,
}

impl IncomingSignal {
    /// Parses a payload received as a string (topic strategies).
    pub fn parse(text: &str) -> Result<Self, SignalError> {
        let value: Value = serde_json::from_str(text).map_err(|_| SignalError::NotAnObject)?;
        Self::from_value(&value)
    }

    /// Validates a payload received as a JSON value (torrent builds one from tracker fields).
    pub fn from_value(value: &Value) -> Result<Self, SignalError> {
        let object = value.as_object().ok_or(SignalError::NotAnObject)?;
        for key in ["offer", "answer", "candidate"] {
            if object
                .get(key)
                .is_some_and(|field| field.as_str().is_none_or(str::is_empty))
            {
                return Err(SignalError::InvalidField(key));
            }
        }
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let peer = text("peerId").ok_or(SignalError::MissingPeerId)?;
        let peer = PeerId::parse(&peer)?;
        let body = match (text("offer"), text("candidate"), text("answer")) {
            (Some(offer), _, _) => SignalBody::Offer(offer),
            (None, Some(candidate), _) => SignalBody::Candidate(candidate),
            (None, None, Some(answer)) => SignalBody::Answer(answer),
            (None, None, None) => SignalBody::Announce,
        };
        Ok(Self {
            peer,
            offer_id: text("offerId"),
            passive: object.get("passive") == Some(&Value::Bool(true)),
            body,
        })
    }
}

/// A signal to send, with the exact key order of Trystero JS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutgoingSignal {
    /// `{"peerId":S}` (+ `"passive":true`): an announcement on the root topic, or the nudge a
    /// higher id sends to a lower one's topic.
    Announce {
        /// Our id.
        peer: PeerId,
        /// Whether our room is passive.
        passive: bool,
    },
    /// `{"peerId":S,"offerId":O,"offer":ENC}` (+ passive).
    Offer {
        /// Our id.
        peer: PeerId,
        /// The offer id (12 characters).
        offer_id: String,
        /// The encrypted offer SDP.
        offer: String,
        /// Whether our room is passive.
        passive: bool,
    },
    /// The offerer's trickled candidate: `{"peerId":S,"offerId":O,"candidate":ENC}` (+ passive).
    OffererCandidate {
        /// Our id.
        peer: PeerId,
        /// The offer id.
        offer_id: String,
        /// The encrypted candidate JSON.
        candidate: String,
        /// Whether our room is passive.
        passive: bool,
    },
    /// `{"peerId":S,"answer":ENC,"offerId":O}`, `offerId` only if the offer had one (+ passive).
    Answer {
        /// Our id.
        peer: PeerId,
        /// The encrypted answer SDP.
        answer: String,
        /// The offer id being answered.
        offer_id: Option<String>,
        /// Whether our room is passive.
        passive: bool,
    },
    /// The answerer's trickled candidate: `{"peerId":S,"candidate":ENC,"offerId":O}` (+ passive).
    AnswererCandidate {
        /// Our id.
        peer: PeerId,
        /// The encrypted candidate JSON.
        candidate: String,
        /// The offer id being answered.
        offer_id: Option<String>,
        /// Whether our room is passive.
        passive: bool,
    },
}

impl OutgoingSignal {
    /// The JSON text, byte-identical to `JSON.stringify` of the JS object.
    pub fn to_json(&self) -> String {
        Value::Object(self.to_object()).to_string()
    }

    /// The JSON object, keys in JS order (`serde_json` is built with `preserve_order`).
    pub fn to_object(&self) -> Map<String, Value> {
        let text = |value: &str| Value::String(value.to_owned());
        let (peer, fields, passive): (&PeerId, Vec<(&str, Value)>, bool) = match self {
            Self::Announce { peer, passive } => (peer, Vec::new(), *passive),
            Self::Offer {
                peer,
                offer_id,
                offer,
                passive,
            } => (
                peer,
                vec![("offerId", text(offer_id)), ("offer", text(offer))],
                *passive,
            ),
            Self::OffererCandidate {
                peer,
                offer_id,
                candidate,
                passive,
            } => (
                peer,
                vec![("offerId", text(offer_id)), ("candidate", text(candidate))],
                *passive,
            ),
            Self::Answer {
                peer,
                answer,
                offer_id,
                passive,
            } => {
                let mut fields = vec![("answer", text(answer))];
                fields.extend(offer_id.as_deref().map(|id| ("offerId", text(id))));
                (peer, fields, *passive)
            }
            Self::AnswererCandidate {
                peer,
                candidate,
                offer_id,
                passive,
            } => {
                let mut fields = vec![("candidate", text(candidate))];
                fields.extend(offer_id.as_deref().map(|id| ("offerId", text(id))));
                (peer, fields, *passive)
            }
        };
        let mut object = Map::new();
        object.insert("peerId".to_owned(), text(peer.as_str()));
        for (key, value) in fields {
            object.insert(key.to_owned(), value);
        }
        if passive {
            object.insert("passive".to_owned(), Value::Bool(true));
        }
        object
    }
}

/// An ICE candidate as it travels inside an encrypted `candidate` signal: the JSON of
/// `RTCIceCandidate.toJSON()` (protocol §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IceCandidate {
    /// The candidate line, `candidate:…` (without a leading `a=`).
    pub candidate: String,
    /// The media id, `"0"` for the data channel.
    #[serde(rename = "sdpMid")]
    pub sdp_mid: Option<String>,
    /// The m-line index, 0 for the data channel.
    #[serde(rename = "sdpMLineIndex")]
    pub sdp_m_line_index: Option<u16>,
    /// The ICE username fragment.
    #[serde(rename = "usernameFragment")]
    pub username_fragment: Option<String>,
}

impl IceCandidate {
    /// The browser form, which Rust senders emit:
    /// `{"candidate":"candidate:…","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"…"}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads both the browser form and node-datachannel's (`a=` prefix, nulls). Returns `None`
    /// for an empty candidate (end of gathering), which receivers ignore.
    pub fn parse(text: &str) -> Result<Option<Self>, SignalError> {
        let value: Value = serde_json::from_str(text).map_err(|_| SignalError::NotAnObject)?;
        let object = value.as_object().ok_or(SignalError::NotAnObject)?;
        let string = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let Some(line) = string("candidate") else {
            return Err(SignalError::InvalidField("candidate"));
        };
        let line = line.trim();
        let line = line.strip_prefix("a=").unwrap_or(line).trim().to_owned();
        if line.is_empty() {
            return Ok(None);
        }
        // An SDP candidate attribute, in either form; anything else no transport could apply.
        if !line.starts_with("candidate:") {
            return Err(SignalError::InvalidField("candidate"));
        }
        Ok(Some(Self {
            candidate: line,
            sdp_mid: string("sdpMid"),
            sdp_m_line_index: object
                .get("sdpMLineIndex")
                .and_then(Value::as_u64)
                .and_then(|index| u16::try_from(index).ok()),
            username_fragment: string("usernameFragment"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> PeerId {
        PeerId::parse("skwDUFD6qrm1B4WvfkwH").unwrap()
    }

    #[test]
    fn outgoing_key_order_matches_js() {
        let announce = OutgoingSignal::Announce {
            peer: me(),
            passive: false,
        };
        assert_eq!(announce.to_json(), r#"{"peerId":"skwDUFD6qrm1B4WvfkwH"}"#);
        let passive = OutgoingSignal::Announce {
            peer: me(),
            passive: true,
        };
        assert_eq!(
            passive.to_json(),
            r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","passive":true}"#
        );
        let offer = OutgoingSignal::Offer {
            peer: me(),
            offer_id: "abcdefghijkl".into(),
            offer: "ENC".into(),
            passive: false,
        };
        assert_eq!(
            offer.to_json(),
            r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","offerId":"abcdefghijkl","offer":"ENC"}"#
        );
        let candidate = OutgoingSignal::OffererCandidate {
            peer: me(),
            offer_id: "abcdefghijkl".into(),
            candidate: "C".into(),
            passive: true,
        };
        assert_eq!(
            candidate.to_json(),
            r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","offerId":"abcdefghijkl","candidate":"C","passive":true}"#
        );
        let answer = OutgoingSignal::Answer {
            peer: me(),
            answer: "A".into(),
            offer_id: Some("abcdefghijkl".into()),
            passive: false,
        };
        assert_eq!(
            answer.to_json(),
            r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","answer":"A","offerId":"abcdefghijkl"}"#
        );
        let answer_candidate = OutgoingSignal::AnswererCandidate {
            peer: me(),
            candidate: "C".into(),
            offer_id: None,
            passive: false,
        };
        assert_eq!(
            answer_candidate.to_json(),
            r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","candidate":"C"}"#
        );
    }

    #[test]
    fn incoming_signals_round_trip() {
        let offer = OutgoingSignal::Offer {
            peer: me(),
            offer_id: "abcdefghijkl".into(),
            offer: "ENC".into(),
            passive: true,
        };
        assert_eq!(
            IncomingSignal::parse(&offer.to_json()).unwrap(),
            IncomingSignal {
                peer: me(),
                offer_id: Some("abcdefghijkl".into()),
                passive: true,
                body: SignalBody::Offer("ENC".into()),
            }
        );
        let announce = IncomingSignal::parse(r#"{"peerId":"skwDUFD6qrm1B4WvfkwH"}"#).unwrap();
        assert_eq!(announce.body, SignalBody::Announce);
        assert_eq!(announce.offer_id, None);
        assert!(!announce.passive);
    }

    #[test]
    fn receiver_rules_of_section_3_2() {
        use SignalError::*;
        let parse = IncomingSignal::parse;
        assert_eq!(parse("[1]"), Err(NotAnObject));
        assert_eq!(parse("not json"), Err(NotAnObject));
        assert_eq!(parse(r#"{"offer":"x"}"#), Err(MissingPeerId));
        assert_eq!(parse(r#"{"peerId":""}"#), Err(MissingPeerId));
        assert_eq!(
            parse(r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","offer":""}"#),
            Err(InvalidField("offer"))
        );
        assert_eq!(
            parse(r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","candidate":3}"#),
            Err(InvalidField("candidate"))
        );
        assert!(matches!(
            parse(r#"{"peerId":"not-an-id"}"#),
            Err(InvalidPeerId(_))
        ));
        // "passive" counts only as literal true; an empty offerId is absent.
        let signal =
            parse(r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","passive":"yes","offerId":""}"#).unwrap();
        assert!(!signal.passive);
        assert_eq!(signal.offer_id, None);
        // Offer wins over candidate, which wins over answer.
        let signal =
            parse(r#"{"peerId":"skwDUFD6qrm1B4WvfkwH","answer":"a","candidate":"c"}"#).unwrap();
        assert_eq!(signal.body, SignalBody::Candidate("c".into()));
    }

    #[test]
    fn candidates_in_both_forms() {
        let browser = r#"{"candidate":"candidate:1 1 UDP 2122252543 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}"#;
        let parsed = IceCandidate::parse(browser).unwrap().unwrap();
        assert_eq!(parsed.to_json(), browser, "the browser form round-trips");
        let node = r#"{"candidate":"a=candidate:2 1 UDP 1 127.0.0.1 5001 typ host","sdpMLineIndex":null,"sdpMid":"0","usernameFragment":null}"#;
        let parsed = IceCandidate::parse(node).unwrap().unwrap();
        assert_eq!(
            parsed.candidate,
            "candidate:2 1 UDP 1 127.0.0.1 5001 typ host"
        );
        assert_eq!(parsed.sdp_m_line_index, None);
        assert_eq!(parsed.username_fragment, None);
        assert_eq!(IceCandidate::parse(r#"{"candidate":""}"#), Ok(None));
        assert!(IceCandidate::parse("{}").is_err());
        // Found by the `signal` fuzz target: space before `a=` kept the prefix (and reading our
        // own JSON back gave another candidate).
        let spaced = r#"{"candidate":" a=candidate:2 1 UDP 1 127.0.0.1 5001 typ host"}"#;
        let parsed = IceCandidate::parse(spaced).unwrap().unwrap();
        assert_eq!(
            parsed.candidate,
            "candidate:2 1 UDP 1 127.0.0.1 5001 typ host"
        );
        assert_eq!(IceCandidate::parse(&parsed.to_json()), Ok(Some(parsed)));
        // Also from the fuzzer: `a=a=…` lost one prefix per reading. Not a candidate at all.
        for line in ["a=a=candidate:1", "ost", "a=ost"] {
            let json = format!(r#"{{"candidate":"{line}"}}"#);
            assert_eq!(
                IceCandidate::parse(&json),
                Err(SignalError::InvalidField("candidate")),
                "{line}"
            );
        }
    }
}

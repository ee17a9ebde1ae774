//! Payload kinds and values (protocol §6.2, "payload encoding").
//!
//! | kind | bytes | flags on every chunk |
//! |---|---|---|
//! | text | UTF-8 | none |
//! | binary | raw | `0x04 | 0x08` (JS sets JSON too; receivers test binary first) |
//! | JSON | UTF-8 of the JSON text | `0x08` |

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::chunk::ChunkFlags;

/// A received payload is not what its flags say.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// A text payload is not UTF-8.
    #[error("text payload is not valid UTF-8: {0}")]
    InvalidUtf8(#[from] std::string::FromUtf8Error),
    /// A JSON payload (or metadata) is not valid JSON, or not the expected shape.
    #[error("payload is not valid JSON: {0}")]
    InvalidJson(#[from] serde_json::Error),
    /// The payload is of another kind than the receiver expects.
    #[error("expected a {expected:?} payload, got {found:?}")]
    WrongKind {
        /// What the receiver expects.
        expected: PayloadKind,
        /// What arrived.
        found: PayloadKind,
    },
}

/// What a transmission's bytes mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadKind {
    /// A UTF-8 string (JS `string`).
    Text,
    /// JSON text (JS numbers, booleans, null, objects, arrays).
    Json,
    /// Raw bytes (JS `Uint8Array`, `ArrayBuffer`, `Blob`).
    Binary,
}

impl PayloadKind {
    /// The flags every chunk of this kind carries.
    pub const fn flags(self) -> ChunkFlags {
        match self {
            Self::Text => ChunkFlags::from_bits(0),
            Self::Json => ChunkFlags::JSON,
            Self::Binary => {
                ChunkFlags::from_bits(ChunkFlags::BINARY.bits() | ChunkFlags::JSON.bits())
            }
        }
    }

    /// The kind a receiver reads from the flags: binary first, then JSON, else text.
    pub const fn from_flags(flags: ChunkFlags) -> Self {
        if flags.contains(ChunkFlags::BINARY) {
            Self::Binary
        } else if flags.contains(ChunkFlags::JSON) {
            Self::Json
        } else {
            Self::Text
        }
    }
}

/// Validated JSON text, kept exactly as it was written (key order and spacing included), so
/// what a Rust peer sends is byte-identical to what JS's `JSON.stringify` would send for the
/// same serialization.
#[derive(Clone)]
pub struct JsonText(Box<RawValue>);

impl JsonText {
    /// Serializes `value`.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, PayloadError> {
        Ok(Self(serde_json::value::to_raw_value(value)?))
    }

    /// Validates `text` as one JSON value.
    pub fn parse(text: impl Into<String>) -> Result<Self, PayloadError> {
        Ok(Self(RawValue::from_string(text.into())?))
    }

    /// Validates bytes as UTF-8 JSON, without copying them.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, PayloadError> {
        Self::parse(String::from_utf8(bytes)?)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.0.get().len()
    }

    /// Whether the text is empty (never, for valid JSON).
    pub fn is_empty(&self) -> bool {
        self.0.get().is_empty()
    }

    /// Deserializes the text into `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        Ok(serde_json::from_str(self.0.get())?)
    }

    /// The borrowed raw value, for serde.
    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }
}

/// Serializes as the JSON it holds, verbatim.
impl Serialize for JsonText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl PartialEq for JsonText {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for JsonText {}

impl fmt::Debug for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonText({})", self.get())
    }
}

impl fmt::Display for JsonText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

/// A payload value, as sent or received.
///
/// Two JSON payloads are equal when their texts are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A string.
    Text(String),
    /// Validated JSON text, kept exactly as sent.
    Json(JsonText),
    /// Raw bytes.
    Binary(Vec<u8>),
}

impl Payload {
    /// Serializes `value` as a JSON payload.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, PayloadError> {
        Ok(Self::Json(JsonText::from_value(value)?))
    }

    /// Validates `bytes` against `kind` without copying them.
    pub fn decode(kind: PayloadKind, bytes: Vec<u8>) -> Result<Self, PayloadError> {
        Ok(match kind {
            PayloadKind::Binary => Self::Binary(bytes),
            PayloadKind::Text => Self::Text(String::from_utf8(bytes)?),
            PayloadKind::Json => Self::Json(JsonText::from_bytes(bytes)?),
        })
    }

    /// The payload's kind.
    pub fn kind(&self) -> PayloadKind {
        match self {
            Self::Text(_) => PayloadKind::Text,
            Self::Json(_) => PayloadKind::Json,
            Self::Binary(_) => PayloadKind::Binary,
        }
    }

    /// The bytes that go on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Json(json) => json.get().as_bytes(),
            Self::Binary(bytes) => bytes,
        }
    }

    /// The payload's bytes, without copying (hand them to
    /// [`Reassembler::recycle`](super::Reassembler::recycle) when done to reuse the buffer).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::Text(text) => text.into_bytes(),
            Self::Json(json) => Box::<str>::from(json.0).into_string().into_bytes(),
            Self::Binary(bytes) => bytes,
        }
    }

    /// Deserializes a JSON payload into `T`; a text payload is read as a JSON string and a
    /// binary one as an array of numbers, as JS would hand them to a JSON consumer.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        Ok(match self {
            Self::Json(json) => json.deserialize()?,
            Self::Text(text) => T::deserialize(serde_json::Value::String(text.clone()))?,
            Self::Binary(bytes) => serde_json::from_value(serde_json::to_value(bytes)?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_match_the_spec() {
        assert_eq!(PayloadKind::Text.flags().bits(), 0x00);
        assert_eq!(PayloadKind::Json.flags().bits(), 0x08);
        assert_eq!(PayloadKind::Binary.flags().bits(), 0x0c);
        for kind in [PayloadKind::Text, PayloadKind::Json, PayloadKind::Binary] {
            assert_eq!(PayloadKind::from_flags(kind.flags()), kind);
            assert_eq!(
                PayloadKind::from_flags(kind.flags() | ChunkFlags::LAST | ChunkFlags::META),
                kind
            );
        }
        // Binary alone (no JSON bit) is still binary.
        assert_eq!(
            PayloadKind::from_flags(ChunkFlags::BINARY),
            PayloadKind::Binary
        );
    }

    #[test]
    fn decode_validates_per_kind() {
        assert_eq!(
            Payload::decode(PayloadKind::Binary, vec![0xff]).unwrap(),
            Payload::Binary(vec![0xff])
        );
        assert!(matches!(
            Payload::decode(PayloadKind::Text, vec![0xff]),
            Err(PayloadError::InvalidUtf8(_))
        ));
        assert!(matches!(
            Payload::decode(PayloadKind::Json, b"{nope".to_vec()),
            Err(PayloadError::InvalidJson(_))
        ));
        let json = Payload::decode(PayloadKind::Json, br#"{"n":1}"#.to_vec()).unwrap();
        assert_eq!(json.as_bytes(), br#"{"n":1}"#);
        assert_eq!(
            json.deserialize::<serde_json::Value>().unwrap(),
            serde_json::json!({"n": 1})
        );
    }

    #[test]
    fn json_keeps_serialization_order() {
        #[derive(Serialize)]
        struct Hello {
            hello: &'static str,
            n: u32,
        }
        let payload = Payload::json(&Hello { hello: "B", n: 1 }).unwrap();
        assert_eq!(payload.as_bytes(), br#"{"hello":"B","n":1}"#);
        assert_eq!(payload.kind(), PayloadKind::Json);
    }
}

//! AES-256-GCM for session descriptions on relays (protocol §2).
//!
//! - key: `SHA-256(password + ":" + appId + ":" + roomId)` (empty password by default);
//! - IV: 16 random bytes (GCM with a 128-bit nonce, so J0 = GHASH(IV)); tag: 128 bits, appended;
//!   no associated data;
//! - wire string: the IV bytes in decimal joined by `,`, then `$`, then standard base64 (padded)
//!   of ciphertext ‖ tag.

use std::fmt;

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::Aes256;
use aes_gcm::{AesGcm, Nonce};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use ring::digest;
use trystero_core::random::{OsRandom, RandomError, RandomSource};
use trystero_core::{AppId, RoomId};

/// AES-256-GCM with Trystero's 16-byte IV.
type Cipher = AesGcm<Aes256, U16>;

/// IV length in bytes.
pub const IV_LEN: usize = 16;

/// Standard alphabet, padded output; input accepted with or without padding and with trailing
/// bits, as the browser's forgiving `atob` accepts it.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Encryption failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncryptError {
    /// No random IV could be drawn.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The plaintext is too long for AES-GCM (over 64 GiB).
    #[error("the plaintext is too long for AES-GCM")]
    TooLong,
}

/// A wire string could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptError {
    /// There is no `$` between the IV and the ciphertext.
    #[error("encrypted string has no '$' separator")]
    MissingSeparator,
    /// The IV part is not 16 comma-separated decimal bytes.
    #[error("the IV must be 16 comma-separated numbers from 0 to 255")]
    MalformedIv,
    /// The ciphertext part is not base64.
    #[error("the ciphertext is not valid base64")]
    Base64,
    /// Authentication failed: the password (key) is wrong or the message was altered.
    #[error("decryption failed: wrong room password or corrupted message")]
    Authentication,
    /// The decrypted bytes are not UTF-8.
    #[error("the decrypted text is not valid UTF-8")]
    InvalidUtf8,
}

/// The raw AES-256 key: `SHA-256(password + ":" + appId + ":" + roomId)`.
pub fn sdp_key_bytes(password: &str, app: &AppId, room: &RoomId) -> [u8; 32] {
    let hash = digest::digest(
        &digest::SHA256,
        format!("{password}:{app}:{room}").as_bytes(),
    );
    let mut key = [0u8; 32];
    key.copy_from_slice(hash.as_ref());
    key
}

/// The AES-256-GCM key of a room, derived from its password, app id and room id.
#[derive(Clone)]
pub struct SdpKey {
    cipher: Cipher,
}

impl fmt::Debug for SdpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SdpKey(..)")
    }
}

impl SdpKey {
    /// Derives the key: `SHA-256(password + ":" + appId + ":" + roomId)`. Pass `""` for no
    /// password.
    pub fn derive(password: &str, app: &AppId, room: &RoomId) -> Self {
        Self::from_bytes(sdp_key_bytes(password, app, room))
    }

    /// A key from its 32 raw bytes.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self {
            cipher: Cipher::new(&key.into()),
        }
    }

    /// Encrypts `plaintext` with a fresh IV from the operating system's CSPRNG.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, EncryptError> {
        self.encrypt_with(&mut OsRandom, plaintext)
    }

    /// Encrypts `plaintext` with an IV drawn from `random`.
    pub fn encrypt_with(
        &self,
        random: &mut impl RandomSource,
        plaintext: &str,
    ) -> Result<String, EncryptError> {
        let mut iv = [0u8; IV_LEN];
        random.fill_bytes(&mut iv)?;
        self.encrypt_with_iv(iv, plaintext)
    }

    /// Encrypts with a caller-chosen IV. An IV must never be reused with the same key: use this
    /// only for test vectors.
    pub fn encrypt_with_iv(
        &self,
        iv: [u8; IV_LEN],
        plaintext: &str,
    ) -> Result<String, EncryptError> {
        let sealed = self
            .cipher
            .encrypt(&Nonce::<U16>::from(iv), plaintext.as_bytes())
            .map_err(|_| EncryptError::TooLong)?;
        let mut out = String::with_capacity(IV_LEN * 4 + sealed.len().div_ceil(3) * 4);
        for (index, byte) in iv.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str(&byte.to_string());
        }
        out.push('$');
        BASE64.encode_string(&sealed, &mut out);
        Ok(out)
    }

    /// Decrypts a wire string. A wrong password is [`DecryptError::Authentication`].
    pub fn decrypt(&self, wire: &str) -> Result<String, DecryptError> {
        let (iv_text, sealed_text) = wire.split_once('$').ok_or(DecryptError::MissingSeparator)?;
        let mut iv = [0u8; IV_LEN];
        let mut parts = iv_text.split(',');
        for slot in &mut iv {
            *slot = parts
                .next()
                .and_then(|part| part.trim().parse::<u8>().ok())
                .ok_or(DecryptError::MalformedIv)?;
        }
        if parts.next().is_some() {
            return Err(DecryptError::MalformedIv);
        }
        let compact: String = sealed_text
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let sealed = BASE64.decode(compact).map_err(|_| DecryptError::Base64)?;
        let plaintext = self
            .cipher
            .decrypt(&Nonce::<U16>::from(iv), sealed.as_slice())
            .map_err(|_| DecryptError::Authentication)?;
        String::from_utf8(plaintext).map_err(|_| DecryptError::InvalidUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trystero_core::SeededRandom;

    fn key(password: &str) -> SdpKey {
        SdpKey::derive(
            password,
            &AppId::new("trystero-rust-test").unwrap(),
            &RoomId::new("room1").unwrap(),
        )
    }

    #[test]
    fn round_trips_with_random_ivs() {
        let key = key("");
        let mut random = SeededRandom::new(3);
        let a = key.encrypt_with(&mut random, "v=0\r\n").unwrap();
        let b = key.encrypt_with(&mut random, "v=0\r\n").unwrap();
        assert_ne!(a, b, "fresh IV each time");
        assert_eq!(key.decrypt(&a).unwrap(), "v=0\r\n");
        assert_eq!(key.decrypt(&key.encrypt("").unwrap()).unwrap(), "");
    }

    #[test]
    fn malformed_strings_are_typed_errors() {
        let key = key("");
        let good = key.encrypt_with_iv([1; 16], "x").unwrap();
        let (iv, sealed) = good.split_once('$').unwrap();
        assert_eq!(
            key.decrypt("no separator"),
            Err(DecryptError::MissingSeparator)
        );
        assert_eq!(
            key.decrypt(&format!("1,2,3${sealed}")),
            Err(DecryptError::MalformedIv)
        );
        assert_eq!(
            key.decrypt(&format!("{iv},1${sealed}")),
            Err(DecryptError::MalformedIv)
        );
        assert_eq!(
            key.decrypt(&format!("{}${sealed}", iv.replacen('1', "256", 1))),
            Err(DecryptError::MalformedIv)
        );
        assert_eq!(
            key.decrypt(&format!("{iv}$*not base64*")),
            Err(DecryptError::Base64)
        );
        assert_eq!(
            key.decrypt(&format!("{iv}$")),
            Err(DecryptError::Authentication)
        );
    }

    #[test]
    fn unpadded_base64_is_accepted_like_atob() {
        let key = key("");
        let good = key.encrypt_with_iv([9; 16], "hell").unwrap();
        assert!(
            good.ends_with('='),
            "20 bytes of ciphertext+tag need padding"
        );
        assert_eq!(key.decrypt(good.trim_end_matches('=')).unwrap(), "hell");
    }
}

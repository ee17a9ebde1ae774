//! The hardened password ([`PasswordMode::Hardened`], opt-in, trystero-rs peers only).
//!
//! Trystero derives the room's AES-GCM key from the password with one SHA-256: a relay sees the
//! encrypted offers, so whoever records one can try a dictionary of passwords at billions a
//! second. In the hardened mode the password is first stretched with Argon2id — 19 MiB and two
//! passes (OWASP's minimum), salted by the app id — and the result, as hex, is what Trystero's
//! derivation (key, topics are not touched, password challenge) then uses. A guess then costs
//! tens of milliseconds and 19 MiB of memory. The price: Trystero JS cannot derive it, so JS
//! peers see a wrong password; and each join spends that time once.

use std::borrow::Cow;

use argon2::{Algorithm, Argon2, Params, Version};
use trystero_core::{AppId, PasswordMode, RoomConfig};

/// Argon2id's memory, KiB.
pub const MEMORY_KIB: u32 = 19_456;
/// Argon2id's passes.
pub const PASSES: u32 = 2;
/// The salt's domain (its first 16 bytes of SHA-256 with the app id are the salt).
const DOMAIN: &[u8] = b"trystero-rs hardened password v1\0";

/// Why the password could not be hardened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hardening the password failed: {0}")]
pub struct HardenError(pub String);

/// The password the room's keys derive from: the configured one, or in the hardened mode its
/// Argon2id stretch (an empty password stays empty: no password).
pub fn room_password(config: &RoomConfig) -> Result<Cow<'_, str>, HardenError> {
    match config.password_mode() {
        PasswordMode::Hardened if config.has_password() => {
            harden(config.app_id(), config.password()).map(Cow::Owned)
        }
        _ => Ok(Cow::Borrowed(config.password())),
    }
}

/// `password` stretched with Argon2id for `app`, as 64 hex digits.
pub fn harden(app: &AppId, password: &str) -> Result<String, HardenError> {
    let mut salted = DOMAIN.to_vec();
    salted.extend_from_slice(app.as_str().as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &salted);
    let salt = &digest.as_ref()[..16];
    let params = Params::new(MEMORY_KIB, PASSES, 1, Some(32))
        .map_err(|error| HardenError(error.to_string()))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|error| HardenError(error.to_string()))?;
    Ok(out.iter().map(|byte| format!("{byte:02x}")).collect())
}

//! The hardened password: Argon2id over the password, salted by the app id.

use trystero_core::{AppId, PasswordMode, RoomConfig};
use trystero_crypto::{harden, room_password};

#[test]
fn the_hardened_password_is_argon2id_salted_by_the_app() {
    let app = AppId::new("trystero-test").unwrap();
    let hardened = harden(&app, "hunter2").unwrap();
    assert_eq!(hardened.len(), 64);
    // Pinned against the reference implementation: the same on every machine, and in every
    // version that calls itself v1.
    assert_eq!(hardened, PINNED);
    assert_eq!(harden(&app, "hunter2").unwrap(), hardened, "deterministic");
    assert_ne!(harden(&app, "hunter3").unwrap(), hardened);
    let other = AppId::new("another-app").unwrap();
    assert_ne!(
        harden(&other, "hunter2").unwrap(),
        hardened,
        "salted by the app"
    );
}

#[test]
fn only_the_hardened_mode_with_a_password_is_stretched() {
    let plain = RoomConfig::builder("trystero-test")
        .password("hunter2")
        .build()
        .unwrap();
    assert_eq!(room_password(&plain).unwrap(), "hunter2");
    let hardened = RoomConfig::builder("trystero-test")
        .password("hunter2")
        .password_mode(PasswordMode::Hardened)
        .build()
        .unwrap();
    assert_eq!(room_password(&hardened).unwrap(), PINNED);
    let open = RoomConfig::builder("trystero-test")
        .password_mode(PasswordMode::Hardened)
        .build()
        .unwrap();
    assert_eq!(room_password(&open).unwrap(), "", "no password stays none");
}

/// Computed independently with the reference implementation (PyPI argon2-cffi 25:
/// `hash_secret_raw(b"hunter2", sha256(b"trystero-rs hardened password v1\0" +
/// b"trystero-test")[:16], time_cost=2, memory_cost=19456, parallelism=1, hash_len=32,
/// type=Type.ID, version=19).hex()`).
const PINNED: &str = "1feb610cd71cc07f7d51b7f0fce99d314367b1e225fde06ea89399d26c64247d";

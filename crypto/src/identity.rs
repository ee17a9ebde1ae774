//! [`Ed25519Identity`] and [`Ed25519Verifier`]: the real adapter of core's identity port
//! (`ring`'s Ed25519), for signatures that must hold against forgery (match results).

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use trystero_core::identity::{Identity, PublicKey, Signature, Verifier};
use trystero_core::random::{OsRandom, RandomError, RandomSource};

/// A player's Ed25519 key pair. Its `Debug` shows the public key only.
pub struct Ed25519Identity {
    pair: Ed25519KeyPair,
    seed: [u8; 32],
}

impl std::fmt::Debug for Ed25519Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Identity")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl Ed25519Identity {
    /// A fresh identity from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, RandomError> {
        let mut seed = [0u8; 32];
        OsRandom.fill_bytes(&mut seed)?;
        Ok(Self::from_seed(seed))
    }

    /// The identity of this 32-byte secret seed (what a player keeps to stay the same player).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        // Any 32 bytes are a valid Ed25519 seed.
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
            .unwrap_or_else(|_| unreachable!("every 32-byte seed is a valid Ed25519 key"));
        Self { pair, seed }
    }

    /// The secret seed, to store and restore the identity. Keep it private.
    pub fn seed(&self) -> [u8; 32] {
        self.seed
    }
}

impl Identity for Ed25519Identity {
    fn public_key(&self) -> PublicKey {
        let mut key = [0u8; 32];
        key.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(key)
    }

    fn sign(&self, message: &[u8]) -> Signature {
        let mut signature = [0u8; 64];
        signature.copy_from_slice(self.pair.sign(message).as_ref());
        Signature(signature)
    }
}

/// Verifies Ed25519 signatures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ed25519Verifier;

impl Verifier for Ed25519Verifier {
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &Signature) -> bool {
        UnparsedPublicKey::new(&ED25519, key.0)
            .verify(message, &signature.0)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_for_their_key_and_message_only() {
        let alice = Ed25519Identity::from_seed([1; 32]);
        let bob = Ed25519Identity::generate().unwrap();
        let signature = alice.sign(b"result");
        assert!(Ed25519Verifier.verify(&alice.public_key(), b"result", &signature));
        assert!(!Ed25519Verifier.verify(&bob.public_key(), b"result", &signature));
        assert!(!Ed25519Verifier.verify(&alice.public_key(), b"resulT", &signature));
        let mut forged = signature;
        forged.0[0] ^= 1;
        assert!(!Ed25519Verifier.verify(&alice.public_key(), b"result", &forged));
        // The seed restores the same player.
        let again = Ed25519Identity::from_seed(alice.seed());
        assert_eq!(again.public_key(), alice.public_key());
        assert!(!format!("{alice:?}").contains(&format!("{:?}", alice.seed())));
    }

    #[test]
    fn rfc_8032_test_vector_1() {
        // RFC 8032 §7.1, TEST 1: the empty message.
        let seed: [u8; 32] =
            hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let identity = Ed25519Identity::from_seed(seed);
        let key: [u8; 32] = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assert_eq!(identity.public_key(), PublicKey(key));
        let expected: [u8; 64] = hex(concat!(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155",
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ));
        assert_eq!(identity.sign(b""), Signature(expected));
    }

    fn hex<const N: usize>(text: &str) -> [u8; N] {
        let mut out = [0u8; N];
        for (slot, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
            *slot = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
        }
        out
    }
}

//! A fast, deterministic checksum for game states (not cryptographic: it only has to notice
//! that two peers' states differ).

const K: [u64; 4] = [
    0x9E37_79B9_7F4A_7C15,
    0xC2B2_AE3D_27D4_EB4F,
    0x1656_67B1_9E37_79F9,
    0x85EB_CA77_C2B2_AE63,
];

/// The checksum of 64-bit words: four independent lanes (so it runs near memory speed),
/// mixed at the end. The same words give the same value on every platform, wasm32 included.
pub fn checksum_words(words: &[u64]) -> u64 {
    let mut lanes = K;
    let mut chunks = words.chunks_exact(4);
    for chunk in &mut chunks {
        for lane in 0..4 {
            lanes[lane] = (lanes[lane] ^ chunk[lane])
                .wrapping_mul(K[(lane + 1) % 4])
                .rotate_left(29);
        }
    }
    let mut hash = (words.len() as u64).wrapping_mul(K[2]);
    for (index, word) in chunks.remainder().iter().enumerate() {
        hash = (hash ^ word.wrapping_mul(K[index])).rotate_left(27);
    }
    for lane in lanes {
        hash = (hash ^ lane).wrapping_mul(K[0]).rotate_left(31);
    }
    hash ^ (hash >> 29)
}

/// The checksum of bytes (little-endian words, zero-padded).
pub fn checksum_bytes(bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks(8).map(|chunk| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(word)
    });
    let mut lanes = K;
    let mut count = 0u64;
    loop {
        let mut block = [0u64; 4];
        let mut filled = 0;
        for slot in &mut block {
            match words.next() {
                Some(word) => {
                    *slot = word;
                    filled += 1;
                }
                None => break,
            }
        }
        count += filled;
        for lane in 0..4 {
            lanes[lane] = (lanes[lane] ^ block[lane])
                .wrapping_mul(K[(lane + 1) % 4])
                .rotate_left(29);
        }
        if filled < 4 {
            break;
        }
    }
    let mut hash = (bytes.len() as u64 ^ count).wrapping_mul(K[2]);
    for lane in lanes {
        hash = (hash ^ lane).wrapping_mul(K[0]).rotate_left(31);
    }
    hash ^ (hash >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_are_fixed_and_sensitive_to_every_word_and_length() {
        let words: Vec<u64> = (0..37).collect();
        let base = checksum_words(&words);
        // Pinned: the value must not change between versions or platforms.
        assert_eq!(base, 4_429_145_203_820_794_970);
        assert_eq!(checksum_bytes(b"trystero"), 6_186_952_311_694_950_077);
        for at in 0..words.len() {
            let mut changed = words.clone();
            changed[at] ^= 1 << (at % 64);
            assert_ne!(checksum_words(&changed), base, "word {at}");
        }
        assert_ne!(checksum_words(&words[..36]), base);
        assert_ne!(checksum_words(&[]), checksum_words(&[0]));
        let bytes: Vec<u8> = (0..=255).collect();
        assert_ne!(checksum_bytes(&bytes), checksum_bytes(&bytes[..255]));
        assert_ne!(checksum_bytes(&[0]), checksum_bytes(&[0, 0]));
    }
}

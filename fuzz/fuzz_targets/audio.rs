//! Fuzzes the sound loaders: WAV (`hound`) and Ogg Vorbis (`lewton`), chosen by magic bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_audio::clip::Clip;

fuzz_target!(|input: &[u8]| {
    if let Ok(clip) = Clip::decode(input) {
        assert!(clip.seconds().is_finite());
    }
});

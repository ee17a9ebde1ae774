//! Fuzzes the replay file reader, and plays what it accepts when it is short.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_game::Replay;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Ok(replay) = Replay::from_json(text) {
        if replay.frames <= 120 {
            let _ = replay.play();
        }
    }
});

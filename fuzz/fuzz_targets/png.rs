//! Fuzzes the PNG loader the renderer reads images and grading tables with.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trystero_render::Image;

fuzz_target!(|input: &[u8]| {
    if let Ok(image) = Image::from_png(input) {
        assert!(image.width > 0 && image.height > 0);
    }
});

//! Rendering never allocates: a counting global allocator watches the thread while the mixer
//! runs 64 moving, spatialized voices with Doppler, the filter, plays, stops and steals.

#![allow(clippy::unwrap_used, clippy::cast_precision_loss)] // test code

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use trystero_audio::{AudioEngine, Settings};
use trystero_core::audio::{Audio, Bus, Listener, Play};

struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn rendering_never_allocates_or_frees() {
    let (mut engine, mut node) = AudioEngine::offline(Settings {
        max_voices: 48,
        ..Settings::default()
    });
    let names = ["swing", "hit", "clang", "roll", "growl", "howl", "footstep"];
    let sounds: Vec<_> = names.iter().map(|n| engine.sound(n).unwrap()).collect();
    let mut out = vec![0.0f32; 1_024 * 2];
    let mut voices = Vec::new();
    // Warm up outside the watch (the first commands, the first render).
    node.render(&mut out, 2);
    let mut watched = 0;
    for block in 0..400u32 {
        let t = block as f32 * 0.02;
        // Game side: more voices than slots (steals), moves, stops; none of it allocates
        // either once `voices` has its capacity.
        if voices.len() < 64 {
            voices.reserve(64);
        }
        let sound = sounds[block as usize % sounds.len()];
        let mut play = Play::at(sound, [t.sin() * 20.0, 0.0, t.cos() * 20.0]);
        play.looping = block % 3 == 0;
        play.priority = (block % 200) as u8;
        play.velocity = [30.0, 0.0, -10.0];
        play.occlusion = (block % 5) as f32 / 5.0;
        WATCHING.with(|w| w.set(true));
        let id = engine.play(play).unwrap();
        if voices.len() < 64 {
            voices.push(id);
        }
        if let Some(first) = voices.get(block as usize % voices.len().max(1)) {
            engine
                .move_voice(*first, [t.cos() * 5.0, 0.0, t.sin() * 5.0], [0.0; 3])
                .unwrap();
        }
        if block % 7 == 0 {
            engine.stop(voices[block as usize % voices.len()]).unwrap();
        }
        engine
            .set_listener(Listener {
                velocity: [t.sin(), 0.0, 0.0],
                ..Listener::default()
            })
            .unwrap();
        engine
            .set_bus_gain(Bus::Sfx, 0.5 + 0.5 * t.sin().abs())
            .unwrap();
        node.render(&mut out, 2);
        WATCHING.with(|w| w.set(false));
        watched += 1;
    }
    assert_eq!(watched, 400);
    assert!(node.mixer().voices().count() > 30, "it was busy");
    assert_eq!(
        COUNT.with(Cell::get),
        0,
        "allocations or frees while playing and rendering"
    );
}

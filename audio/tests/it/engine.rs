//! The engine: ids, errors, silence, the queue.

use trystero_audio::{AudioEngine, QUEUE};
use trystero_core::audio::{Audio, AudioError, Bus, Play, SoundId};

use crate::{offline, plain, render};

#[test]
fn the_silent_engine_accepts_everything_and_plays_nothing() {
    let mut engine = AudioEngine::silent(48_000);
    assert!(engine.is_silent());
    let growl = engine.sound("growl").unwrap();
    let a = engine.play(Play::at(growl, [1.0, 0.0, 0.0])).unwrap();
    let b = engine.play(Play::centred(growl, Bus::Music)).unwrap();
    assert_ne!(a, b);
    engine.stop(a).unwrap();
    assert_eq!(
        engine.play(Play::centred(SoundId(999), Bus::Ui)),
        Err(AudioError::UnknownSound(999))
    );
    assert_eq!(engine.device_error(), None);
}

#[test]
fn a_full_queue_is_an_error_not_a_block() {
    let (mut engine, mut node) = offline(plain());
    let hit = engine.sound("hit").unwrap();
    for _ in 0..QUEUE {
        engine.play(Play::centred(hit, Bus::Sfx)).unwrap();
    }
    assert_eq!(
        engine.play(Play::centred(hit, Bus::Sfx)),
        Err(AudioError::QueueFull)
    );
    render(&mut node, 0.01); // drains it
    engine.play(Play::centred(hit, Bus::Sfx)).unwrap();
}

#[test]
fn a_finished_voice_frees_its_slot_and_stale_ids_are_ignored() {
    let (mut engine, mut node) = offline(plain());
    let step = engine.sound("footstep").unwrap();
    let voice = engine.play(Play::centred(step, Bus::Sfx)).unwrap();
    render(&mut node, 0.01);
    assert_eq!(node.mixer().voices().count(), 1);
    render(&mut node, 0.2); // longer than the footstep
    assert_eq!(node.mixer().voices().count(), 0);
    engine.stop(voice).unwrap();
    engine.move_voice(voice, [0.0; 3], [0.0; 3]).unwrap();
    let quiet = render(&mut node, 0.01);
    assert!(quiet.iter().all(|s| *s == 0.0));
}

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

#[test]
fn non_finite_input_never_reaches_the_output() {
    let (mut engine, mut node) = offline(trystero_audio::Settings::default());
    let howl = engine.sound("howl").unwrap();
    let mut play = Play::at(howl, [f32::NAN, 0.0, f32::INFINITY]);
    play.gain = f32::NAN;
    play.pitch = f32::INFINITY;
    play.velocity = [f32::NAN; 3];
    play.attenuation.reference = f32::NAN;
    play.occlusion = f32::NEG_INFINITY;
    let voice = engine.play(play).unwrap();
    let fine = engine.play(Play::at(howl, [1.0, 0.0, -1.0])).unwrap();
    engine
        .move_voice(fine, [f32::NAN, 1.0, 0.0], [f32::INFINITY, 0.0, 0.0])
        .unwrap();
    engine
        .set_listener(trystero_core::audio::Listener {
            forward: [f32::NAN, 0.0, 0.0],
            ..trystero_core::audio::Listener::default()
        })
        .unwrap();
    engine.set_bus_gain(Bus::Sfx, f32::NAN).unwrap();
    engine.set_bus_gain(Bus::Sfx, 1.0).unwrap();
    let out = render(&mut node, 0.5);
    assert!(
        out.iter().all(|s| s.is_finite()),
        "a NaN reached the output"
    );
    assert!(out.iter().any(|s| *s != 0.0), "the sane voice still plays");
    engine.stop(voice).unwrap();
}

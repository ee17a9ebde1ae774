//! The mixer against the formulas.

use trystero_audio::{Settings, synth};
use trystero_core::audio::{Attenuation, Audio, Bus, DistanceModel, Listener, Play};

use crate::{RATE, frequency, offline, plain, render, rms};

/// A looping 100 Hz sine of amplitude 0.5 (RMS 0.3536).
const TONE_RMS: f32 = 0.353_553_4;

fn tone(engine: &mut trystero_audio::AudioEngine, hz: f32) -> trystero_core::audio::SoundId {
    engine.add_sound(&format!("tone{hz}"), synth::tone(RATE, hz, 0.5, 1.0))
}

#[test]
fn rms_follows_each_distance_model() {
    for model in [
        DistanceModel::Inverse,
        DistanceModel::Linear,
        DistanceModel::Exponential,
    ] {
        let attenuation = Attenuation {
            model,
            reference: 2.0,
            max: 100.0,
            rolloff: if model == DistanceModel::Linear {
                0.9
            } else {
                1.5
            },
        };
        for distance in [0.5f32, 2.0, 3.0, 10.0, 40.0, 100.0, 300.0] {
            let (mut engine, mut node) = offline(plain());
            let sound = tone(&mut engine, 100.0);
            let mut play = Play::at(sound, [0.0, 0.0, -distance]); // straight ahead
            play.looping = true;
            play.attenuation = attenuation;
            engine.play(play).unwrap();
            let out = render(&mut node, 0.5);
            let steady = &out[(0.1 * RATE as f32) as usize * 2..];
            let expected = TONE_RMS * attenuation.gain(distance) * std::f32::consts::FRAC_1_SQRT_2;
            let analytic = match model {
                DistanceModel::Inverse => 2.0 / (2.0 + 1.5 * (distance.max(2.0) - 2.0)),
                DistanceModel::Linear => 1.0 - 0.9 * (distance.clamp(2.0, 100.0) - 2.0) / 98.0,
                DistanceModel::Exponential => (distance.max(2.0) / 2.0).powf(-1.5),
            };
            assert!((attenuation.gain(distance) - analytic).abs() < 1e-6);
            for channel in 0..2 {
                let got = rms(steady, channel);
                assert!(
                    (got - expected).abs() <= expected * 0.01 + 1e-5,
                    "{model:?} at {distance}: RMS {got}, expected {expected}"
                );
            }
        }
    }
}

#[test]
fn equal_power_panning_keeps_the_summed_power_constant() {
    for step in 0..24 {
        let angle = step as f32 * 15.0_f32.to_radians();
        let (mut engine, mut node) = offline(plain());
        let sound = tone(&mut engine, 100.0);
        // On a circle at the reference distance (gain 1) around the default listener.
        let mut play = Play::at(sound, [angle.sin(), 0.0, -angle.cos()]);
        play.looping = true;
        engine.play(play).unwrap();
        let out = render(&mut node, 0.3);
        let steady = &out[(0.1 * RATE as f32) as usize * 2..];
        let (left, right) = (rms(steady, 0), rms(steady, 1));
        let power = left * left + right * right;
        assert!(
            (power - TONE_RMS * TONE_RMS).abs() < TONE_RMS * TONE_RMS * 0.01,
            "{}°: L {left} R {right}",
            step * 15
        );
    }
}

#[test]
fn a_voice_on_the_listeners_right_is_louder_in_the_right_channel() {
    let (mut engine, mut node) = offline(plain());
    let sound = tone(&mut engine, 100.0);
    let mut play = Play::at(sound, [3.0, 0.0, 0.0]);
    play.looping = true;
    play.attenuation.reference = 5.0;
    engine.play(play).unwrap();
    let out = render(&mut node, 0.3);
    let (left, right) = (rms(&out[9_600..], 0), rms(&out[9_600..], 1));
    assert!(
        left < 1e-4 && (right - TONE_RMS).abs() < TONE_RMS * 0.01,
        "L {left} R {right}"
    );

    // The top-down listener: facing up the screen, larger x is on the right; turned to face
    // down the screen, it is on the left.
    let (mut engine, mut node) = offline(plain());
    let sound = tone(&mut engine, 100.0);
    engine
        .set_listener(Listener::top_down(100.0, 100.0, [0.0, -1.0]))
        .unwrap();
    let mut play = Play::at(sound, [140.0, 100.0, 0.0]);
    play.looping = true;
    play.attenuation.reference = 50.0;
    let voice = engine.play(play).unwrap();
    let facing_up = render(&mut node, 0.3);
    assert!(rms(&facing_up[9_600..], 1) > 10.0 * rms(&facing_up[9_600..], 0));
    engine
        .set_listener(Listener::top_down(100.0, 100.0, [0.0, 1.0]))
        .unwrap();
    let facing_down = render(&mut node, 0.3);
    assert!(rms(&facing_down[9_600..], 0) > 10.0 * rms(&facing_down[9_600..], 1));
    engine.stop(voice).unwrap();
}

#[test]
fn doppler_shifts_pitch_by_the_expected_ratio() {
    let c = 343.0f32;
    let cases = [
        // (source velocity, listener velocity, expected ratio); the source is 50 ahead (−z).
        ([0.0, 0.0, 34.3], [0.0; 3], c / (c - 34.3)), // approaching
        ([0.0, 0.0, -34.3], [0.0; 3], c / (c + 34.3)), // receding
        ([0.0; 3], [0.0, 0.0, -34.3], (c + 34.3) / c), // the listener approaching
        ([20.0, 0.0, 0.0], [0.0; 3], 1.0),            // crossing: no radial speed
    ];
    for (source, listener, ratio) in cases {
        let (mut engine, mut node) = offline(Settings {
            distance_filter: false,
            ..Settings::default()
        });
        let sound = tone(&mut engine, 440.0);
        engine
            .set_listener(Listener {
                velocity: listener,
                ..Listener::default()
            })
            .unwrap();
        let mut play = Play::at(sound, [0.0, 0.0, -50.0]);
        play.looping = true;
        play.velocity = source;
        play.attenuation.reference = 100.0;
        engine.play(play).unwrap();
        let out = render(&mut node, 0.6);
        let left: Vec<f32> = out.iter().step_by(2).skip(4_800).copied().collect();
        let measured = frequency(&left, RATE);
        let expected = 440.0 * ratio;
        assert!(
            (measured - expected).abs() < expected * 0.002,
            "source {source:?}, listener {listener:?}: {measured} Hz, expected {expected}"
        );
    }
}

/// The largest jump between neighbouring samples of either channel.
fn largest_step(stereo: &[f32]) -> f32 {
    (2..stereo.len())
        .map(|i| (stereo[i] - stereo[i - 2]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn starts_stops_moves_and_bus_changes_never_jump() {
    let run = |ramp: f32| {
        let (mut engine, mut node) = offline(Settings { ramp, ..plain() });
        // A constant (DC) sound makes any step visible.
        let sound = engine.add_sound(
            "dc",
            trystero_audio::Clip::new(RATE, vec![0.8; RATE as usize]),
        );
        let mut out = Vec::new();
        let mut centred = Play::centred(sound, Bus::Sfx);
        centred.looping = true;
        let a = engine.play(centred).unwrap();
        out.extend(render(&mut node, 0.05));
        let mut placed = Play::at(sound, [-1.0, 0.0, 0.0]);
        placed.looping = true;
        let b = engine.play(placed).unwrap();
        out.extend(render(&mut node, 0.05));
        engine.move_voice(b, [1.0, 0.0, 0.0], [0.0; 3]).unwrap(); // left to right at once
        out.extend(render(&mut node, 0.05));
        engine.set_bus_gain(Bus::Sfx, 0.2).unwrap();
        out.extend(render(&mut node, 0.05));
        engine.stop(a).unwrap();
        engine.stop(b).unwrap();
        out.extend(render(&mut node, 0.05));
        out
    };
    let smooth = run(0.005);
    let step = largest_step(&smooth);
    // 0.8 over a 240-sample ramp, and a left-to-right jump spread over a 128-frame block.
    assert!(step < 0.8 / 128.0 + 1e-4, "largest step {step}");
    assert!(
        smooth[smooth.len() - 2..].iter().all(|s| *s == 0.0),
        "stopped"
    );
    // Without ramps the same script clicks.
    assert!(largest_step(&run(0.0)) > 0.1);
}

#[test]
fn voice_stealing_keeps_the_highest_priorities() {
    let (mut engine, mut node) = offline(Settings {
        max_voices: 4,
        ..plain()
    });
    let sound = tone(&mut engine, 100.0);
    let mut ids = Vec::new();
    for priority in [1u8, 5, 3, 9, 2, 7] {
        let mut play = Play::at(sound, [0.0, 0.0, -1.0]);
        play.looping = true;
        play.priority = priority;
        ids.push((engine.play(play).unwrap(), priority));
        render(&mut node, 0.01);
    }
    let mut kept: Vec<u8> = node.mixer().voices().map(|(_, p)| p).collect();
    kept.sort_unstable();
    assert_eq!(kept, vec![3, 5, 7, 9]);
    assert_eq!(node.mixer().rejected(), 0);
    // Lower than every voice playing: refused.
    let mut low = Play::at(sound, [0.0, 0.0, -1.0]);
    low.priority = 1;
    engine.play(low).unwrap();
    render(&mut node, 0.01);
    assert_eq!(node.mixer().rejected(), 1);
    let mut kept: Vec<u8> = node.mixer().voices().map(|(_, p)| p).collect();
    kept.sort_unstable();
    assert_eq!(kept, vec![3, 5, 7, 9]);
}

#[test]
fn buses_scale_their_voices_only() {
    let (mut engine, mut node) = offline(plain());
    let sound = tone(&mut engine, 100.0);
    for bus in [Bus::Music, Bus::Ui] {
        let mut play = Play::centred(sound, bus);
        play.looping = true;
        play.gain = if bus == Bus::Music { 1.0 } else { 0.0 };
        engine.play(play).unwrap();
    }
    let before = render(&mut node, 0.2);
    engine.set_bus_gain(Bus::Music, 0.5).unwrap();
    engine.set_bus_gain(Bus::Ui, 0.1).unwrap();
    let after = render(&mut node, 0.2);
    let (a, b) = (rms(&before[4_800..], 0), rms(&after[4_800..], 0));
    assert!(
        (a - TONE_RMS).abs() < 0.005 && (b - TONE_RMS * 0.5).abs() < 0.005,
        "{a} → {b}"
    );
}

#[test]
fn occlusion_and_distance_muffle_high_frequencies_more_than_low() {
    let level = |hz: f32, occlusion: f32| {
        let (mut engine, mut node) = offline(Settings {
            doppler: 0.0,
            ..Settings::default()
        });
        let sound = tone(&mut engine, hz);
        let mut play = Play::at(sound, [0.0, 0.0, -1.0]);
        play.looping = true;
        play.occlusion = occlusion;
        engine.play(play).unwrap();
        rms(&render(&mut node, 0.3)[9_600..], 0)
    };
    let (low_clear, low_behind) = (level(100.0, 0.0), level(100.0, 1.0));
    let (high_clear, high_behind) = (level(6_000.0, 0.0), level(6_000.0, 1.0));
    assert!(low_behind < low_clear, "quieter behind a wall");
    let (low_loss, high_loss) = (low_behind / low_clear, high_behind / high_clear);
    assert!(
        high_loss < low_loss * 0.5,
        "muffled: low kept {low_loss}, high kept {high_loss}"
    );
}

//! The audio port's values: Web Audio's distance models at their edges, the recorder.

use trystero_core::audio::{
    Attenuation, Audio, AudioCall, Bus, DistanceModel, Listener, Play, RecordingAudio, SoundId,
};

#[test]
fn distance_models_match_web_audio_at_their_edges() {
    let linear = Attenuation {
        model: DistanceModel::Linear,
        reference: 10.0,
        max: 110.0,
        rolloff: 1.0,
    };
    assert_eq!(linear.gain(0.0), 1.0);
    assert_eq!(linear.gain(10.0), 1.0);
    assert!((linear.gain(60.0) - 0.5).abs() < 1e-6);
    assert_eq!(linear.gain(110.0), 0.0);
    assert_eq!(linear.gain(1_000.0), 0.0, "clamped at max");
    // Rolloff above 1 is clamped for the linear model, as Web Audio does.
    assert_eq!(
        Attenuation {
            rolloff: 3.0,
            ..linear
        }
        .gain(60.0),
        linear.gain(60.0)
    );
    let inverse = Attenuation {
        model: DistanceModel::Inverse,
        reference: 1.0,
        max: 5.0,
        rolloff: 1.0,
    };
    assert!((inverse.gain(2.0) - 0.5).abs() < 1e-6);
    assert!(
        (inverse.gain(100.0) - 0.01).abs() < 1e-6,
        "max does not clamp the inverse model"
    );
    let exponential = Attenuation {
        model: DistanceModel::Exponential,
        reference: 1.0,
        max: 5.0,
        rolloff: 2.0,
    };
    assert!((exponential.gain(4.0) - 1.0 / 16.0).abs() < 1e-6);
    assert_eq!(
        exponential.gain(0.5),
        1.0,
        "nearer than the reference is full gain"
    );
    // Degenerate settings stay finite.
    let odd = Attenuation {
        model: DistanceModel::Linear,
        reference: 5.0,
        max: 1.0,
        rolloff: 1.0,
    };
    assert_eq!(odd.gain(3.0), 1.0);
    assert!(
        Attenuation {
            reference: 0.0,
            ..inverse
        }
        .gain(3.0)
        .is_finite()
    );
}

#[test]
fn the_recorder_keeps_every_call_and_gives_fresh_ids() {
    let mut audio = RecordingAudio::new(&["hit", "howl"]);
    assert_eq!(audio.sound("howl"), Some(SoundId(1)));
    assert_eq!(audio.sound("nope"), None);
    let a = audio.play(Play::at(SoundId(0), [1.0, 2.0, 0.0])).unwrap();
    let b = audio.play(Play::centred(SoundId(1), Bus::Music)).unwrap();
    assert_ne!(a, b);
    audio
        .move_voice(a, [3.0, 0.0, 0.0], [1.0, 0.0, 0.0])
        .unwrap();
    audio.stop(a).unwrap();
    audio
        .set_listener(Listener::top_down(1.0, 2.0, [0.0, -1.0]))
        .unwrap();
    audio.set_bus_gain(Bus::Ui, 0.5).unwrap();
    assert_eq!(audio.calls.len(), 6);
    assert!(
        matches!(audio.calls[0], AudioCall::Play(id, play) if id == a && play.position == Some([1.0, 2.0, 0.0]))
    );
    assert_eq!(audio.calls[3], AudioCall::Stop(a));
    assert_eq!(audio.calls[5], AudioCall::BusGain(Bus::Ui, 0.5));
}

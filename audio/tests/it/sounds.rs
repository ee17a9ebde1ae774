//! The procedural sounds and the decoders.

use trystero_audio::{Clip, synth};
use trystero_core::audio::AudioError;

use crate::frequency;

/// The music loops without a seam: its last sample runs into its first as smoothly as any two
/// neighbours inside it.
#[test]
fn the_music_loops_seamlessly() {
    let music = synth::music(48_000);
    assert!((music.seconds() - synth::MUSIC_SECONDS).abs() < 1e-3);
    let samples = &music.samples;
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.2 && peak <= 0.9, "peak {peak}");
    let largest_step = samples
        .windows(2)
        .map(|pair| (pair[1] - pair[0]).abs())
        .fold(0.0f32, f32::max);
    let seam = (samples[0] - samples[samples.len() - 1]).abs();
    assert!(
        seam <= largest_step,
        "seam {seam} > largest step {largest_step}"
    );
}

#[test]
fn every_procedural_sound_is_there_deterministic_and_distinct() {
    let sounds = synth::all(48_000);
    let names: Vec<&str> = sounds.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "swing", "hit", "clang", "roll", "growl", "howl", "footstep", "music"
        ]
    );
    for (name, clip) in sounds.iter().filter(|(name, _)| *name != "music") {
        let peak = clip.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak > 0.2 && peak <= 0.9 + 1e-6, "{name}: peak {peak}");
        assert!(clip.seconds() > 0.1 && clip.seconds() < 3.0, "{name}");
        // Fades out: the last half millisecond is quiet, the last sample silent.
        let tail = &clip.samples[clip.samples.len() - 24..];
        assert!(tail.iter().all(|s| s.abs() < 0.05), "{name} ends abruptly");
        assert!(tail[23].abs() < 0.005, "{name} ends abruptly");
    }
    assert_eq!(synth::all(48_000), sounds, "the same samples every time");
    // Character: the howl is a tone between 300 and 700 Hz; the growl is low and rough
    // (few zero crossings); the clang rings high.
    let get = |name: &str| &sounds.iter().find(|(n, _)| *n == name).unwrap().1;
    let howl = frequency(&get("howl").samples[24_000..72_000], 48_000);
    assert!((300.0..700.0).contains(&howl), "howl at {howl} Hz");
    // How much of a sound's energy lies below ~400 Hz (a one-pole low-pass).
    let lowness = |clip: &Clip| {
        let a = 1.0 - (-std::f32::consts::TAU * 400.0 / 48_000.0).exp();
        let mut y = 0.0f32;
        let (mut low, mut all) = (0.0f32, 0.0f32);
        for s in clip.samples.iter() {
            y += a * (s - y);
            low += y * y;
            all += s * s;
        }
        (low / all).sqrt()
    };
    let character: Vec<(&str, f32)> = sounds.iter().map(|(n, c)| (*n, lowness(c))).collect();
    // Measured: growl 0.92, hit 0.95, roll 0.71, footstep 0.61, howl 0.56, clang 0.53,
    // swing 0.17.
    assert!(lowness(get("growl")) > 0.85, "growl is low: {character:?}");
    assert!(lowness(get("hit")) > 0.85, "hit is a thump: {character:?}");
    assert!(
        lowness(get("clang")) < lowness(get("roll")),
        "clang rings above a roll: {character:?}"
    );
    assert!(
        lowness(get("swing")) < 0.3,
        "a swing whooshes high: {character:?}"
    );
}

#[test]
fn wav_and_ogg_decode_to_mono_clips() {
    let tone = synth::tone(44_100, 440.0, 0.5, 0.25);
    let wav = tone.to_wav().unwrap();
    assert_eq!(Clip::decode(&wav).unwrap(), tone);
    // 16-bit stereo, mixed down.
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
    for _ in 0..100 {
        writer.write_sample(16_384i16).unwrap();
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
    let stereo = Clip::decode(bytes.get_ref()).unwrap();
    assert_eq!((stereo.sample_rate, stereo.samples.len()), (8_000, 100));
    assert!(stereo.samples.iter().all(|s| (s - 0.25).abs() < 1e-6));
    // Ogg Vorbis: 0.5 s of 440 Hz at 22.05 kHz, left 12 000 and right 6 000 of 32 768.
    let ogg = Clip::decode(include_bytes!("../fixtures/tone440.ogg")).unwrap();
    assert_eq!(ogg.sample_rate, 22_050);
    assert!((ogg.seconds() - 0.5).abs() < 0.01, "{} s", ogg.seconds());
    let measured = frequency(&ogg.samples[1_000..10_000], 22_050);
    assert!((measured - 440.0).abs() < 1.0, "{measured} Hz");
    let peak = ogg.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!((peak - 0.2747).abs() < 0.02, "mixed down: peak {peak}");
}

#[test]
fn bad_sound_files_are_typed_errors() {
    for bytes in [
        &b"nonsense"[..],
        b"RIFF\x10\x00\x00\x00WAVEfmt ",
        b"OggS\x00\x02garbage",
        b"",
        // Found by the `audio` fuzz target: a comment header claiming billions of comments made
        // lewton reserve ~160 GB up front, and the process abort.
        include_bytes!("../fixtures/forged-comment-count.ogg"),
    ] {
        assert!(
            matches!(Clip::decode(bytes), Err(AudioError::Decode(_))),
            "{bytes:?}"
        );
    }
    let wav = synth::tone(8_000, 440.0, 0.5, 0.1).to_wav().unwrap();
    assert!(
        matches!(
            Clip::decode(&wav[..wav.len() / 2]),
            Err(AudioError::Decode(_))
        ),
        "truncated"
    );
    // A header claiming more than ten minutes is refused before decoding.
    let mut huge = wav.clone();
    let at = huge.windows(4).position(|w| w == b"data").unwrap() + 4;
    huge[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(Clip::decode(&huge), Err(AudioError::Decode(_))));
}

//! The seed's "3D spatial audio" at scale: 256 spatialized voices (moving sources, Doppler,
//! the distance and occlusion filter, equal-power panning, three buses) mixed at 48 kHz,
//! one second of audio per iteration in the 512-frame blocks a device asks for. Goal: at most
//! 10 % of one core (a real-time factor of 10 or more).
//!
//! Run: `cargo bench -p trystero-audio --bench mixer`.
#![allow(missing_docs, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use trystero_audio::{AudioEngine, Settings};
use trystero_core::audio::{Audio, Bus, Listener, Play};

fn voices(c: &mut Criterion) {
    let (mut engine, mut node) = AudioEngine::offline(Settings {
        max_voices: 256,
        ..Settings::default()
    });
    let names = ["swing", "hit", "clang", "roll", "growl", "howl", "footstep"];
    let mut ids = Vec::new();
    for index in 0..256u32 {
        let sound = engine.sound(names[index as usize % names.len()]).unwrap();
        let angle = index as f32 * 0.3;
        let mut play = Play::at(sound, [angle.cos() * 30.0, 0.0, angle.sin() * 30.0]);
        play.looping = true;
        play.velocity = [angle.sin() * 20.0, 0.0, -angle.cos() * 20.0];
        play.occlusion = (index % 4) as f32 / 4.0;
        play.bus = if index % 16 == 0 {
            Bus::Music
        } else {
            Bus::Sfx
        };
        play.pitch = 0.8 + (index % 5) as f32 * 0.1;
        ids.push(engine.play(play).unwrap());
    }
    engine
        .set_listener(Listener {
            velocity: [1.0, 0.0, 0.0],
            ..Listener::default()
        })
        .unwrap();
    let mut block = vec![0.0f32; 512 * 2];
    node.render(&mut block, 2);
    assert_eq!(node.mixer().voices().count(), 256);
    let mut tick = 0u32;
    let mut group = c.benchmark_group("audio");
    group.sample_size(20);
    group.bench_function("voices_256_one_second", |b| {
        b.iter(|| {
            // 93.75 blocks of 512 = 1 s; the sources move every block, as a game would.
            for _ in 0..94 {
                tick += 1;
                let id = ids[tick as usize % ids.len()];
                let t = tick as f32 * 0.01;
                engine
                    .move_voice(id, [t.cos() * 25.0, 0.0, t.sin() * 25.0], [5.0, 0.0, 0.0])
                    .unwrap();
                node.render(&mut block, 2);
            }
            black_box(&block);
        });
    });
    group.finish();
}

criterion_group!(benches, voices);
criterion_main!(benches);

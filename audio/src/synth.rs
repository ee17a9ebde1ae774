//! Procedural sounds, so the game needs no asset files: sword swing, hit, block clang, roll,
//! wolf growl and howl, footstep, and a music loop. Each is synthesized from oscillators, filtered noise and
//! envelopes with a seeded generator, so the same rate gives the same samples every time.

use std::f32::consts::TAU;

use crate::clip::Clip;

/// Every procedural sound with its name: `swing`, `hit`, `clang`, `roll`, `growl`, `howl`,
/// `footstep`, `music`.
pub fn all(sample_rate: u32) -> Vec<(&'static str, Clip)> {
    vec![
        ("swing", swing(sample_rate)),
        ("hit", hit(sample_rate)),
        ("clang", clang(sample_rate)),
        ("roll", roll(sample_rate)),
        ("growl", growl(sample_rate)),
        ("howl", howl(sample_rate)),
        ("footstep", footstep(sample_rate)),
        ("music", music(sample_rate)),
    ]
}

/// A sine of `frequency` Hz and `amplitude` for `seconds` (test tones).
pub fn tone(sample_rate: u32, frequency: f32, amplitude: f32, seconds: f32) -> Clip {
    render(sample_rate, seconds, |t, _| {
        amplitude * (TAU * frequency * t).sin()
    })
}

/// A small deterministic noise source (xorshift32), in −1..1.
#[derive(Debug, Clone, Copy)]
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        #[allow(clippy::cast_precision_loss)] // 24 bits are exact
        let unit = (x >> 8) as f32 / 16_777_216.0;
        unit * 2.0 - 1.0
    }
}

/// A one-pole low-pass.
#[derive(Debug, Clone, Copy, Default)]
struct LowPass(f32);

impl LowPass {
    fn run(&mut self, x: f32, cutoff: f32, rate: f32) -> f32 {
        let a = 1.0 - (-TAU * cutoff / rate).exp();
        self.0 += a * (x - self.0);
        self.0
    }
}

/// `f(t, i)` for every sample of `seconds`, as they are, with no fade.
fn sample(sample_rate: u32, seconds: f32, mut f: impl FnMut(f32, usize) -> f32) -> Vec<f32> {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )] // lengths
    let count = (seconds * sample_rate as f32) as usize;
    #[allow(clippy::cast_precision_loss)] // time
    (0..count)
        .map(|i| f(i as f32 / sample_rate as f32, i))
        .collect()
}

/// Samples `f(t, i)` for `seconds`, fades the last 10 ms out, then scales the peak down to 0.9.
fn render(sample_rate: u32, seconds: f32, f: impl FnMut(f32, usize) -> f32) -> Clip {
    let mut samples = sample(sample_rate, seconds, f);
    // A 10 ms fade at the end, so no sound stops on a click.
    let fade = (sample_rate as usize / 100).min(samples.len());
    let start = samples.len() - fade;
    for (index, sample) in samples[start..].iter_mut().enumerate() {
        #[allow(clippy::cast_precision_loss)] // fade positions
        let left = (fade - index) as f32 / fade as f32;
        *sample *= left;
    }
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if peak > 0.9 {
        samples.iter_mut().for_each(|s| *s *= 0.9 / peak);
    }
    Clip::new(sample_rate, samples)
}

/// Attack-decay envelope: linear rise over `attack` s, exponential fall with `decay` s.
fn envelope(t: f32, attack: f32, decay: f32) -> f32 {
    if t < attack {
        t / attack
    } else {
        (-(t - attack) / decay).exp()
    }
}

#[allow(clippy::cast_precision_loss)] // the rate as a float
fn rate(sample_rate: u32) -> f32 {
    sample_rate as f32
}

/// A whoosh: noise through a low-pass whose cutoff sweeps up and back down.
pub fn swing(sample_rate: u32) -> Clip {
    let (mut noise, mut low, mut high) =
        (Noise(0x5EED_0001), LowPass::default(), LowPass::default());
    let r = rate(sample_rate);
    render(sample_rate, 0.28, |t, _| {
        let sweep = (t / 0.28 * std::f32::consts::PI).sin();
        let n = noise.next();
        // Band-pass: a low-pass minus a lower low-pass.
        let band = low.run(n, 600.0 + 3_500.0 * sweep, r) - high.run(n, 250.0 + 800.0 * sweep, r);
        band * sweep * sweep * 2.5
    })
}

/// A hit: a falling low thump under a short noise crack.
pub fn hit(sample_rate: u32) -> Clip {
    let (mut noise, mut low) = (Noise(0x5EED_0002), LowPass::default());
    let r = rate(sample_rate);
    let mut phase = 0.0f32;
    render(sample_rate, 0.22, |t, _| {
        let frequency = 50.0 + 60.0 * (-t / 0.04).exp();
        phase += TAU * frequency / r;
        let thump = phase.sin() * envelope(t, 0.002, 0.06);
        let crack = low.run(noise.next(), 2_500.0, r) * envelope(t, 0.001, 0.015) * 1.5;
        thump + crack
    })
}

/// A block's clang: inharmonic metal partials with their own decays, and a click.
pub fn clang(sample_rate: u32) -> Clip {
    let partials = [
        (523.0, 0.35, 1.0),
        (1_231.0, 0.25, 0.6),
        (1_877.0, 0.18, 0.45),
        (2_641.0, 0.12, 0.3),
        (3_517.0, 0.08, 0.2),
    ];
    let mut noise = Noise(0x5EED_0003);
    render(sample_rate, 0.9, |t, _| {
        let ring: f32 = partials
            .iter()
            .map(|(f, decay, level)| level * (TAU * f * t).sin() * envelope(t, 0.001, *decay))
            .sum();
        ring + noise.next() * envelope(t, 0.0005, 0.004)
    })
}

/// A roll: a low rumble of filtered noise, swelling and fading.
pub fn roll(sample_rate: u32) -> Clip {
    let (mut noise, mut low) = (Noise(0x5EED_0004), LowPass::default());
    let r = rate(sample_rate);
    render(sample_rate, 0.45, |t, _| {
        let swell = (t / 0.45 * std::f32::consts::PI).sin();
        low.run(noise.next(), 400.0, r) * swell * 4.0
    })
}

/// A growl: a rough low sawtooth with jittered pitch, tremolo and breathy noise.
pub fn growl(sample_rate: u32) -> Clip {
    let (mut noise, mut low, mut breath) =
        (Noise(0x5EED_0005), LowPass::default(), LowPass::default());
    let r = rate(sample_rate);
    let mut phase = 0.0f32;
    let mut jitter = 0.0f32;
    render(sample_rate, 1.1, |t, i| {
        if i % 480 == 0 {
            jitter = noise.next() * 6.0;
        }
        phase = (phase + (78.0 + jitter) / r).fract();
        let saw = phase * 2.0 - 1.0;
        let tremolo = 0.6 + 0.4 * (TAU * 23.0 * t).sin();
        let body = low.run(saw, 900.0, r) * tremolo;
        let air = breath.run(noise.next(), 1_200.0, r) * 0.5;
        (body + air) * envelope(t, 0.08, 0.6)
    })
}

/// A howl: a sine gliding up and settling, with vibrato and two harmonics.
pub fn howl(sample_rate: u32) -> Clip {
    let r = rate(sample_rate);
    let mut phase = 0.0f32;
    render(sample_rate, 2.2, |t, _| {
        let glide = if t < 0.6 {
            320.0 + 330.0 * (t / 0.6)
        } else {
            650.0 - 180.0 * ((t - 0.6) / 1.6)
        };
        let vibrato = 1.0 + 0.012 * (TAU * 5.5 * t).sin() * (t / 2.2);
        phase = (phase + glide * vibrato / r).fract();
        let voice = (TAU * phase).sin()
            + 0.3 * (2.0 * TAU * phase).sin()
            + 0.12 * (3.0 * TAU * phase).sin();
        let shape = (t / 0.35).min(1.0) * (1.0 - ((t - 1.7) / 0.5).clamp(0.0, 1.0));
        voice * shape * 0.6
    })
}

/// A footstep: a short, dull noise burst.
pub fn footstep(sample_rate: u32) -> Clip {
    let (mut noise, mut low) = (Noise(0x5EED_0007), LowPass::default());
    let r = rate(sample_rate);
    render(sample_rate, 0.12, |t, _| {
        low.run(noise.next(), 700.0, r) * envelope(t, 0.003, 0.025) * 4.0
    })
}

/// Seconds in the music loop.
pub const MUSIC_SECONDS: f32 = 8.0;

/// A dark ambient loop of [`MUSIC_SECONDS`] to play looping on the music bus: a low A drone
/// and its fifth breathing slowly, and a soft minor-pentatonic figure over it. Every partial
/// completes whole cycles in the loop, so it repeats without a seam.
pub fn music(sample_rate: u32) -> Clip {
    let loop_s = MUSIC_SECONDS;
    // Frequencies rounded to whole cycles per loop (multiples of 1/8 Hz).
    let whole = |f: f32| (f * loop_s).round() / loop_s;
    let drone = [whole(55.0), whole(82.5), whole(110.0)];
    // A3 C4 D4 E4 G4, one note a second, each a bell-like decay.
    let notes = [
        220.0, 261.625, 293.75, 329.625, 392.0, 329.625, 293.75, 261.625,
    ]
    .map(whole);
    // No fade: the loop's end meets its start.
    let samples = sample(sample_rate, loop_s, |t, _| {
        let breath = 0.75 + 0.25 * (TAU * t / loop_s).sin();
        let low: f32 = drone
            .iter()
            .enumerate()
            .map(|(i, f)| {
                #[allow(clippy::cast_precision_loss)] // three partials
                let level = 0.22 / (i as f32 + 1.0);
                level * (TAU * f * t).sin()
            })
            .sum();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..8
        let step = (t as usize).min(notes.len() - 1);
        let since = t.fract();
        let bell = (TAU * notes[step] * t).sin() * (-since / 0.35).exp() * (since / 0.01).min(1.0);
        (low * breath + 0.12 * bell) * 0.8
    });
    Clip::new(sample_rate, samples)
}

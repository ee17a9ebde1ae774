//! Each output end to end (cpal with feature `device`, the pure-Rust PulseAudio client with
//! feature `pulse`): a PulseAudio server of our own with a null sink (real time, no sound
//! card), the output routed to it (cpal through ALSA's default device), a 440 Hz voice placed on the
//! listener's right, and what was actually played recorded with `parec` and checked: the
//! pitch, the right channel carrying it, the left nearly silent. Then the server is killed
//! under a playing stream: the engine reports it (`device_error`) and keeps taking calls.
//! Also: a device that does not exist is a clear error, and the game can carry on silent.
//!
//! A plain program (`harness = false`): it sets `XDG_RUNTIME_DIR` for the PulseAudio client
//! before any other thread exists. Needs `pulseaudio`, `pulseaudio-utils` and
//! `libasound2-plugins` (`.ci/run` installs them).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::cast_precision_loss)] // test code
// With neither output compiled in there is nothing to run.
#![cfg_attr(not(any(feature = "device", feature = "pulse")), allow(unused))]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use trystero_audio::{AudioEngine, Settings, synth};

#[path = "common/measure.rs"]
mod measure;
use trystero_core::audio::{Audio, AudioError, Play};

struct Kill(Child);

/// Removes the run's directory however the run ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(path: &Path) -> bool {
    for _ in 0..100 {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// How an output is opened.
type Open = fn() -> Result<AudioEngine, AudioError>;

fn run(label: &str, open: Open) -> Result<String, String> {
    let dir = PathBuf::from(format!(
        "/tmp/trystero-audio-{label}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let _scratch = Scratch(dir.clone());
    // SAFETY: no other thread of ours runs (no harness, no runtime); the previous output's
    // engines were dropped with their threads told to stop, and none of them reads these.
    unsafe {
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
        // Our server's socket, whatever the environment pointed at.
        std::env::set_var(
            "PULSE_SERVER",
            format!("unix:{}/pulse/native", dir.display()),
        );
        std::env::set_var(
            "PULSE_SERVER",
            format!("unix:{}/pulse/native", dir.display()),
        );
    }
    let server = Kill(
        Command::new("pulseaudio")
            .args([
                "--daemonize=no",
                "--exit-idle-time=-1",
                "-n",
                "--load=module-native-protocol-unix auth-anonymous=1",
                "--load=module-null-sink sink_name=nullsink rate=48000",
                "--load=module-always-sink",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("pulseaudio (apt-get install pulseaudio): {e}"))?,
    );
    if !wait_for(&dir.join("pulse/native")) {
        return Err("pulseaudio did not start".into());
    }
    let recording = dir.join("played.raw");
    let recorder = Kill(
        Command::new("parec")
            .args([
                "-d",
                "nullsink.monitor",
                "--format=float32le",
                "--rate=48000",
                "--channels=2",
                "--raw",
                "--latency-msec=20",
            ])
            .stdout(std::fs::File::create(&recording).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("parec (apt-get install pulseaudio-utils): {e}"))?,
    );
    std::thread::sleep(Duration::from_millis(300));

    let mut engine = open().map_err(|e| e.to_string())?;
    let device = engine.device_name().unwrap_or("?").to_owned();
    let rate = engine.sample_rate();
    let tone = engine.add_sound("tone", synth::tone(rate, 440.0, 0.5, 1.0));
    let mut play = Play::at(tone, [2.0, 0.0, 0.0]); // the default listener's right
    play.looping = true;
    play.attenuation.reference = 5.0;
    let voice = engine.play(play).map_err(|e| e.to_string())?;
    // Let the device take a second of the tone, then a quarter second of the fade and silence
    // (by the frames it consumed: a null sink need not keep wall-clock time).
    let played = |engine: &AudioEngine, frames: u64| {
        let from = engine.frames_played();
        for _ in 0..300 {
            if engine.frames_played() >= from + frames {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    };
    if !played(&engine, u64::from(rate)) {
        return Err(format!(
            "the device took only {} frames in 15 s",
            engine.frames_played()
        ));
    }
    engine.stop(voice).map_err(|e| e.to_string())?;
    played(&engine, u64::from(rate / 4));
    if let Some(error) = engine.device_error() {
        return Err(format!("the device reported: {error}"));
    }
    drop(engine);
    // SIGTERM, so parec writes out what it still buffers (SIGKILL would lose it).
    let _ = Command::new("kill")
        .args(["-TERM", &recorder.0.id().to_string()])
        .status();
    let mut recorder = recorder;
    let _ = recorder.0.wait();
    drop(recorder);

    // The server vanishing under a playing stream: reported, not fatal.
    let mut engine = open().map_err(|e| e.to_string())?;
    let growl = engine.sound("growl").ok_or("no growl")?;
    let mut play = Play::at(growl, [1.0, 0.0, 0.0]);
    play.looping = true;
    engine.play(play).map_err(|e| e.to_string())?;
    std::thread::sleep(Duration::from_millis(200));
    drop(server); // killed
    let mut reported = None;
    for _ in 0..100 {
        // The game keeps calling; nothing panics or blocks (a full queue is an error value).
        let _ = engine.play(Play::at(growl, [0.0, 0.0, -1.0]));
        if let Some(error) = engine.device_error() {
            reported = Some(error);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let reported = reported.ok_or("the lost server was never reported")?;
    drop(engine);

    let bytes = std::fs::read(&recording).map_err(|e| e.to_string())?;
    let samples: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let frames = samples.len() / 2;
    // The loud part: frames whose 10 ms window carries the tone.
    let window = 480;
    let loud: Vec<usize> = (0..frames / window)
        .filter(|w| measure::rms(&samples[w * window * 2..(w + 1) * window * 2], 1) > 0.1)
        .collect();
    let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if loud.len() < 60 {
        return Err(format!(
            "only {} loud 10 ms windows of {} recorded (device {device} at {rate} Hz, peak {peak})",
            loud.len(),
            frames / window
        ));
    }
    // The middle of the loud part, clear of the ramps.
    let (first, last) = (loud[0] + 10, loud[loud.len() - 1] - 10);
    let body = &samples[first * window * 2..last * window * 2];
    let (left, right) = (measure::rms(body, 0), measure::rms(body, 1));
    let right_samples: Vec<f32> = body.iter().skip(1).step_by(2).copied().collect();
    let frequency = measure::frequency(&right_samples, 48_000);
    let summary = format!(
        "device {device} at {rate} Hz, then the server killed: {reported}; played {:.2} s, right RMS {right:.3}, left RMS {left:.4}, {frequency:.2} Hz",
        loud.len() as f32 * 0.01
    );
    // A sine of 0.5 on the right at full gain: RMS 0.354.
    if (right - 0.3536).abs() > 0.02 || left > right / 50.0 || (frequency - 440.0).abs() > 1.0 {
        return Err(format!("wrong sound: {summary}"));
    }
    Ok(summary)
}

#[cfg(feature = "device")]
fn missing_device_is_clear() -> Result<(), String> {
    match AudioEngine::open(Some("no such device anywhere"), Settings::default()) {
        Err(AudioError::NoDevice(message)) if message.contains("no such device") => Ok(()),
        other => Err(format!("expected NoDevice, got {other:?}")),
    }
}

/// No server where the environment points: a clear `NoDevice`, and `open_or_silent` carries on.
#[cfg(feature = "pulse")]
fn missing_server_is_clear() -> Result<(), String> {
    // SAFETY: as in `run`.
    unsafe {
        std::env::set_var("PULSE_SERVER", "unix:/nonexistent/trystero/pulse/native");
    }
    let outcome = match AudioEngine::open_pulse(Settings::default()) {
        Err(AudioError::NoDevice(message)) if message.contains("PulseAudio") => Ok(()),
        other => Err(format!("expected NoDevice, got {other:?}")),
    };
    outcome?;
    #[cfg(not(feature = "device"))]
    {
        let (engine, reason) = AudioEngine::open_or_silent(Settings::default());
        if !engine.is_silent() || reason.is_none() {
            return Err("open_or_silent should fall back to silence with a reason".into());
        }
    }
    Ok(())
}

fn report(name: &str, outcome: Result<String, String>, failed: &mut bool) {
    match outcome {
        Ok(summary) if summary.is_empty() => println!("test {name} ... ok"),
        Ok(summary) => println!("test {name} ... ok ({summary})"),
        Err(error) => {
            println!("test {name} ... FAILED: {error}");
            *failed = true;
        }
    }
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let mut failed = false;
    #[cfg(feature = "device")]
    {
        let cpal: Open = || AudioEngine::open(None, Settings::default());
        report(
            "the_cpal_output_plays_what_the_mixer_made",
            run("cpal", cpal),
            &mut failed,
        );
        let missing = missing_device_is_clear().map(|()| String::new());
        report("a_missing_device_is_a_clear_error", missing, &mut failed);
    }
    #[cfg(feature = "pulse")]
    {
        let pulse: Open = || AudioEngine::open_pulse(Settings::default());
        report(
            "the_pulse_output_plays_what_the_mixer_made",
            run("pulse", pulse),
            &mut failed,
        );
        let missing = missing_server_is_clear().map(|()| String::new());
        report(
            "a_missing_pulse_server_is_a_clear_error",
            missing,
            &mut failed,
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

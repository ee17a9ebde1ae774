//! What is played and who hears it: sound and voice ids, buses, [`Play`], [`Listener`].

use super::Attenuation;

/// A sound the adapter knows (procedural or loaded), by [`Audio::sound`](super::Audio::sound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SoundId(pub u32);

/// A playing voice. Ids are never reused, so a stale id addresses nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VoiceId(pub u64);

/// Mixer buses, each with its own gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bus {
    /// Sound effects.
    Sfx,
    /// Music.
    Music,
    /// Interface sounds.
    Ui,
}

impl Bus {
    /// Every bus.
    pub const ALL: [Bus; 3] = [Bus::Sfx, Bus::Music, Bus::Ui];

    /// Its index in [`Bus::ALL`].
    pub fn index(self) -> usize {
        match self {
            Bus::Sfx => 0,
            Bus::Music => 1,
            Bus::Ui => 2,
        }
    }
}

/// A request to play a sound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Play {
    /// What.
    pub sound: SoundId,
    /// Through which bus.
    pub bus: Bus,
    /// Where (world units); `None` plays it centred, unattenuated (music, interface).
    pub position: Option<[f32; 3]>,
    /// Its velocity (units a second), for Doppler.
    pub velocity: [f32; 3],
    /// Gain (1 = as recorded).
    pub gain: f32,
    /// Playback rate (1 = as recorded; 2 = an octave up).
    pub pitch: f32,
    /// Loops until stopped.
    pub looping: bool,
    /// When voices run out, a higher priority steals from a lower or equal one.
    pub priority: u8,
    /// Distance attenuation.
    pub attenuation: Attenuation,
    /// 0 (clear line) to 1 (fully behind a wall): muffles and quietens.
    pub occlusion: f32,
}

impl Play {
    /// `sound` on the effects bus at `position`, with the defaults.
    pub fn at(sound: SoundId, position: [f32; 3]) -> Self {
        Self {
            position: Some(position),
            ..Self::centred(sound, Bus::Sfx)
        }
    }

    /// `sound` on `bus`, centred (not spatialized).
    pub fn centred(sound: SoundId, bus: Bus) -> Self {
        Self {
            sound,
            bus,
            position: None,
            velocity: [0.0; 3],
            gain: 1.0,
            pitch: 1.0,
            looping: false,
            priority: 128,
            attenuation: Attenuation::default(),
            occlusion: 0.0,
        }
    }
}

/// Who hears: position, orientation and velocity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Listener {
    /// Where.
    pub position: [f32; 3],
    /// Which way it faces (need not be unit length).
    pub forward: [f32; 3],
    /// Which way is up (need not be unit length); right is `forward × up`.
    pub up: [f32; 3],
    /// Its velocity (units a second), for Doppler.
    pub velocity: [f32; 3],
}

impl Default for Listener {
    /// At the origin, facing −z with +y up (Web Audio's default), still.
    fn default() -> Self {
        Self {
            position: [0.0; 3],
            forward: [0.0, 0.0, -1.0],
            up: [0.0, 1.0, 0.0],
            velocity: [0.0; 3],
        }
    }
}

impl Listener {
    /// A listener for a top-down 2-D game in screen coordinates (x right, y down): at (x, y)
    /// on the z = 0 plane, facing `facing` (a direction in the plane). Up is −z, so that a
    /// listener facing up the screen (0, −1) hears larger x on its right.
    pub fn top_down(x: f32, y: f32, facing: [f32; 2]) -> Self {
        Self {
            position: [x, y, 0.0],
            forward: [facing[0], facing[1], 0.0],
            up: [0.0, 0.0, -1.0],
            velocity: [0.0; 3],
        }
    }
}

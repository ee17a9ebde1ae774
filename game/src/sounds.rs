//! Rollback-safe sound: every rendered frame, the sounds playing are reconciled with the events
//! of the timeline as it stands. A sound is keyed by its event's (kind, frame, entity, other):
//! an event simulated again by a rollback has the same key, so it never plays twice; an event a
//! rollback retracted (a hit predicted, then not) is cut at once; an event that shows up late
//! (a remote input arrived after its frame) still plays if it is recent. Only core's audio port
//! is used, so it runs against the cpal mixer, a browser's, or the recording adapter in tests.

use std::collections::{BTreeMap, BTreeSet};

use trystero_ai::Vec2;
use trystero_core::audio::{Attenuation, Audio, Bus, Listener, Play, SoundId, VoiceId};

use crate::event::{Entity, EventKind, GameEvent};
use crate::rules::PX;
use crate::world::World;

/// Events more than this many frames old when they first appear are not played (a sound a
/// quarter of a second late is worse than none).
pub const LATE_FRAMES: u32 = 15;

/// Within this distance (pixels) a sound plays at full gain; at twice it, half.
pub const HEARING: f32 = 160.0;
/// The gain of an event's sound (several at once must not clip).
pub const EFFECT_GAIN: f32 = 0.45;
/// The music's gain, under the effects.
pub const MUSIC_GAIN: f32 = 0.35;
/// Pixels a fighter travels between footsteps.
pub const STRIDE: f32 = 30.0;

/// The key of a sound: its event's key.
type Key = (EventKind, u32, Entity, Option<Entity>);

/// The sounds an event makes, by name (the procedural set of `trystero-audio`).
fn sound_name(event: &GameEvent) -> Option<&'static str> {
    Some(match (event.kind, event.entity) {
        (EventKind::Hit, _) => "hit",
        (EventKind::Blocked | EventKind::Parried, _) => "clang",
        (EventKind::Evaded, _) => "swing",
        (EventKind::Rolled, _) => "roll",
        (EventKind::Died, Entity::Wolf(_)) => "growl",
        (EventKind::Died, _) => "hit",
        (EventKind::Howl | EventKind::WaveStarted, _) => "howl",
        _ => return None,
    })
}

/// The reconciler: which event keys have a voice, until their frame is final.
#[derive(Debug, Default)]
pub struct Sounds {
    /// Voices of events not yet confirmed: retractable.
    playing: BTreeMap<Key, VoiceId>,
    /// Keys already played and confirmed since (never played again), bounded by frame.
    done: BTreeSet<Key>,
    ids: BTreeMap<&'static str, SoundId>,
    /// Voices started so far.
    pub started: u64,
    /// Voices cut because a rollback retracted their event.
    pub retracted: u64,
    /// Footsteps played (not events: not in `started`).
    pub footsteps: u64,
    /// Per seat: where its fighter was last heard and how far it walked since its last step.
    strides: BTreeMap<usize, ([f32; 3], f32)>,
    /// The music's voice, once started.
    music: Option<VoiceId>,
}

impl Sounds {
    /// A reconciler for the sounds `audio` knows.
    pub fn new(audio: &impl Audio) -> Self {
        let ids = [
            "hit", "clang", "swing", "roll", "growl", "howl", "footstep", "music",
        ]
        .into_iter()
        .filter_map(|name| Some((name, audio.sound(name)?)))
        .collect();
        Self {
            ids,
            ..Self::default()
        }
    }

    /// One rendered frame: `timeline` is the match's (`Match::timeline`), `world` the state
    /// shown, `confirmed` the match's confirmed frame. Starts a voice for each new recent event,
    /// cuts each voice whose event is gone from the timeline, and forgets voices once their
    /// event is final. Audio errors are not the game's: a voice that cannot start is skipped.
    pub fn reconcile<'a>(
        &mut self,
        audio: &mut impl Audio,
        timeline: impl IntoIterator<Item = &'a GameEvent>,
        world: &World,
        confirmed: u32,
    ) {
        let mut present = BTreeSet::new();
        for event in timeline {
            let key = event.key();
            let Some(sound) = sound_name(event).and_then(|name| self.ids.get(name).copied()) else {
                continue;
            };
            present.insert(key);
            if self.playing.contains_key(&key) || self.done.contains(&key) {
                continue;
            }
            if event.frame + LATE_FRAMES < world.frame {
                // Too late to be worth hearing; never play it.
                self.done.insert(key);
                continue;
            }
            let mut play = match event.entity {
                Entity::World => Play::centred(sound, Bus::Sfx),
                entity => heard(Play::at(sound, position(world, entity))),
            };
            play.gain = EFFECT_GAIN;
            if let Ok(voice) = audio.play(play) {
                self.started += 1;
                self.playing.insert(key, voice);
            }
        }
        // Retracted: playing, not final, and no longer in the timeline.
        let gone: Vec<Key> = self
            .playing
            .keys()
            .filter(|key| key.1 > confirmed && !present.contains(*key))
            .copied()
            .collect();
        for key in gone {
            if let Some(voice) = self.playing.remove(&key) {
                let _ = audio.stop(voice);
                self.retracted += 1;
            }
        }
        // Final: the voice plays out; remember the key so it never starts again.
        let final_keys: Vec<Key> = self
            .playing
            .keys()
            .filter(|key| key.1 <= confirmed)
            .copied()
            .collect();
        for key in final_keys {
            self.playing.remove(&key);
            self.done.insert(key);
        }
        // Keys older than any timeline can hold are forgotten (bounded memory).
        let oldest = confirmed.saturating_sub(crate::play::TIMELINE_FRAMES + LATE_FRAMES);
        self.done.retain(|key| key.1 >= oldest);
        self.footsteps(audio, world);
    }

    /// A footstep for every [`STRIDE`] a running fighter covers. Footsteps are not events:
    /// they follow the fighter as drawn (a rollback's correction moves it a little, never
    /// enough for a step of its own).
    fn footsteps(&mut self, audio: &mut impl Audio, world: &World) {
        let Some(step) = self.ids.get("footstep").copied() else {
            return;
        };
        for (seat, player) in world.players.iter().enumerate() {
            let at = position(world, Entity::Player(u8::try_from(seat).unwrap_or(u8::MAX)));
            let running = player.alive() && player.fighter.state == trystero_anim::State::Running;
            let (last, walked) = self.strides.entry(seat).or_insert((at, 0.0));
            let moved = ((at[0] - last[0]).powi(2) + (at[1] - last[1]).powi(2)).sqrt();
            *last = at;
            // A jump (a respawn, a big correction) is not walking.
            *walked = if running && moved < STRIDE {
                *walked + moved
            } else {
                0.0
            };
            if *walked >= STRIDE {
                *walked -= STRIDE;
                let mut play = heard(Play::at(step, at));
                play.gain = EFFECT_GAIN * 0.5;
                play.priority = 0;
                if audio.play(play).is_ok() {
                    self.footsteps += 1;
                }
            }
        }
    }

    /// Puts the listener at the local fighter (`seat`), or amid the living when there is none,
    /// facing up the screen with its right on the screen's right; starts the music loop on
    /// its bus the first time.
    pub fn listen(&mut self, audio: &mut impl Audio, world: &World, seat: Option<usize>) {
        let living: Vec<[f32; 3]> = world
            .players
            .iter()
            .enumerate()
            .filter(|(index, player)| seat.map_or(player.alive(), |seat| seat == *index))
            .map(|(index, _)| position(world, Entity::Player(u8::try_from(index).unwrap_or(0))))
            .collect();
        if !living.is_empty() {
            #[allow(clippy::cast_precision_loss)] // at most 4 players
            let count = living.len() as f32;
            let mean = |axis: usize| living.iter().map(|at| at[axis]).sum::<f32>() / count;
            let _ = audio.set_listener(Listener {
                position: [mean(0), mean(1), 0.0],
                // Screen y grows downwards: forward is −y, and forward × up must be +x.
                forward: [0.0, -1.0, 0.0],
                up: [0.0, 0.0, -1.0],
                velocity: [0.0; 3],
            });
        }
        if self.music.is_none()
            && let Some(music) = self.ids.get("music").copied()
        {
            let mut play = Play::centred(music, Bus::Music);
            play.looping = true;
            play.gain = MUSIC_GAIN;
            play.priority = u8::MAX;
            self.music = audio.play(play).ok();
        }
    }

    /// Stops the music (leaving the match).
    pub fn silence(&mut self, audio: &mut impl Audio) {
        if let Some(voice) = self.music.take() {
            let _ = audio.stop(voice);
        }
    }
}

/// A sound in the world, heard as the camera frames it: full within [`HEARING`] pixels.
fn heard(mut play: Play) -> Play {
    play.attenuation = Attenuation {
        reference: HEARING,
        ..Attenuation::default()
    };
    play
}

/// Where an entity is, in audio units (pixels; the world's units are 1/60 px).
fn position(world: &World, entity: Entity) -> [f32; 3] {
    let at = match entity {
        Entity::Player(seat) => world
            .players
            .get(usize::from(seat))
            .map(|p| Vec2::new(p.fighter.x, p.fighter.y)),
        Entity::Wolf(index) => world.wolves.wolves.get(usize::from(index)).map(|w| w.at),
        Entity::World => None,
    };
    let at = at.unwrap_or_else(|| Vec2::new(0, 0));
    #[allow(clippy::cast_precision_loss)] // positions fit f32's 24 bits after the division
    let point = [at.x as f32 / PX as f32, at.y as f32 / PX as f32, 0.0];
    point
}

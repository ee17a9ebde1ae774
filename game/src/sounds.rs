//! Rollback-safe sound: every rendered frame, the sounds playing are reconciled with the events
//! of the timeline as it stands. A sound is keyed by its event's (kind, frame, entity, other):
//! an event simulated again by a rollback has the same key, so it never plays twice; an event a
//! rollback retracted (a hit predicted, then not) is cut at once; an event that shows up late
//! (a remote input arrived after its frame) still plays if it is recent. Only core's audio port
//! is used, so it runs against the cpal mixer, a browser's, or the recording adapter in tests.

use std::collections::{BTreeMap, BTreeSet};

use trystero_ai::Vec2;
use trystero_core::audio::{Audio, Bus, Play, SoundId, VoiceId};

use crate::event::{Entity, EventKind, GameEvent};
use crate::rules::PX;
use crate::world::World;

/// Events more than this many frames old when they first appear are not played (a sound a
/// quarter of a second late is worse than none).
pub const LATE_FRAMES: u32 = 15;

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
}

impl Sounds {
    /// A reconciler for the sounds `audio` knows.
    pub fn new(audio: &impl Audio) -> Self {
        let ids = ["hit", "clang", "swing", "roll", "growl", "howl"]
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
            let play = match event.entity {
                Entity::World => Play::centred(sound, Bus::Sfx),
                entity => Play::at(sound, position(world, entity)),
            };
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
    }
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

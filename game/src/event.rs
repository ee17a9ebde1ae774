//! What happens in a step, as values: the renderer, audio and the summary read them. Each is
//! keyed by (kind, frame, entity) — and the other party, for two-party events — so a
//! presentation layer can tell an event it already showed from a new one when a rollback
//! simulates the same frames again. A step gives each key at most once.

/// Who or what an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    /// The match as a whole (waves, the end).
    World,
    /// A player (its index in the roster).
    Player(u8),
    /// A wolf (its index in the wave's wolves).
    Wolf(u16),
}

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// `entity` hit `other` for `amount`.
    Hit,
    /// `other` blocked `entity`'s attack, taking `amount` through the guard.
    Blocked,
    /// `other` parried `entity`'s attack (`entity` is staggered and took `amount`).
    Parried,
    /// `other` rolled through `entity`'s attack.
    Evaded,
    /// `entity` started a roll.
    Rolled,
    /// `entity` died (`other`: who killed it, if anyone).
    Died,
    /// A pack's Alpha (`entity`) howled: the pack attacks.
    Howl,
    /// Wave `amount` started.
    WaveStarted,
    /// Wave `amount` was cleared.
    WaveCleared,
    /// `entity` took an upgrade (`amount`: its index in [`crate::Upgrade::ALL`]).
    Upgraded,
    /// `entity` left the match.
    Left,
    /// Everyone is dead: the run is over.
    RunOver,
}

/// One event of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GameEvent {
    /// The frame it happened on (the world's frame after the step).
    pub frame: u32,
    /// What happened.
    pub kind: EventKind,
    /// Who did it, or to whom it happened.
    pub entity: Entity,
    /// The other party, if any.
    pub other: Option<Entity>,
    /// Damage, a wave number or an upgrade index (see [`EventKind`]); 0 otherwise.
    pub amount: i32,
}

impl GameEvent {
    /// The key that names this event across rollbacks: (kind, frame, entity, other).
    pub fn key(&self) -> (EventKind, u32, Entity, Option<Entity>) {
        (self.kind, self.frame, self.entity, self.other)
    }
}

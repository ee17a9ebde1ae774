//! The input layer: the seed's keys, a gamepad-neutral action set, and the per-frame input a
//! controller consumes (packed into two bytes for the network).

/// Keys the seed binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// W.
    W,
    /// A.
    A,
    /// S.
    S,
    /// D.
    D,
    /// Arrow up.
    Up,
    /// Arrow left.
    Left,
    /// Arrow down.
    Down,
    /// Arrow right.
    Right,
    /// Space.
    Space,
    /// J.
    J,
    /// Shift.
    Shift,
    /// K.
    K,
    /// Ctrl.
    Ctrl,
    /// L.
    L,
    /// E.
    E,
    /// I.
    I,
    /// Q.
    Q,
    /// U.
    U,
}

/// What a player can do, whatever the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Move up.
    MoveUp,
    /// Move left.
    MoveLeft,
    /// Move down.
    MoveDown,
    /// Move right.
    MoveRight,
    /// Attack (pressed).
    Attack,
    /// Block (held).
    Block,
    /// Roll (pressed).
    Roll,
    /// Heavy attack (pressed).
    Heavy,
    /// The special (pressed; it has a cooldown).
    Special,
}

impl Key {
    /// The seed's binding: WASD/arrows move, Space/J attack, Shift/K block, Ctrl/L roll; E/I
    /// heavy attack, Q/U special.
    pub fn action(self) -> Action {
        match self {
            Self::W | Self::Up => Action::MoveUp,
            Self::A | Self::Left => Action::MoveLeft,
            Self::S | Self::Down => Action::MoveDown,
            Self::D | Self::Right => Action::MoveRight,
            Self::Space | Self::J => Action::Attack,
            Self::Shift | Self::K => Action::Block,
            Self::Ctrl | Self::L => Action::Roll,
            Self::E | Self::I => Action::Heavy,
            Self::Q | Self::U => Action::Special,
        }
    }
}

/// One frame's input: a direction and five buttons. Attack, heavy, special and roll are edges
/// (pressed this frame); block is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Input {
    /// -1 left, 0, 1 right.
    pub x: i8,
    /// -1 up, 0, 1 down.
    pub y: i8,
    /// Attack pressed this frame.
    pub attack: bool,
    /// Block held.
    pub block: bool,
    /// Roll pressed this frame.
    pub roll: bool,
    /// Heavy attack pressed this frame.
    pub heavy: bool,
    /// Special pressed this frame.
    pub special: bool,
}

impl Input {
    /// The input from the actions held now and those held the frame before (for the edges).
    pub fn from_actions(held: &[Action], before: &[Action]) -> Self {
        Self::from_held(
            |action| held.contains(&action),
            |action| before.contains(&action),
        )
    }

    /// The input from keyboard keys held now and the frame before (no allocation).
    pub fn from_keys(held: &[Key], before: &[Key]) -> Self {
        Self::from_held(
            |action| held.iter().any(|key| key.action() == action),
            |action| before.iter().any(|key| key.action() == action),
        )
    }

    fn from_held(now: impl Fn(Action) -> bool, then: impl Fn(Action) -> bool) -> Self {
        let axis = |minus, plus| i8::from(now(plus)) - i8::from(now(minus));
        Self {
            x: axis(Action::MoveLeft, Action::MoveRight),
            y: axis(Action::MoveUp, Action::MoveDown),
            attack: now(Action::Attack) && !then(Action::Attack),
            block: now(Action::Block),
            roll: now(Action::Roll) && !then(Action::Roll),
            heavy: now(Action::Heavy) && !then(Action::Heavy),
            special: now(Action::Special) && !then(Action::Special),
        }
    }

    /// Nine bits: 0–1 x (+1, 0b11 = -1), 2–3 y, 4 attack, 5 block, 6 roll, 7 heavy, 8
    /// special; the other bits are zero (free for the game's own use).
    pub fn pack(self) -> u16 {
        let axis = |value: i8| match value {
            1 => 1,
            -1 => 3,
            _ => 0,
        };
        axis(self.x)
            | axis(self.y) << 2
            | u16::from(self.attack) << 4
            | u16::from(self.block) << 5
            | u16::from(self.roll) << 6
            | u16::from(self.heavy) << 7
            | u16::from(self.special) << 8
    }

    /// The bits [`Input::pack`] uses.
    pub const BITS: u16 = 0x1FF;

    /// The input of packed bits (every value is some input; bits above 8 are ignored).
    pub fn unpack(bits: u16) -> Self {
        let axis = |bits: u16| match bits & 3 {
            1 => 1,
            3 => -1,
            _ => 0,
        };
        Self {
            x: axis(bits),
            y: axis(bits >> 2),
            attack: bits & 16 != 0,
            block: bits & 32 != 0,
            roll: bits & 64 != 0,
            heavy: bits & 128 != 0,
            special: bits & 256 != 0,
        }
    }

    /// Whether a direction is held.
    pub fn moving(self) -> bool {
        self.x != 0 || self.y != 0
    }
}

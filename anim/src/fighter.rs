//! The character controller: seven states, a data-driven transition table, and frame data.

use crate::input::Input;

/// The seven states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum State {
    /// Standing.
    #[default]
    Idle,
    /// Moving.
    Running,
    /// In an attack (a combo step: startup, active, recovery).
    Attack,
    /// Holding block.
    Block,
    /// Dodge-rolling (invulnerable for part of it).
    Roll,
    /// Hit stun or parry stagger.
    Hurt,
    /// Dead, for good.
    Death,
}

impl State {
    /// Every state, in order.
    pub const ALL: [State; 7] = [
        State::Idle,
        State::Running,
        State::Attack,
        State::Block,
        State::Roll,
        State::Hurt,
        State::Death,
    ];
}

/// What can move a character from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Trigger {
    /// A direction is held.
    Move,
    /// No direction is held.
    Stop,
    /// Attack pressed (with the stamina for it; in an attack, within the combo window).
    Attack,
    /// Block held.
    Block,
    /// Block let go.
    Release,
    /// Roll pressed (with the stamina for it).
    Roll,
    /// The state's frames ran out.
    Finished,
    /// Hit by an attack (not blocked, not evaded).
    Hit,
    /// Parried: staggered.
    Staggered,
    /// Health reached zero.
    Killed,
}

impl Trigger {
    /// Every trigger, in order.
    pub const ALL: [Trigger; 10] = [
        Trigger::Move,
        Trigger::Stop,
        Trigger::Attack,
        Trigger::Block,
        Trigger::Release,
        Trigger::Roll,
        Trigger::Finished,
        Trigger::Hit,
        Trigger::Staggered,
        Trigger::Killed,
    ];
}

/// One row of the transition table: `trigger` in `from` leads to `to`, blending over `blend`
/// frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state it applies in.
    pub from: State,
    /// What fires it.
    pub trigger: Trigger,
    /// The next state.
    pub to: State,
    /// Animation blend length in frames.
    pub blend: u8,
}

const fn row(from: State, trigger: Trigger, to: State, blend: u8) -> Transition {
    Transition {
        from,
        trigger,
        to,
        blend,
    }
}

/// The transition table. A (state, trigger) pair not listed changes nothing. Attack → Attack
/// is the next combo step; Block → Block on a blocked hit is block stun.
pub const TRANSITIONS: [Transition; 33] = [
    row(State::Idle, Trigger::Move, State::Running, 6),
    row(State::Idle, Trigger::Attack, State::Attack, 2),
    row(State::Idle, Trigger::Block, State::Block, 4),
    row(State::Idle, Trigger::Roll, State::Roll, 2),
    row(State::Idle, Trigger::Hit, State::Hurt, 0),
    row(State::Idle, Trigger::Staggered, State::Hurt, 0),
    row(State::Idle, Trigger::Killed, State::Death, 0),
    row(State::Running, Trigger::Stop, State::Idle, 8),
    row(State::Running, Trigger::Attack, State::Attack, 2),
    row(State::Running, Trigger::Block, State::Block, 4),
    row(State::Running, Trigger::Roll, State::Roll, 2),
    row(State::Running, Trigger::Hit, State::Hurt, 0),
    row(State::Running, Trigger::Staggered, State::Hurt, 0),
    row(State::Running, Trigger::Killed, State::Death, 0),
    row(State::Attack, Trigger::Attack, State::Attack, 0),
    row(State::Attack, Trigger::Roll, State::Roll, 2),
    row(State::Attack, Trigger::Finished, State::Idle, 6),
    row(State::Attack, Trigger::Hit, State::Hurt, 0),
    row(State::Attack, Trigger::Staggered, State::Hurt, 0),
    row(State::Attack, Trigger::Killed, State::Death, 0),
    row(State::Block, Trigger::Release, State::Idle, 4),
    row(State::Block, Trigger::Roll, State::Roll, 2),
    row(State::Block, Trigger::Hit, State::Hurt, 0),
    row(State::Block, Trigger::Staggered, State::Hurt, 0),
    row(State::Block, Trigger::Killed, State::Death, 0),
    row(State::Roll, Trigger::Finished, State::Idle, 6),
    row(State::Roll, Trigger::Hit, State::Hurt, 0),
    row(State::Roll, Trigger::Killed, State::Death, 0),
    row(State::Hurt, Trigger::Finished, State::Idle, 4),
    row(State::Hurt, Trigger::Hit, State::Hurt, 0),
    row(State::Hurt, Trigger::Staggered, State::Hurt, 0),
    row(State::Hurt, Trigger::Killed, State::Death, 0),
    row(State::Roll, Trigger::Staggered, State::Hurt, 0),
];

/// The table's row for (state, trigger), if any.
pub fn transition(from: State, trigger: Trigger) -> Option<Transition> {
    TRANSITIONS
        .iter()
        .find(|row| row.from == from && row.trigger == trigger)
        .copied()
}

/// One combo step's frame data (60 Hz).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackData {
    /// Frames before the hitbox appears.
    pub startup: u16,
    /// Frames the hitbox is out.
    pub active: u16,
    /// Frames after it, before the character is free.
    pub recovery: u16,
    /// Damage in percent of the base attack damage.
    pub damage_percent: i32,
}

impl AttackData {
    /// The step's length.
    pub fn total(&self) -> u16 {
        self.startup + self.active + self.recovery
    }

    /// Whether the hitbox is out on frame `frame` of the step.
    pub fn is_active(&self, frame: u16) -> bool {
        (self.startup..self.startup + self.active).contains(&frame)
    }
}

/// Everything tunable. Distances are in units of 1/60 px, so the seed's 250 px/s is exactly 250
/// units a frame; stamina is in tenths (1000 = 100.0). See the crate docs for the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameData {
    /// Starting and maximum health.
    pub health: i32,
    /// Starting and maximum stamina (tenths).
    pub stamina: i32,
    /// Running speed (units a frame).
    pub speed: i32,
    /// Base attack damage.
    pub attack_damage: i32,
    /// The combo steps.
    pub combo: [AttackData; 3],
    /// Frames at the start of recovery in which attack chains the next step.
    pub combo_window: u16,
    /// Stamina per attack.
    pub attack_cost: i32,
    /// The heavy attack (one slow step, no combo).
    pub heavy: AttackData,
    /// Stamina per heavy attack.
    pub heavy_cost: i32,
    /// The special: a sweep that hits on both sides at once.
    pub special: AttackData,
    /// Stamina per special.
    pub special_cost: i32,
    /// Frames after a special before the next one.
    pub special_cooldown: u16,
    /// Roll length.
    pub roll_frames: u16,
    /// Invulnerable roll frames: `roll_iframes.0 <= frame < roll_iframes.1`.
    pub roll_iframes: (u16, u16),
    /// Roll speed (units a frame).
    pub roll_speed: i32,
    /// Stamina per roll.
    pub roll_cost: i32,
    /// Frames after raising the guard in which a hit is parried.
    pub parry_window: u16,
    /// Stamina per blocked hit (at zero the guard breaks).
    pub block_cost: i32,
    /// Frames of block stun after a blocked hit.
    pub block_stun: u16,
    /// Frames of hit stun.
    pub hit_stun: u16,
    /// Frames a parried attacker is staggered.
    pub parry_stagger: u16,
    /// Stamina regained a frame (tenths), once `regen_delay` frames passed without spending.
    pub stamina_regen: i32,
    /// Frames after spending stamina before it regenerates.
    pub regen_delay: u16,
    /// How far a hit pushes (units).
    pub knockback: i32,
    /// Attack reach in front of the character (units).
    pub reach: i32,
    /// Half the hitbox's height (units).
    pub hitbox_half_height: i32,
    /// Half the hurtbox's width and height (units).
    pub hurtbox_half: (i32, i32),
    /// The arena's size (units); positions stay inside.
    pub arena: (i32, i32),
}

impl Default for FrameData {
    fn default() -> Self {
        Self {
            health: 100,
            stamina: 1_000,
            speed: 250,
            attack_damage: 20,
            combo: [
                AttackData {
                    startup: 6,
                    active: 3,
                    recovery: 14,
                    damage_percent: 100,
                },
                AttackData {
                    startup: 5,
                    active: 3,
                    recovery: 16,
                    damage_percent: 125,
                },
                AttackData {
                    startup: 8,
                    active: 4,
                    recovery: 22,
                    damage_percent: 160,
                },
            ],
            combo_window: 10,
            attack_cost: 150,
            heavy: AttackData {
                startup: 14,
                active: 4,
                recovery: 24,
                damage_percent: 250,
            },
            heavy_cost: 300,
            special: AttackData {
                startup: 10,
                active: 6,
                recovery: 20,
                damage_percent: 150,
            },
            special_cost: 200,
            special_cooldown: 600,
            roll_frames: 24,
            roll_iframes: (4, 16),
            roll_speed: 500,
            roll_cost: 250,
            parry_window: 6,
            block_cost: 100,
            block_stun: 10,
            hit_stun: 18,
            parry_stagger: 30,
            stamina_regen: 5,
            regen_delay: 20,
            knockback: 1_200,
            reach: 3_600,
            hitbox_half_height: 1_200,
            hurtbox_half: (960, 1_440),
            arena: (1_280 * 60, 720 * 60),
        }
    }
}

/// An animation blend in progress (for the renderer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Blend {
    /// The state blended from.
    pub from: State,
    /// Frames left.
    pub left: u8,
    /// The blend's length.
    pub total: u8,
}

/// Which attack a fighter is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Strike {
    /// The light combo (steps 0 to 2, see [`Fighter::combo`]).
    #[default]
    Light,
    /// The heavy attack.
    Heavy,
    /// The special: hits on both sides.
    Special,
}

/// One character: plain data, cheap to copy, save and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fighter {
    /// The controller's state; it changes only through [`Fighter::fire`] and the
    /// [`TRANSITIONS`] table.
    pub state: State,
    /// Frames spent in the state (in an attack: in the current combo step).
    pub frame: u16,
    /// Horizontal position (units of 1/60 px, growing rightwards), kept within
    /// `0..=FrameData::arena.0`.
    pub x: i32,
    /// Vertical position (units of 1/60 px, growing downwards as input `y` does), kept within
    /// `0..=FrameData::arena.1`.
    pub y: i32,
    /// 1 facing right, -1 left.
    pub facing: i8,
    /// Health (≤ 0 means dead).
    pub health: i32,
    /// Stamina (tenths).
    pub stamina: i32,
    /// The combo step (0 to 2) while attacking.
    pub combo: u8,
    /// The attack in progress (or the last one).
    pub strike: Strike,
    /// Frames until the special can be used again.
    pub special_wait: u16,
    /// Fighters the current attack step already hit (bit per index).
    pub hit_mask: u64,
    /// Frames of stun in the current Hurt or Block state.
    pub stun: u16,
    /// Frames until stamina regenerates.
    pub regen_wait: u16,
    /// The blend in progress.
    pub blend: Blend,
}

impl Fighter {
    /// A fresh fighter at (x, y).
    pub fn new(data: &FrameData, x: i32, y: i32, facing: i8) -> Self {
        Self {
            state: State::Idle,
            frame: 0,
            x,
            y,
            facing: if facing < 0 { -1 } else { 1 },
            health: data.health,
            stamina: data.stamina,
            combo: 0,
            strike: Strike::Light,
            special_wait: 0,
            hit_mask: 0,
            stun: 0,
            regen_wait: 0,
            blend: Blend::default(),
        }
    }

    /// Fires `trigger`: if the table has a row for the current state, enters its target.
    /// Returns whether the state changed (or restarted).
    pub fn fire(&mut self, trigger: Trigger) -> bool {
        let Some(row) = transition(self.state, trigger) else {
            return false;
        };
        self.blend = Blend {
            from: self.state,
            left: row.blend,
            total: row.blend,
        };
        self.state = row.to;
        self.frame = 0;
        self.hit_mask = 0;
        true
    }

    fn spend(&mut self, amount: i32, data: &FrameData) {
        self.stamina = (self.stamina - amount).max(0);
        self.regen_wait = data.regen_delay;
    }

    /// The current attack's frame data (the combo step's for a light attack).
    pub fn attack(&self, data: &FrameData) -> AttackData {
        match self.strike {
            Strike::Light => data.combo[usize::from(self.combo.min(2))],
            Strike::Heavy => data.heavy,
            Strike::Special => data.special,
        }
    }

    /// The damage the current attack deals on a clean hit.
    pub fn damage(&self, data: &FrameData) -> i32 {
        data.attack_damage * self.attack(data).damage_percent / 100
    }

    /// The state as words, for checksums (every field, in declaration order).
    pub fn words(&self) -> [u64; 16] {
        [
            self.state as u64,
            u64::from(self.frame),
            self.x as u64,
            self.y as u64,
            self.facing as u64,
            self.health as u64,
            self.stamina as u64,
            u64::from(self.combo),
            self.strike as u64,
            u64::from(self.special_wait),
            self.hit_mask,
            u64::from(self.stun),
            u64::from(self.regen_wait),
            self.blend.from as u64,
            u64::from(self.blend.left),
            u64::from(self.blend.total),
        ]
    }

    /// Whether the attack's hitbox is out this frame.
    pub fn hitbox_active(&self, data: &FrameData) -> bool {
        self.state == State::Attack && self.attack(data).is_active(self.frame)
    }

    /// Whether hits pass through this frame (roll invulnerability).
    pub fn invulnerable(&self, data: &FrameData) -> bool {
        self.state == State::Roll
            && (data.roll_iframes.0..data.roll_iframes.1).contains(&self.frame)
    }

    /// One frame of the controller with this input (combat is resolved afterwards by the
    /// arena).
    pub fn step(&mut self, input: Input, data: &FrameData) {
        if self.state == State::Death {
            self.frame = self.frame.saturating_add(1);
            return;
        }
        self.frame = self.frame.saturating_add(1);
        self.blend.left = self.blend.left.saturating_sub(1);
        self.special_wait = self.special_wait.saturating_sub(1);
        match self.state {
            State::Idle | State::Running => self.free(input, data),
            State::Attack => self.attacking(input, data),
            State::Block => {
                if input.roll && self.stamina >= data.roll_cost && self.stun == 0 {
                    self.start_roll(input, data);
                } else if !input.block && self.stun == 0 {
                    self.fire(Trigger::Release);
                }
                self.stun = self.stun.saturating_sub(1);
            }
            State::Roll => {
                self.x += i32::from(self.facing) * data.roll_speed;
                if self.frame >= data.roll_frames {
                    self.fire(Trigger::Finished);
                }
            }
            State::Hurt => {
                if self.frame >= self.stun {
                    self.stun = 0;
                    self.fire(Trigger::Finished);
                }
            }
            State::Death => {}
        }
        if self.regen_wait > 0 {
            self.regen_wait -= 1;
        } else if !matches!(self.state, State::Block | State::Attack | State::Roll) {
            self.stamina = (self.stamina + data.stamina_regen).min(data.stamina);
        }
        self.x = self.x.clamp(0, data.arena.0);
        self.y = self.y.clamp(0, data.arena.1);
    }

    fn start_roll(&mut self, input: Input, data: &FrameData) {
        if input.x != 0 {
            self.facing = input.x.signum();
        }
        self.spend(data.roll_cost, data);
        self.fire(Trigger::Roll);
    }

    fn free(&mut self, input: Input, data: &FrameData) {
        if input.roll && self.stamina >= data.roll_cost {
            self.start_roll(input, data);
        } else if input.attack && self.stamina >= data.attack_cost {
            self.spend(data.attack_cost, data);
            self.combo = 0;
            self.strike = Strike::Light;
            self.fire(Trigger::Attack);
        } else if input.heavy && self.stamina >= data.heavy_cost {
            self.spend(data.heavy_cost, data);
            self.combo = 0;
            self.strike = Strike::Heavy;
            self.fire(Trigger::Attack);
        } else if input.special && self.special_wait == 0 && self.stamina >= data.special_cost {
            self.spend(data.special_cost, data);
            self.combo = 0;
            self.strike = Strike::Special;
            self.special_wait = data.special_cooldown;
            self.fire(Trigger::Attack);
        } else if input.block {
            self.fire(Trigger::Block);
        } else if input.moving() {
            if input.x != 0 {
                self.facing = input.x.signum();
            }
            // Diagonals move at the same speed: 181/256 ≈ 1/√2.
            let step = if input.x != 0 && input.y != 0 {
                data.speed * 181 / 256
            } else {
                data.speed
            };
            self.x += i32::from(input.x) * step;
            self.y += i32::from(input.y) * step;
            if self.state == State::Idle {
                self.fire(Trigger::Move);
            }
        } else if self.state == State::Running {
            self.fire(Trigger::Stop);
        }
    }

    fn attacking(&mut self, input: Input, data: &FrameData) {
        let attack = self.attack(data);
        let recovering = self.frame.checked_sub(attack.startup + attack.active);
        let in_window = recovering.is_some_and(|into| into < data.combo_window);
        let light = self.strike == Strike::Light;
        if input.attack && light && in_window && self.combo < 2 && self.stamina >= data.attack_cost
        {
            self.spend(data.attack_cost, data);
            let next = self.combo + 1;
            self.fire(Trigger::Attack);
            self.combo = next;
        } else if input.roll && recovering.is_some() && self.stamina >= data.roll_cost {
            self.start_roll(input, data);
        } else if self.frame >= attack.total() {
            self.fire(Trigger::Finished);
        }
    }
}

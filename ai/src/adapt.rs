//! Memory and adaptation: what the pack learns about the player's habits, and a difficulty
//! director that moves aggression so the player's win rate settles near a target.

/// What the player did this frame, as the pack reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlayerAction {
    /// Dodged (rolled) towards negative x (-1) or positive x (1).
    Dodge(i8),
    /// Blocked.
    Block,
    /// Attacked.
    Attack,
}

/// The player's habits, counted (plain data, part of the saved state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PlayerModel {
    /// Dodges to the left.
    pub dodges_left: u32,
    /// Dodges to the right.
    pub dodges_right: u32,
    /// Blocks.
    pub blocks: u32,
    /// Attacks.
    pub attacks: u32,
}

impl PlayerModel {
    /// Counts one action.
    pub fn observe(&mut self, action: PlayerAction) {
        match action {
            PlayerAction::Dodge(side) if side < 0 => self.dodges_left += 1,
            PlayerAction::Dodge(_) => self.dodges_right += 1,
            PlayerAction::Block => self.blocks += 1,
            PlayerAction::Attack => self.attacks += 1,
        }
    }

    /// The side the player dodges to at least twice as often as the other (-1, 1), or 0.
    pub fn favoured_dodge(&self) -> i32 {
        let (left, right) = (self.dodges_left, self.dodges_right);
        if left + right < 4 {
            0
        } else if left >= right * 2 {
            -1
        } else if right >= left * 2 {
            1
        } else {
            0
        }
    }

    /// Blocks per attack and block, in per mille.
    pub fn block_rate(&self) -> u32 {
        (self.blocks * 1000)
            .checked_div(self.blocks + self.attacks)
            .unwrap_or(0)
    }
}

/// Keeps the player's win rate near a target by moving the packs' aggression after each
/// encounter: an exponential average of outcomes (per mille), and a proportional step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Director {
    /// The wanted win rate of the player, per mille (default 500).
    pub target: i32,
    /// The aggression the packs should use, 0..=1000.
    pub aggression: i32,
    /// The recent win rate, per mille (an average over about the last 16 encounters).
    pub recent: i32,
    /// Encounters recorded.
    pub encounters: u32,
    /// Of which the player won.
    pub wins: u32,
}

impl Default for Director {
    fn default() -> Self {
        Self {
            target: 500,
            aggression: 500,
            recent: 500,
            encounters: 0,
            wins: 0,
        }
    }
}

impl Director {
    /// A director aiming at `target` per mille of player wins.
    pub fn new(target: i32) -> Self {
        Self {
            target: target.clamp(0, 1000),
            recent: target.clamp(0, 1000),
            ..Self::default()
        }
    }

    /// Records an encounter: a player who wins too often meets fiercer packs, one who loses too
    /// often tamer ones.
    pub fn record(&mut self, player_won: bool) {
        self.encounters += 1;
        self.wins += u32::from(player_won);
        let outcome = if player_won { 1000 } else { 0 };
        self.recent = self.recent + (outcome - self.recent) / 16;
        self.aggression = (self.aggression + (self.recent - self.target) / 8).clamp(0, 1000);
    }
}

//! Each wolf's side of a frame: its role's goal (search, retreat, strike, ambush, cover or its
//! place on the ring), then steering with separation and obstacle avoidance.

use crate::terrain::CoverField;
use crate::{
    Config, Mood, Obstacle, Order, Player, Role, TURN, Vec2, Wolf, Wolves, angle_of, on_ring,
};

impl Wolves {
    pub(crate) fn act(
        &mut self,
        index: usize,
        player: &Player,
        obstacles: &[Obstacle],
        cover: Option<&CoverField>,
        ambush: Option<Vec2>,
        config: &Config,
    ) {
        let wolf = self.wolves[index];
        if wolf.health <= 0 {
            return;
        }
        let pack = &self.packs[wolf.pack];
        let (mood, order, last_seen) = (pack.mood, pack.order, pack.last_seen);
        let target = last_seen.map_or(player.at, |(at, _)| at);
        let ring = match mood {
            Mood::Aggressive | Mood::Desperate => config.ring,
            Mood::Cautious => config.ring * 3 / 2,
        };
        // More tokens against a blocker; strikes timed to the player's attacks.
        let tokens = match mood {
            Mood::Aggressive => config.tokens,
            Mood::Cautious => 1,
            Mood::Desperate => usize::MAX,
        }
        .saturating_add(pack.model.extra_tokens());
        let timed = pack.model.strike_now(self.frame);
        let mut wolf = wolf;
        wolf.cooldown = wolf.cooldown.saturating_sub(1);
        let goal = if wolf.striking > 0 {
            wolf.striking -= 1;
            if wolf.striking == 0 {
                wolf.cooldown = config.strike_cooldown;
            }
            target
        } else {
            match order {
                Order::Search => {
                    // Scouts sweep wide, the rest wander near the den's centre of mass.
                    let reach = if wolf.role == Role::Scout {
                        300 * 60
                    } else {
                        80 * 60
                    };
                    let angle = i32::try_from(self.random() % 256).unwrap_or(0);
                    on_ring(wolf.at, reach / 8, angle)
                }
                Order::Retreat => wolf
                    .at
                    .plus(wolf.at.minus(target).with_length(config.speed * 4)),
                Order::Stalk | Order::Engage => {
                    let ready = order == Order::Engage
                        && wolf.cooldown == 0
                        && timed
                        && wolf.role != Role::Scout
                        && self.strikers(wolf.pack) < tokens
                        && wolf.at.minus(target).length_squared()
                            <= i64::from(ring + ring / 3).pow(2);
                    if ready {
                        wolf.striking = config.strike_frames;
                        target
                    } else if let Some(point) = ambush.filter(|point| {
                        // Hunters always; the others when they get there before the player.
                        wolf.role == Role::Hunter
                            || i64::from(point.minus(wolf.at).length())
                                * i64::from(player.velocity.length())
                                < i64::from(point.minus(player.at).length())
                                    * i64::from(config.speed)
                    }) {
                        point
                    } else {
                        let slot = self.slot_position(&wolf, target, player, ring);
                        // Stalking, the wolf waits out of the player's sight near its place
                        // on the ring, if the terrain has cover there.
                        cover
                            .filter(|_| order == Order::Stalk && wolf.role != Role::Scout)
                            .and_then(|field| field.near(slot, ring))
                            .unwrap_or(slot)
                    }
                }
            }
        };
        let speed = if wolf.striking > 0 {
            config.lunge_speed
        } else {
            config.speed
        };
        let mut steer = goal.minus(wolf.at).clamp_length(speed);
        // Separation from pack mates.
        let (first, _) = self.packs[wolf.pack].members;
        for (offset, mate) in self.members(wolf.pack).iter().enumerate() {
            if first + offset == index || mate.health <= 0 {
                continue;
            }
            let away = wolf.at.minus(mate.at);
            // Squared first: most mates are too far for the square root to matter.
            if away.length_squared() >= i64::from(config.separation).pow(2) {
                continue;
            }
            let distance = away.length();
            if distance < config.separation {
                let push = (config.separation - distance) * speed / config.separation.max(1);
                steer = steer.plus(away.with_length(push));
            }
        }
        // Obstacle avoidance.
        for obstacle in obstacles {
            let away = wolf.at.minus(obstacle.at);
            let near = i64::from(obstacle.radius.saturating_add(config.avoidance));
            if away.length_squared() >= near * near {
                continue;
            }
            let gap = away.length() - obstacle.radius;
            if gap < config.avoidance {
                let push = (config.avoidance - gap.max(0)) * speed / config.avoidance.max(1);
                steer = steer.plus(away.with_length(push));
            }
        }
        wolf.velocity = steer.clamp_length(speed);
        wolf.at = wolf.at.plus(wolf.velocity);
        self.wolves[index] = wolf;
    }

    /// The wolf's place on the ring around `target`: the Alpha in front (towards the wolf's
    /// side), Betas at its flanks, Hunters ahead of where the player runs, Scouts wide behind.
    fn slot_position(&self, wolf: &Wolf, target: Vec2, player: &Player, ring: i32) -> Vec2 {
        let alpha_angle = self.packs[wolf.pack].front;
        // Hunters wait on the side the player likes to dodge to.
        let dodge = self.packs[wolf.pack].model.favoured_dodge();
        let lean = |angle: i32| {
            if dodge == 0 {
                return angle;
            }
            // Turn a sixteenth of a turn towards the dodge side (x < 0: angles near TURN / 2).
            let towards = if dodge < 0 { TURN / 2 } else { 0 };
            let diff = (towards - angle).rem_euclid(TURN);
            if diff == 0 {
                angle
            } else if diff < TURN / 2 {
                angle + TURN / 16
            } else {
                angle - TURN / 16
            }
        };
        let angle = match wolf.role {
            Role::Hunter if player.velocity.length_squared() > 0 => {
                lean(angle_of(player.velocity) + wolf.slot / 4 - TURN / 16)
            }
            Role::Hunter => lean(alpha_angle + wolf.slot),
            Role::Scout => alpha_angle + TURN / 2,
            _ => alpha_angle + wolf.slot,
        };
        let radius = if wolf.role == Role::Scout {
            ring * 2
        } else {
            ring
        };
        on_ring(target, radius, angle)
    }
}

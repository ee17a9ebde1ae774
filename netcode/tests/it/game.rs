//! A small deterministic game for the tests: entities with integer positions and velocities,
//! pushed by the players' inputs (bits: left, right, up, down), bouncing off walls and
//! attracted to each other's centre of mass. Two checksum parts: positions and velocities.

use trystero_netcode::PlayerInput;

/// One SplitMix64 output from `state` (core's generator, drawn once).
pub(crate) fn splitmix(state: u64) -> u64 {
    trystero_core::random::SeededRandom::new(state).next_u64()
}

const SIZE: i32 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct World {
    /// x, y, vx, vy per entity.
    entities: Vec<[i32; 4]>,
    frame: u32,
}

impl World {
    pub(crate) fn new(count: usize) -> Self {
        let mut seed = 42;
        let entities = (0..count)
            .map(|_| {
                seed = splitmix(seed);
                [
                    (seed % 100_000) as i32,
                    ((seed >> 20) % 100_000) as i32,
                    ((seed >> 40) % 21) as i32 - 10,
                    ((seed >> 50) % 21) as i32 - 10,
                ]
            })
            .collect();
        Self { entities, frame: 0 }
    }

    pub(crate) fn step(&mut self, inputs: &[PlayerInput<u8>]) {
        self.frame += 1;
        let count = self.entities.len() as i64;
        let (sum_x, sum_y) = self.entities.iter().fold((0i64, 0i64), |(x, y), e| {
            (x + i64::from(e[0]), y + i64::from(e[1]))
        });
        let (cx, cy) = ((sum_x / count) as i32, (sum_y / count) as i32);
        let players = inputs.len().max(1);
        for (index, entity) in self.entities.iter_mut().enumerate() {
            let input = inputs.get(index % players).map_or(0, |p| p.input);
            let push = |bit: u8| i32::from(input & bit != 0);
            entity[2] += push(2) - push(1) + (cx - entity[0]).signum();
            entity[3] += push(8) - push(4) + (cy - entity[1]).signum();
            entity[2] = entity[2].clamp(-50, 50);
            entity[3] = entity[3].clamp(-50, 50);
            for axis in 0..2 {
                entity[axis] += entity[axis + 2];
                if !(0..SIZE).contains(&entity[axis]) {
                    entity[axis] = entity[axis].clamp(0, SIZE - 1);
                    entity[axis + 2] = -entity[axis + 2];
                }
            }
        }
    }

    /// FNV-1a over positions, then over velocities and the frame.
    pub(crate) fn checksums(&self) -> [u64; 2] {
        let fnv = |values: &mut dyn Iterator<Item = i32>| {
            values.fold(0xcbf2_9ce4_8422_2325u64, |hash, value| {
                value.to_le_bytes().iter().fold(hash, |h, byte| {
                    (h ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3)
                })
            })
        };
        let positions = fnv(&mut self.entities.iter().flat_map(|e| [e[0], e[1]]));
        let velocities = fnv(&mut self
            .entities
            .iter()
            .flat_map(|e| [e[2], e[3]])
            .chain([self.frame as i32]));
        [positions, velocities]
    }

    /// Frames stepped so far.
    pub(crate) fn frame(&self) -> u32 {
        self.frame
    }

    /// A write the other peers do not make (a non-deterministic bug): the frame counter, which
    /// only the second checksum part covers.
    pub(crate) fn corrupt(&mut self) {
        self.frame += 1_000;
    }
}

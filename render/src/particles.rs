//! Particles on the CPU side: how each effect's burst starts (count, speeds, lives, colours,
//! forces, drawn from a seeded generator), and the pool's bookkeeping — a ring of slots in the
//! GPU buffer, and each slot's time of death, so the live count needs no readback.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use bytemuck::{Pod, Zeroable};
use trystero_core::random::SeededRandom;
use trystero_core::render::{Effect, EffectKind};

/// One particle as the compute shader reads it (`particles.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct Particle {
    motion: [f32; 4],
    color: [f32; 4],
    life: f32,
    max_life: f32,
    drag: f32,
    gravity: f32,
}

/// The ring of particle slots: where the next burst goes, and when each slot's particle dies
/// (in microseconds of the renderer's clock).
#[derive(Debug)]
pub(crate) struct ParticlePool {
    limit: u32,
    next_slot: u32,
    used: u32,
    slot_death: Vec<u64>,
    deaths: BinaryHeap<Reverse<(u64, u32)>>,
    alive: u32,
}

fn micros(seconds: f64) -> u64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // positive, bounded
    let us = (seconds.max(0.0) * 1e6) as u64;
    us
}

impl ParticlePool {
    /// A pool of `limit` slots (at least one).
    pub(crate) fn new(limit: u32) -> Self {
        let limit = limit.max(1);
        Self {
            limit,
            next_slot: 0,
            used: 0,
            slot_death: vec![0; limit as usize],
            deaths: BinaryHeap::new(),
            alive: 0,
        }
    }

    /// Particles alive.
    pub(crate) fn alive(&self) -> u32 {
        self.alive
    }

    /// Slots ever written (the compute dispatch covers these).
    pub(crate) fn used(&self) -> u32 {
        self.used
    }

    /// Starts `effect` at time `clock` (seconds): draws its particles and writes them into the
    /// next slots of `buffer`, replacing the oldest when the ring is full.
    pub(crate) fn spawn(
        &mut self,
        effect: &Effect,
        clock: f64,
        queue: &wgpu::Queue,
        buffer: &wgpu::Buffer,
    ) {
        let mut rng =
            SeededRandom::new(u64::from(effect.seed) | (u64::from(effect.kind as u8) << 32));
        let Burst {
            count,
            speed,
            life,
            color,
            size,
            drag,
            gravity,
        } = Burst::of(effect.kind);
        let (limit, start, now) = (self.limit, self.next_slot, micros(clock));
        let mut batch = Vec::with_capacity(count as usize);
        for index in 0..count {
            let angle = unit(&mut rng) * std::f32::consts::TAU;
            let v = speed[0] + (speed[1] - speed[0]) * unit(&mut rng);
            let t = unit(&mut rng);
            let mix = |a: f32, b: f32| a + (b - a) * t;
            let lifetime = life[0] + (life[1] - life[0]) * unit(&mut rng);
            let mut velocity = [angle.cos() * v, angle.sin() * v];
            if effect.kind == EffectKind::Blood {
                velocity[1] -= 120.0; // spurts up, then falls
            }
            batch.push(Particle {
                motion: [effect.x, effect.y, velocity[0], velocity[1]],
                color: [
                    mix(color[0][0], color[1][0]),
                    mix(color[0][1], color[1][1]),
                    mix(color[0][2], color[1][2]),
                    size,
                ],
                life: lifetime,
                max_life: lifetime,
                drag,
                gravity,
            });
            let slot = (start + index) % limit;
            let death = micros(clock + f64::from(lifetime));
            if self.slot_death[slot as usize] > now {
                self.alive -= 1; // replaced while alive
            }
            self.slot_death[slot as usize] = death;
            self.deaths.push(Reverse((death, slot)));
            self.alive += 1;
        }
        // Write in at most two runs (the ring wraps).
        let mut written = 0usize;
        while written < batch.len() {
            let slot = (start + u32::try_from(written).unwrap_or(0)) % limit;
            let run = ((limit - slot) as usize).min(batch.len() - written);
            queue.write_buffer(
                buffer,
                u64::from(slot) * size_of::<Particle>() as u64,
                bytemuck::cast_slice(&batch[written..written + run]),
            );
            written += run;
        }
        self.next_slot = (start + count) % limit;
        self.used = self.used.saturating_add(count).min(limit);
    }

    /// Counts out the particles dead by `clock` (seconds).
    pub(crate) fn expire(&mut self, clock: f64) {
        let now = micros(clock);
        while let Some(Reverse((death, slot))) = self.deaths.peek().copied() {
            if death > now {
                break;
            }
            self.deaths.pop();
            // A slot overwritten since keeps its new particle's death instead.
            if self.slot_death[slot as usize] == death {
                self.alive = self.alive.saturating_sub(1);
                self.slot_death[slot as usize] = 0;
            }
        }
    }
}

/// How an effect's particles start: how many, speed and life ranges (uniform between the
/// two), a colour range (linear, above 1 glows under bloom), size in pixels, drag (per second)
/// and gravity (pixels per second²).
#[derive(Debug, Clone, Copy)]
struct Burst {
    count: u32,
    speed: [f32; 2],
    life: [f32; 2],
    color: [[f32; 3]; 2],
    size: f32,
    drag: f32,
    gravity: f32,
}

impl Burst {
    fn of(kind: EffectKind) -> Self {
        let (count, speed, life, color, size, drag, gravity) = match kind {
            EffectKind::Explosion => (
                600,
                [40.0, 260.0],
                [0.4, 1.2],
                [[3.0, 1.5, 0.4], [2.0, 0.5, 0.1]],
                2.0,
                1.5,
                90.0,
            ),
            EffectKind::Sparks => (
                80,
                [180.0, 420.0],
                [0.12, 0.4],
                [[3.0, 2.8, 1.8], [2.2, 1.6, 0.6]],
                1.0,
                3.0,
                300.0,
            ),
            EffectKind::Blood => (
                120,
                [30.0, 170.0],
                [0.3, 0.9],
                [[0.7, 0.02, 0.02], [0.4, 0.0, 0.01]],
                2.0,
                1.0,
                480.0,
            ),
            EffectKind::Dust => (
                60,
                [8.0, 50.0],
                [0.5, 1.2],
                [[0.30, 0.27, 0.22], [0.18, 0.16, 0.13]],
                2.0,
                2.5,
                -25.0,
            ),
        };
        Self {
            count,
            speed,
            life,
            color,
            size,
            drag,
            gravity,
        }
    }
}

/// Uniform in [0, 1) from the next 24 random bits.
#[allow(clippy::cast_precision_loss)] // 24 bits are exact
fn unit(rng: &mut SeededRandom) -> f32 {
    (rng.next_u64() >> 40) as f32 / 16_777_216.0
}

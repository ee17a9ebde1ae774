// The light record the shadow-map and light passes share, and the map's resolution.

const RES: u32 = 512u;
const TAU: f32 = 6.2831853;

struct Light {
    position: vec2f,
    radius: f32,
    shadows: f32,
    color: vec4f,
    // Its occluders: occluders[first .. first + count].
    first: u32,
    count: u32,
    _pad0: u32,
    _pad1: u32,
};

// Shared by every shader: the camera and the full-screen triangle.

struct Camera {
    centre: vec2f,
    zoom: f32,
    rotation: f32,
    screen: vec2f,
    ui: f32,
    time: f32,
    // Multiplies sprite colours (the ambient light when a frame has no lights).
    tint: vec4f,
};

// World (or, for the UI, screen) pixels to clip space.
fn to_clip(cam: Camera, p: vec2f) -> vec4f {
    var q = p;
    if (cam.ui < 0.5) {
        let d = (p - cam.centre) * cam.zoom;
        let c = cos(cam.rotation);
        let s = sin(cam.rotation);
        q = vec2f(c * d.x - s * d.y, s * d.x + c * d.y) + cam.screen * 0.5;
    }
    return vec4f(q.x / cam.screen.x * 2.0 - 1.0, 1.0 - q.y / cam.screen.y * 2.0, 0.0, 1.0);
}

// Screen pixels back to world pixels.
fn to_world(cam: Camera, q: vec2f) -> vec2f {
    let d = (q - cam.screen * 0.5) / cam.zoom;
    let c = cos(-cam.rotation);
    let s = sin(-cam.rotation);
    return vec2f(c * d.x - s * d.y, s * d.x + c * d.y) + cam.centre;
}

struct FullScreen {
    @builtin(position) position: vec4f,
    @location(0) uv: vec2f,
};

// One triangle covering the screen: uv (0,0) top left.
@vertex
fn full_screen(@builtin(vertex_index) index: u32) -> FullScreen {
    let xy = vec2f(f32((index << 1u) & 2u), f32(index & 2u));
    var out: FullScreen;
    out.position = vec4f(xy * 2.0 - 1.0, 0.0, 1.0);
    out.uv = vec2f(xy.x, 1.0 - xy.y);
    return out;
}

// Post-processing: bloom (bright pass, blurred at quarter resolution, added back), a separable
// Gaussian blur, colour grading through a 3-D lookup table, and FXAA.

struct Post {
    // bloom strength, bloom threshold, grading strength, blur radius (pixels)
    settings: vec4f,
    // the blur's direction in texels (xy); the source's texel size (zw)
    direction: vec4f,
};

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var linear_sampler: sampler;
@group(0) @binding(2) var<uniform> post: Post;

fn luminance(c: vec3f) -> f32 {
    return dot(c, vec3f(0.2126, 0.7152, 0.0722));
}

// Quarter resolution: four taps of the full picture, keeping what is above the threshold.
@fragment
fn bright(in: FullScreen) -> @location(0) vec4f {
    let t = post.direction.zw;
    var sum = vec3f(0.0);
    for (var i = 0; i < 4; i++) {
        let o = vec2f(f32(i & 1) * 2.0 - 1.0, f32(i >> 1u) * 2.0 - 1.0) * t;
        sum += textureSample(source, linear_sampler, in.uv + o).rgb;
    }
    let color = sum * 0.25;
    let l = luminance(color);
    let keep = max(0.0, l - post.settings.y) / max(l, 1e-4);
    return vec4f(color * keep, 1.0);
}

// Nine taps along a direction, Gaussian weights; the step scales with the radius.
@fragment
fn blur(in: FullScreen) -> @location(0) vec4f {
    let weights = array<f32, 5>(0.2270270, 0.1945946, 0.1216216, 0.0540540, 0.0162162);
    let step = post.direction.xy;
    var sum = textureSample(source, linear_sampler, in.uv).rgb * weights[0];
    for (var i = 1; i < 5; i++) {
        let o = step * f32(i);
        sum += textureSample(source, linear_sampler, in.uv + o).rgb * weights[i];
        sum += textureSample(source, linear_sampler, in.uv - o).rgb * weights[i];
    }
    return vec4f(sum, 1.0);
}

// Which parts of `finish` this pipeline has (set when the pipeline is built).
override bloom_on: bool = true;
override grade_on: bool = true;

@group(1) @binding(0) var bloom: texture_2d<f32>;
@group(1) @binding(1) var grading: texture_3d<f32>;

// Bloom added, graded through the table, clamped to the display range.
@fragment
fn finish(in: FullScreen) -> @location(0) vec4f {
    // Same size as the output: a plain load (no filtering) is exact and far cheaper.
    var color = textureLoad(source, vec2i(in.position.xy), 0).rgb;
    if (bloom_on) {
        color += textureSample(bloom, linear_sampler, in.uv).rgb * post.settings.x;
    }
    color = clamp(color, vec3f(0.0), vec3f(1.0));
    if (grade_on) {
        // Texel centres of a 16³ table.
        let coordinate = color * (15.0 / 16.0) + 0.5 / 16.0;
        let graded = textureSampleLevel(grading, linear_sampler, coordinate, 0.0).rgb;
        color = mix(color, graded, post.settings.z);
    }
    return vec4f(color, 1.0);
}

// FXAA (after Lottes' FXAA 3.11 "quality 10" idea, shortened): find edges from luma contrast,
// blend along them.
@fragment
fn fxaa(in: FullScreen) -> @location(0) vec4f {
    let t = post.direction.zw;
    let centre = textureSample(source, linear_sampler, in.uv).rgb;
    let lm = luminance(centre);
    let ln = luminance(textureSample(source, linear_sampler, in.uv + vec2f(0.0, -t.y)).rgb);
    let ls = luminance(textureSample(source, linear_sampler, in.uv + vec2f(0.0, t.y)).rgb);
    let lw = luminance(textureSample(source, linear_sampler, in.uv + vec2f(-t.x, 0.0)).rgb);
    let le = luminance(textureSample(source, linear_sampler, in.uv + vec2f(t.x, 0.0)).rgb);
    let low = min(lm, min(min(ln, ls), min(lw, le)));
    let high = max(lm, max(max(ln, ls), max(lw, le)));
    let range = high - low;
    if (range < max(0.0312, high * 0.125)) {
        return vec4f(centre, 1.0);
    }
    let horizontal = abs(ln + ls - 2.0 * lm) >= abs(lw + le - 2.0 * lm);
    var step = vec2f(t.x, 0.0);
    var a = lw;
    var b = le;
    if (horizontal) {
        step = vec2f(0.0, t.y);
        a = ln;
        b = ls;
    }
    if (abs(a - lm) < abs(b - lm)) {
        step = -step;
    }
    // Blend towards the steeper side by how strong the local contrast is.
    let average = (ln + ls + lw + le) * 0.25;
    let amount = clamp(abs(average - lm) / range, 0.0, 1.0);
    let blend = amount * amount * 0.75;
    let other = textureSample(source, linear_sampler, in.uv - step * 0.5).rgb;
    return vec4f(mix(centre, other, blend), 1.0);
}

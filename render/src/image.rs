//! RGBA8 images: PNG in and out (through the `png` crate), and the comparison the golden tests
//! use.

use std::io::Cursor;

use trystero_core::render::RenderError;

/// An RGBA8 image, rows top to bottom, sRGB-encoded like a PNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 4` bytes.
    pub pixels: Vec<u8>,
}

/// The largest image accepted from a PNG (a side), so a hostile file cannot ask for gigabytes.
pub const MAX_SIDE: u32 = 8_192;

impl Image {
    /// A transparent image.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![0; width as usize * height as usize * 4],
        }
    }

    /// The pixel at (x, y) (transparent outside).
    pub fn get(&self, x: u32, y: u32) -> [u8; 4] {
        if x >= self.width || y >= self.height {
            return [0; 4];
        }
        let at = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.pixels[at],
            self.pixels[at + 1],
            self.pixels[at + 2],
            self.pixels[at + 3],
        ]
    }

    /// Sets the pixel at (x, y) (ignored outside).
    pub fn set(&mut self, x: u32, y: u32, rgba: [u8; 4]) {
        if x >= self.width || y >= self.height {
            return;
        }
        let at = (y as usize * self.width as usize + x as usize) * 4;
        self.pixels[at..at + 4].copy_from_slice(&rgba);
    }

    /// Decodes a PNG of any colour type and depth into RGBA8.
    pub fn from_png(bytes: &[u8]) -> Result<Self, RenderError> {
        let bad = |error: &dyn std::fmt::Display| RenderError::Image(format!("PNG: {error}"));
        let mut decoder = png::Decoder::new(Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|e| bad(&e))?;
        let (width, height) = (reader.info().width, reader.info().height);
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(RenderError::Image(format!(
                "PNG of {width}×{height} (sides 1..={MAX_SIDE})"
            )));
        }
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| RenderError::Image("PNG too large".into()))?;
        let mut buffer = vec![0; size];
        let info = reader.next_frame(&mut buffer).map_err(|e| bad(&e))?;
        let mut image = Image::new(width, height);
        for y in 0..height as usize {
            let line = &buffer[y * info.line_size..];
            for x in 0..width as usize {
                let rgba = match info.color_type {
                    png::ColorType::Rgba => [
                        line[x * 4],
                        line[x * 4 + 1],
                        line[x * 4 + 2],
                        line[x * 4 + 3],
                    ],
                    png::ColorType::Rgb => [line[x * 3], line[x * 3 + 1], line[x * 3 + 2], 255],
                    png::ColorType::GrayscaleAlpha => {
                        let (v, a) = (line[x * 2], line[x * 2 + 1]);
                        [v, v, v, a]
                    }
                    png::ColorType::Grayscale => [line[x], line[x], line[x], 255],
                    png::ColorType::Indexed => {
                        return Err(RenderError::Image("PNG palette not expanded".into()));
                    }
                };
                let at = (y * width as usize + x) * 4;
                image.pixels[at..at + 4].copy_from_slice(&rgba);
            }
        }
        Ok(image)
    }

    /// Encodes as an RGBA8 PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, RenderError> {
        let bad = |error: png::EncodingError| RenderError::Image(format!("PNG: {error}"));
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(bad)?;
        writer.write_image_data(&self.pixels).map_err(bad)?;
        writer.finish().map_err(bad)?;
        Ok(out)
    }

    /// Copies `source` into this image with its top-left at (x, y) (clipped).
    pub fn blit(&mut self, source: &Image, x: u32, y: u32) {
        for row in 0..source.height {
            for column in 0..source.width {
                self.set(x + column, y + row, source.get(column, row));
            }
        }
    }

    /// How far this image is from `reference`: see [`Difference`].
    pub fn difference(&self, reference: &Image, threshold: u8) -> Difference {
        if (self.width, self.height) != (reference.width, reference.height) {
            return Difference {
                size_matches: false,
                over_threshold: usize::MAX,
                mean_error: f64::INFINITY,
                max_error: 255,
            };
        }
        let (mut over, mut total, mut max) = (0usize, 0u64, 0u8);
        for (a, b) in self
            .pixels
            .chunks_exact(4)
            .zip(reference.pixels.chunks_exact(4))
        {
            let error = (0..4).map(|c| a[c].abs_diff(b[c])).max().unwrap_or(0);
            total += u64::from(
                a[..3]
                    .iter()
                    .zip(&b[..3])
                    .map(|(p, q)| u32::from(p.abs_diff(*q)))
                    .sum::<u32>(),
            );
            max = max.max(error);
            over += usize::from(error > threshold);
        }
        let channels = (self.pixels.len() / 4 * 3).max(1);
        #[allow(clippy::cast_precision_loss)] // an average
        let mean_error = total as f64 / channels as f64;
        Difference {
            size_matches: true,
            over_threshold: over,
            mean_error,
            max_error: max,
        }
    }

    /// An image showing where two images differ (red, brighter for larger errors), for
    /// inspecting a failed golden test.
    pub fn diff_image(&self, reference: &Image) -> Image {
        let mut out = Image::new(self.width, self.height);
        for y in 0..self.height {
            for x in 0..self.width {
                let (a, b) = (self.get(x, y), reference.get(x, y));
                let error = (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap_or(0);
                let grey = a[1] / 4;
                out.set(
                    x,
                    y,
                    [
                        grey.saturating_add(error.saturating_mul(4)),
                        grey,
                        grey,
                        255,
                    ],
                );
            }
        }
        out
    }

    /// The mean of a rectangle's pixels (linear average of the encoded values), for checks.
    pub fn mean(&self, x0: u32, y0: u32, x1: u32, y1: u32) -> [f32; 4] {
        let mut sum = [0u64; 4];
        let mut count = 0u64;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let p = self.get(x, y);
                for c in 0..4 {
                    sum[c] += u64::from(p[c]);
                }
                count += 1;
            }
        }
        #[allow(clippy::cast_precision_loss)] // averages of bytes
        sum.map(|s| s as f32 / count.max(1) as f32)
    }
}

/// How two images differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Same width and height.
    pub size_matches: bool,
    /// Pixels whose largest channel error is above the threshold.
    pub over_threshold: usize,
    /// The mean absolute error over the colour channels (0–255).
    pub mean_error: f64,
    /// The largest channel error.
    pub max_error: u8,
}

impl Difference {
    /// Whether the images agree: same size, at most `fraction` of pixels over the threshold,
    /// and a mean error of at most `mean`.
    pub fn within(&self, fraction: f64, mean: f64, pixels: usize) -> bool {
        #[allow(clippy::cast_precision_loss)] // pixel counts
        let allowed = fraction * pixels as f64;
        #[allow(clippy::cast_precision_loss)] // pixel counts
        let over = self.over_threshold as f64;
        self.size_matches && over <= allowed && self.mean_error <= mean
    }
}

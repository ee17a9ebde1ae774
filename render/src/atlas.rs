//! The texture atlas: named images with animation frames packed on shelves into one texture.
//!
//! Images come from the procedural sprites ([`crate::sprites`]) or from real sprite sheets: a
//! PNG whose frames are laid out left to right, top to bottom, `frame_width × frame_height`
//! each ([`AtlasBuilder::add_sheet_png`]). Every frame gets a one-pixel border copied from its
//! edge, so linear filtering never bleeds a neighbour in.

use std::collections::BTreeMap;

use trystero_core::render::{ImageId, RenderError};

use crate::image::Image;

/// Collects images, then packs them ([`AtlasBuilder::build`]).
#[derive(Debug, Clone)]
pub struct AtlasBuilder {
    names: BTreeMap<String, ImageId>,
    /// Per image: its frames.
    frames: Vec<Vec<Image>>,
}

impl Default for AtlasBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl AtlasBuilder {
    /// A builder holding only the white image ([`ImageId::WHITE`]).
    pub fn new() -> Self {
        let mut white = Image::new(2, 2);
        white.pixels.fill(255);
        let mut names = BTreeMap::new();
        names.insert("white".to_owned(), ImageId::WHITE);
        Self {
            names,
            frames: vec![vec![white]],
        }
    }

    /// Adds a one-frame image (replacing an image of the same name).
    pub fn add(&mut self, name: &str, image: Image) -> ImageId {
        self.add_frames(name, vec![image])
    }

    /// Adds an image with several animation frames.
    pub fn add_frames(&mut self, name: &str, frames: Vec<Image>) -> ImageId {
        if let Some(id) = self.names.get(name) {
            self.frames[id.0 as usize] = frames;
            return *id;
        }
        let id = ImageId(u32::try_from(self.frames.len()).unwrap_or(u32::MAX));
        self.names.insert(name.to_owned(), id);
        self.frames.push(frames);
        id
    }

    /// Adds a sprite sheet: frames of `frame_width × frame_height`, left to right, top to
    /// bottom (a partial last row or column is ignored).
    pub fn add_sheet(
        &mut self,
        name: &str,
        sheet: &Image,
        frame_width: u32,
        frame_height: u32,
    ) -> Result<ImageId, RenderError> {
        if frame_width == 0
            || frame_height == 0
            || frame_width > sheet.width
            || frame_height > sheet.height
        {
            return Err(RenderError::Image(format!(
                "frames of {frame_width}×{frame_height} in a {}×{} sheet",
                sheet.width, sheet.height
            )));
        }
        let mut frames = Vec::new();
        for row in 0..sheet.height / frame_height {
            for column in 0..sheet.width / frame_width {
                let mut frame = Image::new(frame_width, frame_height);
                for y in 0..frame_height {
                    for x in 0..frame_width {
                        let pixel = sheet.get(column * frame_width + x, row * frame_height + y);
                        frame.set(x, y, pixel);
                    }
                }
                frames.push(frame);
            }
        }
        Ok(self.add_frames(name, frames))
    }

    /// [`AtlasBuilder::add_sheet`] from PNG bytes.
    pub fn add_sheet_png(
        &mut self,
        name: &str,
        png: &[u8],
        frame_width: u32,
        frame_height: u32,
    ) -> Result<ImageId, RenderError> {
        let sheet = Image::from_png(png)?;
        self.add_sheet(name, &sheet, frame_width, frame_height)
    }

    /// Packs every frame on shelves (tallest first) into a texture `width` wide, as tall as
    /// needed up to `width`.
    pub fn build(self, width: u32) -> Result<Atlas, RenderError> {
        for (name, id) in &self.names {
            let frames = &self.frames[id.0 as usize];
            if frames.is_empty() || frames.iter().any(|f| f.width == 0 || f.height == 0) {
                return Err(RenderError::Image(format!(
                    "image {name:?} has an empty frame"
                )));
            }
        }
        // (image, frame, size) sorted by height, then by order added: deterministic.
        let mut items: Vec<(usize, usize, u32, u32)> = self
            .frames
            .iter()
            .enumerate()
            .flat_map(|(image, frames)| {
                frames
                    .iter()
                    .enumerate()
                    .map(move |(frame, f)| (image, frame, f.width + 2, f.height + 2))
            })
            .collect();
        items.sort_by_key(|&(image, frame, _, height)| (std::cmp::Reverse(height), image, frame));
        let mut places = BTreeMap::new();
        let (mut x, mut y, mut shelf) = (0u32, 0u32, 0u32);
        for &(image, frame, w, h) in &items {
            if w > width {
                return Err(RenderError::Image(format!(
                    "a frame {} px wide does not fit a {width} px atlas",
                    w - 2
                )));
            }
            if x + w > width {
                (x, y, shelf) = (0, y + shelf, 0);
            }
            places.insert((image, frame), (x, y));
            x += w;
            shelf = shelf.max(h);
        }
        let height = (y + shelf).max(1).next_power_of_two();
        if height > width.max(crate::image::MAX_SIDE) {
            return Err(RenderError::Image(format!(
                "the atlas needs {height} rows (more than {})",
                width.max(crate::image::MAX_SIDE)
            )));
        }
        let mut texture = Image::new(width, height);
        let mut uvs = Vec::with_capacity(self.frames.len());
        #[allow(clippy::cast_precision_loss)] // texture sizes
        let (tw, th) = (width as f32, height as f32);
        for (image, frames) in self.frames.iter().enumerate() {
            let mut rects = Vec::with_capacity(frames.len());
            for (index, frame) in frames.iter().enumerate() {
                let (px, py) = places[&(image, index)];
                // The border: the frame's edge pixels repeated one pixel out.
                for by in 0..frame.height + 2 {
                    for bx in 0..frame.width + 2 {
                        let sx = bx.saturating_sub(1).min(frame.width - 1);
                        let sy = by.saturating_sub(1).min(frame.height - 1);
                        texture.set(px + bx, py + by, frame.get(sx, sy));
                    }
                }
                #[allow(clippy::cast_precision_loss)] // texture coordinates
                rects.push([
                    (px + 1) as f32 / tw,
                    (py + 1) as f32 / th,
                    (px + 1 + frame.width) as f32 / tw,
                    (py + 1 + frame.height) as f32 / th,
                ]);
            }
            uvs.push(rects);
        }
        Ok(Atlas {
            image: texture,
            uvs,
            names: self.names,
        })
    }
}

/// Packed images: the texture and where each frame lies in it.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// The texture's pixels.
    pub image: Image,
    uvs: Vec<Vec<[f32; 4]>>,
    names: BTreeMap<String, ImageId>,
}

impl Atlas {
    /// The image named `name`.
    pub fn id(&self, name: &str) -> Option<ImageId> {
        self.names.get(name).copied()
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = (&str, ImageId)> {
        self.names.iter().map(|(name, id)| (name.as_str(), *id))
    }

    /// Frames of an image (0 if unknown).
    pub fn frames(&self, id: ImageId) -> u32 {
        self.uvs
            .get(id.0 as usize)
            .map_or(0, |frames| u32::try_from(frames.len()).unwrap_or(u32::MAX))
    }

    /// The texture rectangle (u0, v0, u1, v1) of a frame (wrapping); the white image's for an
    /// unknown id.
    pub fn uv(&self, id: ImageId, frame: u32) -> [f32; 4] {
        let frames = self.uvs.get(id.0 as usize).unwrap_or(&self.uvs[0]);
        frames[frame as usize % frames.len().max(1)]
    }
}

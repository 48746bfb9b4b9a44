//! Pictures as the model sees them: the camera's RGB565 pixels expanded to 8 bits by bit
//! replication, then divided by 255; and the upscales the model is compared with.

use std::path::Path;

use super::error::ModelError;
use super::network::FeatureMap;

/// An 8-bit RGB picture, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgb8 {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `pixels[y * width + x]`.
    pub pixels: Vec<[u8; 3]>,
}

/// PSNR in dB of a mean squared error in 8-bit levels.
pub fn psnr_db(mse: f64) -> f64 {
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// RGB565 to 8 bits per channel by bit replication (the camera's convention).
pub fn expand_rgb565(p: u16) -> [u8; 3] {
    let (r, g, b) = ((p >> 11) as u8 & 31, (p >> 5) as u8 & 63, p as u8 & 31);
    [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)]
}

impl Rgb8 {
    /// Reads an 8-bit RGB (or RGBA) PNG as it is.
    pub fn read_png(path: &Path) -> Result<Rgb8, ModelError> {
        let (width, height, pixels) = hdl_sim::ov7670::read_png_rgb8(path).map_err(|e| ModelError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(Rgb8 {
            width: width as usize,
            height: height as usize,
            pixels,
        })
    }

    /// Reads a PNG as the camera would deliver it: RGB565, expanded back to 8 bits.
    pub fn read_as_camera(path: &Path) -> Result<Rgb8, ModelError> {
        let mut picture = Rgb8::read_png(path)?;
        for p in &mut picture.pixels {
            *p = expand_rgb565(hdl_sim::ov7670::rgb565(p[0], p[1], p[2]));
        }
        Ok(picture)
    }

    /// PSNR in dB against `original`, which must be the same size, `border` pixels
    /// excluded at each edge, as super-resolution papers measure it; infinite when equal.
    pub fn psnr(&self, original: &Rgb8, border: usize) -> f64 {
        debug_assert_eq!((self.width, self.height), (original.width, original.height));
        let (mut sum, mut count) = (0.0, 0usize);
        for y in border..self.height.saturating_sub(border) {
            for x in border..self.width.saturating_sub(border) {
                let i = y * self.width + x;
                for (a, b) in self.pixels[i].iter().zip(&original.pixels[i]) {
                    sum += (*a as f64 - *b as f64).powi(2);
                }
                count += 3;
            }
        }
        psnr_db(sum / count.max(1) as f64)
    }

    /// The `width` x `height` part whose top-left pixel is (`x0`, `y0`); it must lie
    /// inside the picture.
    pub fn crop(&self, x0: usize, y0: usize, width: usize, height: usize) -> Rgb8 {
        Rgb8 {
            width,
            height,
            pixels: (0..height)
                .flat_map(|y| &self.pixels[(y0 + y) * self.width + x0..][..width])
                .copied()
                .collect(),
        }
    }

    /// The picture as the network's input: channels RGB, values in [0, 1].
    pub fn to_input(&self) -> FeatureMap {
        let mut map = FeatureMap::zeros(3, self.height, self.width);
        for (i, p) in self.pixels.iter().enumerate() {
            for (c, &v) in p.iter().enumerate() {
                map.data[c * self.width * self.height + i] = v as f64 / 255.0;
            }
        }
        map
    }

    /// A network output (values nominally in [0, 1]) as 8-bit: clamped, times 255,
    /// rounded to nearest.
    pub fn from_output(map: &FeatureMap) -> Rgb8 {
        let n = map.width * map.height;
        let level = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        Rgb8 {
            width: map.width,
            height: map.height,
            pixels: (0..n).map(|i| [0, 1, 2].map(|c| level(map.data[c * n + i]))).collect(),
        }
    }

    /// Writes an RGB PNG.
    pub fn write_png(&self, path: &Path) -> Result<(), ModelError> {
        let io = |e: String| ModelError::Io {
            path: path.display().to_string(),
            message: e,
        };
        let file = std::fs::File::create(path).map_err(|e| io(e.to_string()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let data: Vec<u8> = self.pixels.iter().flatten().copied().collect();
        encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&data))
            .map_err(|e| io(e.to_string()))
    }

    /// Nearest-neighbour upscale by `s`.
    pub fn nearest(&self, s: usize) -> Rgb8 {
        let (w, h) = (self.width * s, self.height * s);
        Rgb8 {
            width: w,
            height: h,
            pixels: (0..w * h).map(|i| self.pixels[(i / w / s) * self.width + (i % w) / s]).collect(),
        }
    }

    /// Bicubic upscale by `s` (Keys' kernel, a = -0.5, pixel centres aligned, edges
    /// clamped), as image libraries do it.
    pub fn bicubic(&self, s: usize) -> Rgb8 {
        let (w, h) = (self.width * s, self.height * s);
        let weights = |t: f64| {
            let k = |x: f64| {
                let x = x.abs();
                if x <= 1.0 {
                    (1.5 * x - 2.5) * x * x + 1.0
                } else if x < 2.0 {
                    ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
                } else {
                    0.0
                }
            };
            [k(t + 1.0), k(t), k(1.0 - t), k(2.0 - t)]
        };
        let source = |o: usize| (o as f64 + 0.5) / s as f64 - 0.5;
        let mut pixels = Vec::with_capacity(w * h);
        for y in 0..h {
            let sy = source(y);
            let (y0, wy) = (sy.floor() as isize, weights(sy - sy.floor()));
            for x in 0..w {
                let sx = source(x);
                let (x0, wx) = (sx.floor() as isize, weights(sx - sx.floor()));
                let mut acc = [0.0f64; 3];
                for (dy, fy) in wy.iter().enumerate() {
                    let yy = (y0 + dy as isize - 1).clamp(0, self.height as isize - 1) as usize;
                    for (dx, fx) in wx.iter().enumerate() {
                        let xx = (x0 + dx as isize - 1).clamp(0, self.width as isize - 1) as usize;
                        let p = self.pixels[yy * self.width + xx];
                        for c in 0..3 {
                            acc[c] += fy * fx * p[c] as f64;
                        }
                    }
                }
                pixels.push(acc.map(|v| v.round().clamp(0.0, 255.0) as u8));
            }
        }
        Rgb8 {
            width: w,
            height: h,
            pixels,
        }
    }

    /// Pictures in one row, top-aligned, `gap` pixels apart on a dark grey ground: the
    /// comparison a reader takes in at a glance.
    pub fn side_by_side(panels: &[&Rgb8], gap: usize) -> Rgb8 {
        let width = panels.iter().map(|p| p.width).sum::<usize>() + gap * panels.len().saturating_sub(1);
        let height = panels.iter().map(|p| p.height).max().unwrap_or(0);
        let mut out = Rgb8 {
            width,
            height,
            pixels: vec![[40; 3]; width * height],
        };
        let mut left = 0;
        for panel in panels {
            for (y, row) in panel.pixels.chunks(panel.width.max(1)).enumerate() {
                out.pixels[y * width + left..][..panel.width].copy_from_slice(row);
            }
            left += panel.width + gap;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(width: usize, height: usize, level: u8) -> Rgb8 {
        Rgb8 {
            width,
            height,
            pixels: vec![[level; 3]; width * height],
        }
    }

    #[test]
    fn psnr_counts_only_the_pixels_inside_the_border() {
        let original = flat(20, 20, 100);
        let mut upscale = original.clone();
        upscale.pixels[0] = [0; 3]; // in the 8-pixel border: ignored
        assert_eq!(upscale.psnr(&original, 8), f64::INFINITY);
        upscale.pixels[9 * 20 + 10][1] = 103; // one channel of the 4x4 interior, 3 levels off
        let expected = 10.0 * (255.0f64 * 255.0 / (9.0 / 48.0)).log10();
        assert!((upscale.psnr(&original, 8) - expected).abs() < 1e-12);
    }

    #[test]
    fn crop_takes_the_named_part() {
        let mut picture = flat(5, 4, 0);
        for (i, p) in picture.pixels.iter_mut().enumerate() {
            *p = [i as u8; 3];
        }
        let part = picture.crop(1, 2, 3, 2);
        assert_eq!((part.width, part.height), (3, 2));
        assert_eq!(part.pixels.iter().map(|p| p[0]).collect::<Vec<_>>(), [11, 12, 13, 16, 17, 18]);
    }
}

//! An 8-bit RGB picture, read from and written to PNG, with the few operations the
//! project's comparisons need.

use std::fmt;
use std::path::Path;

/// An 8-bit RGB picture, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `pixels[y * width + x]`, as `[r, g, b]`.
    pub pixels: Vec<[u8; 3]>,
}

/// A picture file that could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PictureError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for PictureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for PictureError {}

/// PSNR in dB of a mean squared error in 8-bit levels; infinite for no error.
pub fn psnr_db(mse: f64) -> f64 {
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

impl Picture {
    /// A `width` x `height` picture of one colour.
    pub fn filled(width: usize, height: usize, rgb: [u8; 3]) -> Picture {
        Picture {
            width,
            height,
            pixels: vec![rgb; width * height],
        }
    }

    /// Reads an 8-bit RGB or RGBA PNG (alpha is dropped).
    pub fn read_png(path: &Path) -> Result<Picture, PictureError> {
        let error = |message: String| PictureError {
            path: path.display().to_string(),
            message,
        };
        let file = std::fs::File::open(path).map_err(|e| error(e.to_string()))?;
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .map_err(|e| error(e.to_string()))?;
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).map_err(|e| error(e.to_string()))?;
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Grayscale => return Err(error("an 8-bit RGB or RGBA PNG is needed, not a greyscale one".into())),
            png::ColorType::GrayscaleAlpha => {
                return Err(error("an 8-bit RGB or RGBA PNG is needed, not a greyscale one with alpha".into()))
            }
            png::ColorType::Indexed => return Err(error("an 8-bit RGB or RGBA PNG is needed, not one with a palette".into())),
        };
        if info.bit_depth != png::BitDepth::Eight {
            let bits = info.bit_depth as u8;
            return Err(error(format!("an 8-bit PNG is needed, not a {bits}-bit one")));
        }
        Ok(Picture {
            width: info.width as usize,
            height: info.height as usize,
            pixels: buf[..info.buffer_size()].chunks(channels).map(|p| [p[0], p[1], p[2]]).collect(),
        })
    }

    /// Writes an 8-bit RGB PNG.
    pub fn write_png(&self, path: &Path) -> Result<(), PictureError> {
        let error = |message: String| PictureError {
            path: path.display().to_string(),
            message,
        };
        let file = std::fs::File::create(path).map_err(|e| error(e.to_string()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let data: Vec<u8> = self.pixels.iter().flatten().copied().collect();
        encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&data))
            .map_err(|e| error(e.to_string()))
    }

    /// The pixel at column `x`, row `y`.
    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }

    /// PSNR in dB against `original`, which must be the same size, `border` pixels
    /// excluded at each edge, as super-resolution papers measure it; infinite when equal.
    pub fn psnr(&self, original: &Picture, border: usize) -> f64 {
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
    pub fn crop(&self, x0: usize, y0: usize, width: usize, height: usize) -> Picture {
        Picture {
            width,
            height,
            pixels: (0..height)
                .flat_map(|y| &self.pixels[(y0 + y) * self.width + x0..][..width])
                .copied()
                .collect(),
        }
    }

    /// Nearest-neighbour upscale by `s`.
    pub fn nearest(&self, s: usize) -> Picture {
        let (w, h) = (self.width * s, self.height * s);
        Picture {
            width: w,
            height: h,
            pixels: (0..w * h).map(|i| self.pixels[(i / w / s) * self.width + (i % w) / s]).collect(),
        }
    }

    /// Pictures in one row, top-aligned, `gap` pixels apart on a dark grey ground: the
    /// comparison a reader takes in at a glance.
    pub fn side_by_side(panels: &[&Picture], gap: usize) -> Picture {
        let width = panels.iter().map(|p| p.width).sum::<usize>() + gap * panels.len().saturating_sub(1);
        let height = panels.iter().map(|p| p.height).max().unwrap_or(0);
        let mut out = Picture::filled(width, height, [40; 3]);
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

    #[test]
    fn psnr_counts_only_the_pixels_inside_the_border() {
        let original = Picture::filled(20, 20, [100; 3]);
        let mut upscale = original.clone();
        upscale.pixels[0] = [0; 3]; // in the 8-pixel border: ignored
        assert_eq!(upscale.psnr(&original, 8), f64::INFINITY);
        upscale.pixels[9 * 20 + 10][1] = 103; // one channel of the 4x4 interior, 3 levels off
        let expected = 10.0 * (255.0f64 * 255.0 / (9.0 / 48.0)).log10();
        assert!((upscale.psnr(&original, 8) - expected).abs() < 1e-12);
    }

    #[test]
    fn crop_takes_the_named_part() {
        let mut picture = Picture::filled(5, 4, [0; 3]);
        for (i, p) in picture.pixels.iter_mut().enumerate() {
            *p = [i as u8; 3];
        }
        let part = picture.crop(1, 2, 3, 2);
        assert_eq!((part.width, part.height), (3, 2));
        assert_eq!(part.pixels.iter().map(|p| p[0]).collect::<Vec<_>>(), [11, 12, 13, 16, 17, 18]);
    }

    #[test]
    fn a_picture_survives_a_png_round_trip_and_a_missing_file_is_named() {
        let mut picture = Picture::filled(3, 2, [0; 3]);
        for (i, p) in picture.pixels.iter_mut().enumerate() {
            *p = [i as u8, 100 + i as u8, 255 - i as u8];
        }
        let path = std::env::temp_dir().join(format!("hdl-video-{}.png", std::process::id()));
        picture.write_png(&path).unwrap();
        assert_eq!(Picture::read_png(&path).unwrap(), picture);
        std::fs::remove_file(&path).unwrap();
        let missing = Picture::read_png(&path).unwrap_err();
        assert_eq!(missing.path, path.display().to_string());
        assert!(missing.to_string().starts_with(&format!("{}: ", path.display())));
    }
}

//! Pictures as the model sees them: the camera's RGB565 pixels expanded to 8 bits by bit
//! replication, then divided by 255; and the bicubic upscale the model is compared with.

use std::path::Path;

use hdl_video::{rgb565, Picture};

use super::error::ModelError;
use super::network::FeatureMap;

/// Reads a PNG as the camera would deliver it: RGB565, expanded back to 8 bits.
pub fn read_as_camera(path: &Path) -> Result<Picture, ModelError> {
    let mut picture = Picture::read_png(path)?;
    for p in &mut picture.pixels {
        *p = rgb565::as_camera(*p);
    }
    Ok(picture)
}

/// The picture as the network's input: channels RGB, values in [0, 1].
pub fn to_input(picture: &Picture) -> FeatureMap {
    let mut map = FeatureMap::zeros(3, picture.height, picture.width);
    for (i, p) in picture.pixels.iter().enumerate() {
        for (c, &v) in p.iter().enumerate() {
            map.data[c * picture.width * picture.height + i] = v as f64 / 255.0;
        }
    }
    map
}

/// A network output (values nominally in [0, 1]) as 8-bit: clamped, times 255,
/// rounded to nearest.
pub fn from_output(map: &FeatureMap) -> Picture {
    let n = map.width * map.height;
    let level = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    Picture {
        width: map.width,
        height: map.height,
        pixels: (0..n).map(|i| [0, 1, 2].map(|c| level(map.data[c * n + i]))).collect(),
    }
}

/// Bicubic upscale by `s` (Keys' kernel, a = -0.5, pixel centres aligned, edges
/// clamped), as image libraries do it.
pub fn bicubic(picture: &Picture, s: usize) -> Picture {
    let (w, h) = (picture.width * s, picture.height * s);
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
                let yy = (y0 + dy as isize - 1).clamp(0, picture.height as isize - 1) as usize;
                for (dx, fx) in wx.iter().enumerate() {
                    let xx = (x0 + dx as isize - 1).clamp(0, picture.width as isize - 1) as usize;
                    let p = picture.pixels[yy * picture.width + xx];
                    for c in 0..3 {
                        acc[c] += fy * fx * p[c] as f64;
                    }
                }
            }
            pixels.push(acc.map(|v| v.round().clamp(0.0, 255.0) as u8));
        }
    }
    Picture {
        width: w,
        height: h,
        pixels,
    }
}

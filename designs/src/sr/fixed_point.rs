//! The fixed-point model: the bit-exact specification the hardware must match.
//!
//! Inputs are the 8-bit levels 0..=255 of the camera picture. Each coefficient `c` of the
//! folded model (which takes levels / 255 and gives output / 1) becomes an 18-bit signed
//! integer `q = round(c · 2^f)` — `f` chosen per model so the largest coefficient uses the
//! range — and each bias `b` becomes `round(255 · b · 2^f)`. Then, per output channel:
//!
//! ```text
//! acc = bias_q + Σ q · level          (exact, in `accumulator_bits` signed bits)
//! out = clamp((acc + 2^(f-1)) >> f, lo, hi)   (round half up, then the final clamps)
//! ```
//!
//! with `lo`, `hi` the final clamps in levels (ReLU and the output convention: 0, 255).

use fixed::types::extra::U17;
use fixed::FixedI32;

use super::fold::FoldedModel;
use super::picture::Rgb8;

/// A coefficient as the multiplier takes it: 18 bits, of which 17 are fraction, times
/// the model's power-of-two scale.
pub type Coefficient = FixedI32<U17>;

/// The largest coefficient magnitude in raw units: 18-bit signed.
const Q_MAX: i64 = (1 << 17) - 1;

/// The fixed-point model.
#[derive(Clone, Debug, PartialEq)]
pub struct FixedModel {
    /// The folded model's geometry (its float coefficients are not used here).
    pub folded: FoldedModel,
    /// Fraction bits of the integer coefficients: `q = round(c · 2^fraction_bits)`.
    pub fraction_bits: u32,
    /// Per coefficient set, as the folded sets, the coefficients (`to_bits()` is `q`).
    pub coefficients: Vec<Vec<Coefficient>>,
    /// Per coefficient set, the bias in accumulator units.
    pub biases: Vec<Vec<i64>>,
    /// The accumulator's signed width, enough for any input.
    pub accumulator_bits: u32,
    /// The output range in levels.
    pub clamp: (i64, i64),
}

impl FixedModel {
    /// Quantises a folded model.
    pub fn quantise(folded: &FoldedModel) -> FixedModel {
        let largest = folded
            .sets
            .iter()
            .flat_map(|s| s.coefficients.iter())
            .fold(0.0f64, |m, c| m.max(c.abs()));
        // The largest coefficient, times 2^f, within 18 signed bits.
        let mut fraction_bits = 0u32;
        while fraction_bits < 40 && (largest * 2f64.powi(fraction_bits as i32 + 1)).round() <= Q_MAX as f64 {
            fraction_bits += 1;
        }
        let scale = 2f64.powi(fraction_bits as i32);
        let coefficients: Vec<Vec<Coefficient>> = folded
            .sets
            .iter()
            .map(|s| {
                s.coefficients
                    .iter()
                    .map(|c| Coefficient::from_bits(((c * scale).round() as i64).clamp(-Q_MAX - 1, Q_MAX) as i32))
                    .collect()
            })
            .collect();
        let biases: Vec<Vec<i64>> = folded
            .sets
            .iter()
            .map(|s| s.bias.iter().map(|b| (255.0 * b * scale).round() as i64).collect())
            .collect();
        let per_output = folded.per_output();
        let worst = coefficients
            .iter()
            .zip(&biases)
            .flat_map(|(q, b)| {
                q.chunks(per_output)
                    .zip(b)
                    .map(|(qs, b)| qs.iter().map(|c| c.to_bits().unsigned_abs() as i64 * 255).sum::<i64>() + b.abs())
            })
            .max()
            .unwrap_or(0);
        let accumulator_bits = 65 - worst.leading_zeros() + 1;
        let level = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as i64;
        FixedModel {
            clamp: (level(folded.clamp.0), level(folded.clamp.1)),
            folded: folded.clone(),
            fraction_bits,
            coefficients,
            biases,
            accumulator_bits: accumulator_bits.min(64),
        }
    }

    /// Runs the model on a picture, bit-exactly as the hardware does.
    pub fn run(&self, input: &Rgb8) -> Rgb8 {
        let f = &self.folded;
        let (h, w) = (input.height * f.scale, input.width * f.scale);
        let half = 1i64 << (self.fraction_bits.max(1) - 1);
        let mut pixels = vec![[0u8; 3]; w * h];
        for y in 0..h {
            for x in 0..w {
                let (set, top, left) = f.locate(y, x, h, w);
                for (o, out) in pixels[y * w + x].iter_mut().enumerate().take(f.outputs) {
                    let coefficients = &self.coefficients[set][o * f.per_output()..];
                    let acc = self.biases[set][o]
                        + f.taps(top, left, input.height, input.width)
                            .map(|(k, i, sy, sx)| coefficients[k].to_bits() as i64 * input.pixels[sy * input.width + sx][i] as i64)
                            .sum::<i64>();
                    *out = ((acc + half) >> self.fraction_bits).clamp(self.clamp.0, self.clamp.1) as u8;
                }
            }
        }
        Rgb8 {
            width: w,
            height: h,
            pixels,
        }
    }

    /// Bits of coefficient memory: every set's coefficients at 18 bits.
    pub fn coefficient_bits(&self) -> usize {
        self.coefficients.iter().map(|c| c.len() * 18).sum()
    }
}

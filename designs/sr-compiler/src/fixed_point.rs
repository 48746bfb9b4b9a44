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
//!
//! How far this can be from the float model is computed, not hoped for: see
//! [`Accuracy`]. The model compiler promises at most one level on the picture it is
//! given and a bound of at most two over every input; [`FixedModel::check_accuracy`]
//! says when a model breaks that promise, and the tools refuse such a model unless told
//! otherwise. The library still quantises any model, so hardware can be tested bit for
//! bit against models of any accuracy (random weights, say).

use fixed::types::extra::U17;
use fixed::FixedI32;

use super::error::ModelError;
use super::fold::FoldedModel;
use hdl_video::Picture;

/// A coefficient as the multiplier takes it: 18 bits, of which 17 are fraction, times
/// the model's power-of-two scale.
pub type Coefficient = FixedI32<U17>;

/// The width of a coefficient: the multiplier's operand (ECP5 `MULT18X18D`).
pub const COEFFICIENT_BITS: u32 = 18;

/// The largest coefficient magnitude in raw units: 18-bit signed.
const Q_MAX: i64 = (1 << (COEFFICIENT_BITS - 1)) - 1;

/// The largest bias magnitude in accumulator units. No model worth running comes near
/// it; it keeps a broken model's arithmetic within 64 bits, and its error shows in the
/// bound.
const BIAS_MAX: i64 = 1 << 40;

/// The promise: at most this many levels from the float reference on the given picture.
pub const MAX_MEASURED_LEVELS: u8 = 1;

/// The promise: at most this many levels from the float model on any input.
pub const MAX_BOUND_LEVELS: f64 = 2.0;

/// How far the fixed-point arithmetic can be from the folded float model.
#[derive(Clone, Debug, PartialEq)]
pub struct Accuracy {
    /// The worst case over all inputs, in levels: for each output, the quantisation
    /// error of its bias plus 255 times the sum of its coefficients' quantisation errors,
    /// the largest of these, plus one for rounding (half a level in the fixed-point
    /// output, half in the float output rounded to levels). An integer difference is at
    /// most its floor.
    pub bound_levels: f64,
    /// The largest coefficient magnitude of the folded model.
    pub largest: f64,
    /// Where it is: coefficient set and tap within the set.
    pub largest_at: (usize, usize),
    /// Taps per output channel: what the quantisation errors add up over.
    pub taps: usize,
    /// Fraction bits the promised bound needs for that many taps.
    pub fraction_bits_needed: u32,
    /// Bits, with the sign, the largest coefficient needs at that many fraction bits.
    pub bits_needed: u32,
}

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
    /// How far from the float model this arithmetic can be.
    pub accuracy: Accuracy,
}

impl FixedModel {
    /// Quantises a folded model.
    pub fn quantise(folded: &FoldedModel) -> FixedModel {
        let (largest, largest_at) = largest_coefficient(folded);
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
            .map(|s| {
                s.bias
                    .iter()
                    .map(|b| ((255.0 * b * scale).round() as i64).clamp(-BIAS_MAX, BIAS_MAX))
                    .collect()
            })
            .collect();
        let per_output = folded.per_output();
        let accuracy = Accuracy::of(folded, &coefficients, &biases, fraction_bits, (largest, largest_at));
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
            accuracy,
        }
    }

    /// Whether the arithmetic keeps the promise over every input: `Err` when the
    /// coefficients do not fit 18 bits at the precision the bound needs, or the bound
    /// exceeds [`MAX_BOUND_LEVELS`].
    pub fn check_accuracy(&self) -> Result<(), ModelError> {
        let a = &self.accuracy;
        if a.bits_needed > COEFFICIENT_BITS {
            return Err(ModelError::CoefficientRange {
                largest: a.largest,
                set: a.largest_at.0,
                tap: a.largest_at.1,
                taps: a.taps,
                fraction_bits: a.fraction_bits_needed,
                bits: a.bits_needed,
            });
        }
        if a.bound_levels > MAX_BOUND_LEVELS {
            return Err(ModelError::Inexact {
                measured: None,
                bound: a.bound_levels,
            });
        }
        Ok(())
    }

    /// Whether `measured`, the largest difference from the float reference on a picture
    /// in levels, keeps the promise of at most [`MAX_MEASURED_LEVELS`].
    pub fn check_measured(&self, measured: u8) -> Result<(), ModelError> {
        if measured > MAX_MEASURED_LEVELS {
            return Err(ModelError::Inexact {
                measured: Some(measured),
                bound: self.accuracy.bound_levels,
            });
        }
        Ok(())
    }

    /// Runs the model on a picture, bit-exactly as the hardware does.
    pub fn run(&self, input: &Picture) -> Picture {
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
        Picture {
            width: w,
            height: h,
            pixels,
        }
    }

    /// Bits of coefficient memory: every set's coefficients at 18 bits.
    pub fn coefficient_bits(&self) -> usize {
        self.coefficients.iter().map(|c| c.len() * COEFFICIENT_BITS as usize).sum()
    }
}

/// The largest coefficient magnitude of `folded`, and where it first occurs: (set, tap).
fn largest_coefficient(folded: &FoldedModel) -> (f64, (usize, usize)) {
    let mut largest = (0.0f64, (0, 0));
    for (s, set) in folded.sets.iter().enumerate() {
        for (t, c) in set.coefficients.iter().enumerate() {
            if c.abs() > largest.0 {
                largest = (c.abs(), (s, t));
            }
        }
    }
    largest
}

impl Accuracy {
    /// The accuracy of `coefficients` and `biases`, quantised from `folded` at
    /// `fraction_bits`, whose largest coefficient is `largest`.
    fn of(
        folded: &FoldedModel,
        coefficients: &[Vec<Coefficient>],
        biases: &[Vec<i64>],
        fraction_bits: u32,
        (largest, largest_at): (f64, (usize, usize)),
    ) -> Accuracy {
        let scale = 2f64.powi(fraction_bits as i32);
        let per_output = folded.per_output();
        let mut worst = 0.0f64;
        for (s, set) in folded.sets.iter().enumerate() {
            for (o, bias) in set.bias.iter().enumerate() {
                let taps = o * per_output..(o + 1) * per_output;
                let bias_error = (biases[s][o] as f64 / scale - 255.0 * bias).abs();
                let tap_error: f64 = set.coefficients[taps.clone()]
                    .iter()
                    .zip(&coefficients[s][taps])
                    .map(|(c, q)| (q.to_bits() as f64 / scale - c).abs())
                    .sum();
                worst = worst.max(bias_error + 255.0 * tap_error);
            }
        }
        // Each coefficient's error is at most half a unit of the last fraction bit: over
        // `per_output` taps of up to 255, that is at most one level (the bound's budget
        // beside rounding) when 2^(f+1) >= 255 * taps + 1 (the 1 for the bias).
        let fraction_bits_needed = ((255.0 * per_output as f64 + 1.0).log2() - 1.0).ceil().max(0.0) as u32;
        let magnitude = (largest * 2f64.powi(fraction_bits_needed as i32)).round();
        let magnitude_bits = if magnitude >= 1.0 { magnitude.log2().floor() as u32 + 1 } else { 0 };
        Accuracy {
            bound_levels: worst + 1.0,
            largest,
            largest_at,
            taps: per_output,
            fraction_bits_needed,
            bits_needed: magnitude_bits + 1,
        }
    }
}

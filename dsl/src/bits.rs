//! Fixed-width bit vectors: the values of constants, reset values and memory contents.

use std::fmt::{self, Write as _};

/// A bit vector of a fixed width, stored as little-endian 64-bit words.
///
/// Bits above `width` in the last word are always zero, so two `Bits` with the same
/// width and the same bits compare equal.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Bits {
    width: u32,
    words: Vec<u64>,
}

fn words_for(width: u32) -> usize {
    (width as usize).div_ceil(64).max(1)
}

impl Bits {
    /// All-zero bits of the given width.
    pub fn zero(width: u32) -> Bits {
        Bits {
            width,
            words: vec![0; words_for(width)],
        }
    }

    /// The low `width` bits of `value`; higher bits read as zero.
    pub fn from_u128(value: u128, width: u32) -> Bits {
        let mut bits = Bits::zero(width);
        bits.words[0] = value as u64;
        if bits.words.len() > 1 {
            bits.words[1] = (value >> 64) as u64;
        }
        bits.mask_top();
        bits
    }

    /// The two's complement of `value` in `width` bits: sign-extended, then truncated.
    pub fn from_i128(value: i128, width: u32) -> Bits {
        let mut bits = Bits::zero(width);
        let fill = if value < 0 { u64::MAX } else { 0 };
        for (i, word) in bits.words.iter_mut().enumerate() {
            *word = match i {
                0 => value as u64,
                1 => (value >> 64) as u64,
                _ => fill,
            };
        }
        bits.mask_top();
        bits
    }

    /// Bits from little-endian words; bits beyond `width` are dropped.
    pub fn from_words(words: &[u64], width: u32) -> Bits {
        let mut bits = Bits::zero(width);
        for (dst, src) in bits.words.iter_mut().zip(words) {
            *dst = *src;
        }
        bits.mask_top();
        bits
    }

    fn mask_top(&mut self) {
        let used = self.width % 64;
        let n = self.words.len();
        if self.width == 0 {
            self.words.iter_mut().for_each(|w| *w = 0);
        } else if used != 0 {
            self.words[n - 1] &= (1u64 << used) - 1;
        }
    }

    /// The width in bits.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The little-endian words; bits above the width are zero.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Bit `index` (0 is the least significant); bits at or above the width are zero.
    pub fn bit(&self, index: u32) -> bool {
        index < self.width && (self.words[(index / 64) as usize] >> (index % 64)) & 1 == 1
    }

    /// Sets bit `index`, which must be below the width.
    pub fn set_bit(&mut self, index: u32, value: bool) {
        assert!(index < self.width, "bit {index} out of range for width {}", self.width);
        let word = &mut self.words[(index / 64) as usize];
        let mask = 1u64 << (index % 64);
        if value {
            *word |= mask;
        } else {
            *word &= !mask;
        }
    }

    /// The low 64 bits as an unsigned number.
    pub fn to_u64(&self) -> u64 {
        self.words[0]
    }

    /// The value read as a two's complement number of this width, if it fits in `i128`.
    pub fn to_i128(&self) -> Option<i128> {
        if self.width > 128 {
            return None;
        }
        let low = self.words[0] as u128 | (self.words.get(1).copied().unwrap_or(0) as u128) << 64;
        if self.width == 0 {
            return Some(0);
        }
        let shift = 128 - self.width;
        Some(((low << shift) as i128) >> shift)
    }

    /// The value read as an unsigned number, if it fits in `u128`.
    pub fn to_u128(&self) -> Option<u128> {
        if self.words[2.min(self.words.len())..].iter().any(|&w| w != 0) {
            return None;
        }
        Some(self.words[0] as u128 | (self.words.get(1).copied().unwrap_or(0) as u128) << 64)
    }

    /// Zero- or sign-extends (or truncates) to `width`.
    pub fn resize(&self, width: u32, signed: bool) -> Bits {
        let mut out = Bits::zero(width);
        let sign = signed && self.width > 0 && self.bit(self.width - 1);
        for i in 0..width {
            let b = if i < self.width { self.bit(i) } else { sign };
            if b {
                out.set_bit(i, true);
            }
        }
        out
    }

    /// Whether every bit is zero.
    pub fn is_zero(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The bits as a binary string, most significant first.
    pub fn to_binary(&self) -> String {
        (0..self.width).rev().map(|i| if self.bit(i) { '1' } else { '0' }).collect()
    }

    /// The bits as a hexadecimal string, most significant first, without prefix.
    pub fn to_hex(&self) -> String {
        let digits = self.width.div_ceil(4).max(1);
        (0..digits)
            .rev()
            .map(|d| {
                let nibble = (0..4).fold(0u32, |acc, k| acc | (self.bit(d * 4 + k) as u32) << k);
                char::from_digit(nibble, 16).unwrap()
            })
            .collect()
    }
}

impl fmt::Display for Bits {
    /// Verilog-style: `8'h2a`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}'h", self.width)?;
        for d in (0..self.width.div_ceil(4).max(1)).rev() {
            let nibble = (0..4).fold(0u32, |acc, k| acc | (self.bit(d * 4 + k) as u32) << k);
            f.write_char(char::from_digit(nibble, 16).unwrap_or('0'))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_round_trip_and_mask() {
        let b = Bits::from_i128(-3, 5);
        assert_eq!(b.to_binary(), "11101");
        assert_eq!(b.to_i128(), Some(-3));
        assert_eq!(b.to_u128(), Some(29));
        assert_eq!(Bits::from_u128(0x1ff, 8).to_u64(), 0xff);
    }

    #[test]
    fn wide_values_extend_across_words() {
        let b = Bits::from_i128(-1, 4).resize(130, true);
        assert!(b.bit(129));
        assert_eq!(b.words()[2], 0b11);
        assert_eq!(Bits::from_u128(1, 130).to_hex().len(), 33);
        assert_eq!(format!("{}", Bits::from_u128(42, 8)), "8'h2a");
    }
}

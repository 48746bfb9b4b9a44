//! Shapes (width and signedness) and the width rules of every operator.
//!
//! The rules are Amaranth's: a result is always wide enough to hold every value the
//! operation can produce, so arithmetic never overflows silently; narrowing is explicit.

use std::fmt;

/// The largest width a value may have. Wider results (for example a variable left
/// shift by a wide amount) are reported as elaboration errors.
pub const MAX_WIDTH: u32 = 1 << 16;

/// The type of a value: how many bits, and whether they are two's complement signed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Shape {
    /// Width in bits, at least 1.
    pub width: u32,
    /// Whether the bits hold a two's complement number.
    pub signed: bool,
}

/// An unsigned shape of `width` bits.
pub const fn unsigned(width: u32) -> Shape {
    Shape { width, signed: false }
}

/// A two's complement signed shape of `width` bits.
pub const fn signed(width: u32) -> Shape {
    Shape { width, signed: true }
}

impl Shape {
    /// The smallest unsigned shape that holds `value` (at least one bit).
    pub fn for_unsigned(value: u128) -> Shape {
        unsigned((128 - value.leading_zeros()).max(1))
    }

    /// The smallest shape that holds `value`: unsigned when it is not negative, as Amaranth does.
    pub fn for_value(value: i128) -> Shape {
        if value >= 0 {
            Shape::for_unsigned(value as u128)
        } else {
            signed(129 - (!value).leading_zeros())
        }
    }

    /// The smallest shape holding every value in `lo..=hi`.
    pub fn for_range(lo: i128, hi: i128) -> Shape {
        let a = Shape::for_value(lo);
        let b = Shape::for_value(hi);
        bitwise(a, b)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.signed { "signed" } else { "unsigned" };
        write!(f, "{kind}({})", self.width)
    }
}

/// The common shape of two operands of a bitwise operation or a multiplexer: wide enough
/// for both; an unsigned operand joined with a signed one needs one more bit unless the
/// signed one is already wider.
pub fn bitwise(a: Shape, b: Shape) -> Shape {
    match (a.signed, b.signed) {
        (false, false) => unsigned(a.width.max(b.width)),
        (true, true) => signed(a.width.max(b.width)),
        (false, true) => mixed(a.width, b.width),
        (true, false) => mixed(b.width, a.width),
    }
}

fn mixed(unsigned_width: u32, signed_width: u32) -> Shape {
    if unsigned_width < signed_width {
        signed(signed_width)
    } else {
        signed(unsigned_width + 1)
    }
}

/// `a + b` and `a - b`: the common shape plus one bit for the carry.
pub fn add(a: Shape, b: Shape) -> Shape {
    let common = bitwise(a, b);
    Shape {
        width: common.width + 1,
        signed: common.signed,
    }
}

/// `a * b`: the sum of the widths, signed if either operand is.
pub fn mul(a: Shape, b: Shape) -> Shape {
    Shape {
        width: a.width + b.width,
        signed: a.signed || b.signed,
    }
}

/// `-a`: one bit wider, always signed.
pub fn neg(a: Shape) -> Shape {
    signed(a.width + 1)
}

/// `a << n` for a constant `n`.
pub fn shl_const(a: Shape, amount: u32) -> Shape {
    Shape {
        width: a.width + amount,
        signed: a.signed,
    }
}

/// `a >> n` for a constant `n`: the shifted-out bits are gone; at least one bit remains.
pub fn shr_const(a: Shape, amount: u32) -> Shape {
    Shape {
        width: a.width.saturating_sub(amount).max(1),
        signed: a.signed,
    }
}

/// `a << b` for a value `b` of `amount_width` bits: wide enough for the largest shift.
pub fn shl_var(a: Shape, amount_width: u32) -> u64 {
    a.width as u64 + (1u64 << amount_width.min(40)) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amaranth_width_rules() {
        assert_eq!(add(unsigned(8), unsigned(4)), unsigned(9));
        assert_eq!(add(unsigned(8), signed(8)), signed(10));
        assert_eq!(add(unsigned(4), signed(8)), signed(9));
        assert_eq!(mul(unsigned(8), signed(4)), signed(12));
        assert_eq!(bitwise(signed(3), unsigned(3)), signed(4));
        assert_eq!(neg(unsigned(8)), signed(9));
        assert_eq!(shr_const(signed(4), 9), signed(1));
        assert_eq!(Shape::for_value(-1), signed(1));
        assert_eq!(Shape::for_value(-129), signed(9));
        assert_eq!(Shape::for_value(0), unsigned(1));
        assert_eq!(Shape::for_value(255), unsigned(8));
        assert_eq!(Shape::for_range(-2, 200), signed(9));
    }
}

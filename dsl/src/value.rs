//! Values: expressions over signals and constants, with Amaranth's width rules.
//!
//! A [`Value`] is an immutable expression tree, cheap to clone. Signals are values too;
//! a module hands them out. Operations never fail on the spot: a malformed operation
//! (a slice past the end, say) yields a value that carries its error, and elaboration
//! reports it with the source line where it was written.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::bits::Bits;
use crate::error::{Error, ErrorKind, Location};
use crate::shape::{self, signed, unsigned, Shape, MAX_WIDTH};
use crate::stmt::Statement;

/// An expression of a fixed [`Shape`]: a signal, a constant, or an operation on values.
#[derive(Clone, Debug)]
pub struct Value(pub(crate) Arc<Node>);

#[derive(Debug)]
pub(crate) struct Node {
    /// Unique among the values this program makes: the key under which elaboration
    /// remembers a subexpression shared by several statements.
    pub(crate) serial: u64,
    pub(crate) shape: Shape,
    pub(crate) kind: ValueKind,
}

/// Identifies a signal: the module that owns it and its index there.
#[derive(Clone, Debug)]
pub(crate) struct SignalRef {
    pub(crate) module: u32,
    pub(crate) index: u32,
    pub(crate) name: Arc<str>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum UnaryOp {
    Not,
    Neg,
    ReduceAnd,
    ReduceOr,
    ReduceXor,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BinaryOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Variable left shift.
    Shl,
    /// Variable right shift (arithmetic for signed operands).
    Shr,
}

#[derive(Debug)]
pub(crate) enum ValueKind {
    Const(Bits),
    Signal(SignalRef),
    Unary(UnaryOp, Value),
    Binary(BinaryOp, Value, Value),
    /// `sel ? a : b`, with `sel` one bit.
    Mux(Value, Value, Value),
    /// `width` bits from `lo`.
    Slice(Value, u32, u32),
    /// `width` bits from `offset * stride`; bits past the end read as zero.
    Part {
        value: Value,
        offset: Value,
        width: u32,
        stride: u32,
    },
    /// Parts from least to most significant.
    Concat(Vec<Value>),
    Replicate(Value),
    /// The same bits under this node's shape: reinterpretation (same width) or
    /// extension by the operand's signedness (wider) or truncation (narrower).
    Resize(Value),
    /// Whether the state machine `fsm` is in `state`; resolved at elaboration.
    FsmOngoing {
        fsm: crate::fsm::FsmRef,
        state: String,
        location: Location,
    },
    /// An operation that could not be built; its error is reported at elaboration.
    Invalid(Box<Error>),
}

impl Value {
    pub(crate) fn new(shape: Shape, kind: ValueKind) -> Value {
        static NEXT_SERIAL: AtomicU64 = AtomicU64::new(0);
        let serial = NEXT_SERIAL.fetch_add(1, Ordering::Relaxed);
        Value(Arc::new(Node { serial, shape, kind }))
    }

    #[track_caller]
    pub(crate) fn invalid(shape: Shape, message: String) -> Value {
        let error = Error::new(ErrorKind::Invalid, message, Location::caller());
        Value::new(shape, ValueKind::Invalid(Box::new(error)))
    }

    pub(crate) fn kind(&self) -> &ValueKind {
        &self.0.kind
    }

    /// The shape: width and signedness.
    pub fn shape(&self) -> Shape {
        self.0.shape
    }

    /// The width in bits.
    pub fn width(&self) -> u32 {
        self.0.shape.width
    }

    /// Whether the value is signed.
    pub fn is_signed(&self) -> bool {
        self.0.shape.signed
    }

    /// The constant's bits, if this value is a constant.
    pub fn as_const(&self) -> Option<&Bits> {
        match self.kind() {
            ValueKind::Const(bits) => Some(bits),
            _ => None,
        }
    }

    /// The signal's name, if this value is a signal.
    pub fn signal_name(&self) -> Option<&str> {
        match self.kind() {
            ValueKind::Signal(s) => Some(&s.name),
            _ => None,
        }
    }

    /// Assigns `rhs` to this value (a signal, a slice of one, or a [`cat`] of those).
    ///
    /// `rhs` is extended to the target's width according to its own signedness. A wider
    /// `rhs` is an elaboration error: write `.trunc(width)` to drop bits on purpose.
    #[track_caller]
    pub fn eq(&self, rhs: impl Into<Value>) -> Statement {
        Statement::assign(self.clone(), rhs.into(), Location::caller())
    }

    /// Bits `range` (least significant is 0), as an unsigned value.
    #[track_caller]
    pub fn slice(&self, range: Range<u32>) -> Value {
        let Range { start, end } = range;
        if start >= end || end > self.width() {
            return Value::invalid(
                unsigned(end.saturating_sub(start).max(1)),
                format!(
                    "slice {start}..{end} is out of range for a value of shape {}; a slice must be non-empty and within 0..{}",
                    self.shape(),
                    self.width()
                ),
            );
        }
        if start == 0 && end == self.width() && !self.is_signed() {
            return self.clone();
        }
        Value::new(unsigned(end - start), ValueKind::Slice(self.clone(), start, end - start))
    }

    /// Bit `index`, as a one-bit unsigned value.
    #[track_caller]
    pub fn bit(&self, index: u32) -> Value {
        self.slice(index..index + 1)
    }

    /// The most significant bit (the sign bit of a signed value).
    #[track_caller]
    pub fn msb(&self) -> Value {
        self.bit(self.width() - 1)
    }

    /// `width` bits starting at bit `offset` (a value); bits past the end read as zero.
    #[track_caller]
    pub fn bit_select(&self, offset: impl Into<Value>, width: u32) -> Value {
        self.part(offset.into(), width, 1)
    }

    /// Word `index` (a value) of `width`-bit words: bits `index*width ..`; past the end reads as zero.
    #[track_caller]
    pub fn word_select(&self, index: impl Into<Value>, width: u32) -> Value {
        self.part(index.into(), width, width)
    }

    #[track_caller]
    fn part(&self, offset: Value, width: u32, stride: u32) -> Value {
        if offset.is_signed() {
            return Value::invalid(
                unsigned(width.max(1)),
                "a bit-select offset must be unsigned; use `.as_unsigned()` if the value is never negative".into(),
            );
        }
        if width == 0 || width > self.width() {
            return Value::invalid(
                unsigned(width.max(1)),
                format!(
                    "a bit-select of {width} bits from a {}-bit value is not possible; the width must be 1..={}",
                    self.width(),
                    self.width()
                ),
            );
        }
        if let Some(c) = offset.as_const() {
            let lo = c.to_u64().saturating_mul(stride as u64);
            if lo + width as u64 <= self.width() as u64 {
                return self.slice(lo as u32..lo as u32 + width);
            }
        }
        Value::new(
            unsigned(width),
            ValueKind::Part {
                value: self.clone(),
                offset,
                width,
                stride,
            },
        )
    }

    /// The same bits under `shape`: reinterpreted, extended by this value's signedness,
    /// or truncated.
    pub(crate) fn resized(&self, shape: Shape) -> Value {
        if shape == self.shape() {
            return self.clone();
        }
        Value::new(shape, ValueKind::Resize(self.clone()))
    }

    /// The same bits read as a signed value.
    pub fn as_signed(&self) -> Value {
        self.resized(signed(self.width()))
    }

    /// The same bits read as an unsigned value.
    pub fn as_unsigned(&self) -> Value {
        self.resized(unsigned(self.width()))
    }

    /// The low `width` bits, keeping signedness: the only way to narrow a value.
    #[track_caller]
    pub fn trunc(&self, width: u32) -> Value {
        if width == 0 || width > self.width() {
            return Value::invalid(
                Shape {
                    width: width.max(1),
                    ..self.shape()
                },
                format!(
                    "cannot truncate a value of shape {} to {width} bits; the width must be 1..={}",
                    self.shape(),
                    self.width()
                ),
            );
        }
        self.resized(Shape { width, ..self.shape() })
    }

    /// Extends to `width` bits by the value's own signedness (sign bits for signed values).
    #[track_caller]
    pub fn ext(&self, width: u32) -> Value {
        if width < self.width() {
            return Value::invalid(
                Shape {
                    width: width.max(1),
                    ..self.shape()
                },
                format!(
                    "cannot extend a value of shape {} to fewer bits ({width}); use `.trunc({width})`",
                    self.shape()
                ),
            );
        }
        self.resized(Shape { width, ..self.shape() })
    }

    /// Zero-extends to `width` bits, read as unsigned.
    #[track_caller]
    pub fn zext(&self, width: u32) -> Value {
        self.as_unsigned().ext(width)
    }

    /// Sign-extends to `width` bits, read as signed.
    #[track_caller]
    pub fn sext(&self, width: u32) -> Value {
        self.as_signed().ext(width)
    }

    /// This value repeated `count` times.
    #[track_caller]
    pub fn replicate(&self, count: u32) -> Value {
        let width = self.width() as u64 * count as u64;
        if count == 0 || width > MAX_WIDTH as u64 {
            return Value::invalid(
                unsigned(1),
                format!(
                    "cannot replicate a {}-bit value {count} times; the result must have 1..={MAX_WIDTH} bits",
                    self.width()
                ),
            );
        }
        Value::new(unsigned(width as u32), ValueKind::Replicate(self.clone()))
    }

    fn unary(&self, op: UnaryOp, shape: Shape) -> Value {
        Value::new(shape, ValueKind::Unary(op, self.clone()))
    }

    /// Whether any bit is set (one bit).
    pub fn any(&self) -> Value {
        if self.width() == 1 && !self.is_signed() {
            return self.clone();
        }
        self.unary(UnaryOp::ReduceOr, unsigned(1))
    }

    /// Whether every bit is set (one bit).
    pub fn all(&self) -> Value {
        if self.width() == 1 && !self.is_signed() {
            return self.clone();
        }
        self.unary(UnaryOp::ReduceAnd, unsigned(1))
    }

    /// The exclusive or of all bits: odd parity (one bit).
    pub fn xor_reduce(&self) -> Value {
        self.unary(UnaryOp::ReduceXor, unsigned(1))
    }

    /// Whether the value is not zero: the same as [`Value::any`].
    pub fn bool(&self) -> Value {
        self.any()
    }

    pub(crate) fn binary(&self, op: BinaryOp, rhs: Value) -> Value {
        let (a, b) = (self.shape(), rhs.shape());
        let shape = match op {
            BinaryOp::Add | BinaryOp::Sub => shape::add(a, b),
            BinaryOp::Mul => shape::mul(a, b),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => shape::bitwise(a, b),
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => unsigned(1),
            BinaryOp::Shl | BinaryOp::Shr => unreachable!("shifts have their own constructors"),
        };
        Value::new(shape, ValueKind::Binary(op, self.clone(), rhs))
    }

    /// `self == rhs` as a one-bit value (`eq` is assignment, as in Amaranth).
    pub fn is_eq(&self, rhs: impl Into<Value>) -> Value {
        self.binary(BinaryOp::Eq, rhs.into())
    }

    /// `self != rhs` as a one-bit value.
    pub fn is_ne(&self, rhs: impl Into<Value>) -> Value {
        self.binary(BinaryOp::Ne, rhs.into())
    }

    /// `self < rhs`, comparing as numbers (signed if either is).
    pub fn lt(&self, rhs: impl Into<Value>) -> Value {
        self.binary(BinaryOp::Lt, rhs.into())
    }

    /// `self <= rhs`.
    pub fn le(&self, rhs: impl Into<Value>) -> Value {
        self.binary(BinaryOp::Le, rhs.into())
    }

    /// `self > rhs`.
    pub fn gt(&self, rhs: impl Into<Value>) -> Value {
        self.binary(BinaryOp::Gt, rhs.into())
    }

    /// `self >= rhs`.
    pub fn ge(&self, rhs: impl Into<Value>) -> Value {
        self.binary(BinaryOp::Ge, rhs.into())
    }

    /// `self + rhs` kept at the wider operand's width: the carry out is dropped.
    #[track_caller]
    pub fn wrapping_add(&self, rhs: impl Into<Value>) -> Value {
        let rhs = rhs.into();
        let width = self.width().max(rhs.width());
        (self + &rhs).trunc(width)
    }

    /// `self - rhs` kept at the wider operand's width, modulo 2^width.
    #[track_caller]
    pub fn wrapping_sub(&self, rhs: impl Into<Value>) -> Value {
        let rhs = rhs.into();
        let width = self.width().max(rhs.width());
        (self - &rhs).trunc(width)
    }

    /// `self * rhs` kept at the wider operand's width, modulo 2^width.
    #[track_caller]
    pub fn wrapping_mul(&self, rhs: impl Into<Value>) -> Value {
        let rhs = rhs.into();
        let width = self.width().max(rhs.width());
        (self * &rhs).trunc(width)
    }

    /// Shifts left by a constant: the result grows by `amount` bits.
    pub fn shl(&self, amount: u32) -> Value {
        if amount == 0 {
            return self.clone();
        }
        let zeros = Value::from(Bits::zero(amount));
        let joined = cat([zeros, self.clone()]);
        joined.resized(shape::shl_const(self.shape(), amount))
    }

    /// Shifts right by a constant: low bits drop off, signed values keep their sign.
    pub fn shr(&self, amount: u32) -> Value {
        if amount >= self.width() && !self.is_signed() {
            return Value::from(Bits::zero(1));
        }
        let shape = shape::shr_const(self.shape(), amount);
        // A signed value shifted past its width keeps only its sign bit.
        let lo = amount.min(self.width() - 1);
        Value::new(unsigned(shape.width), ValueKind::Slice(self.clone(), lo, shape.width)).resized(shape)
    }

    /// Shifts left by a value: wide enough for the largest shift amount.
    #[track_caller]
    pub fn shl_var(&self, amount: impl Into<Value>) -> Value {
        let amount = amount.into();
        let width = shape::shl_var(self.shape(), amount.width());
        if amount.is_signed() || width > MAX_WIDTH as u64 {
            return Value::invalid(
                self.shape(),
                format!(
                    "a variable shift amount must be unsigned and narrow enough for the result to fit {MAX_WIDTH} bits (it is {})",
                    amount.shape()
                ),
            );
        }
        let shape = Shape {
            width: width as u32,
            ..self.shape()
        };
        Value::new(shape, ValueKind::Binary(BinaryOp::Shl, self.clone(), amount))
    }

    /// Shifts right by a value, keeping the width (arithmetic for signed values).
    #[track_caller]
    pub fn shr_var(&self, amount: impl Into<Value>) -> Value {
        let amount = amount.into();
        if amount.is_signed() {
            return Value::invalid(
                self.shape(),
                format!("a variable shift amount must be unsigned (it is {})", amount.shape()),
            );
        }
        Value::new(self.shape(), ValueKind::Binary(BinaryOp::Shr, self.clone(), amount))
    }
}

/// Concatenation: the first part becomes the least significant bits (Amaranth's `Cat`).
#[track_caller]
pub fn cat<V: Into<Value>>(parts: impl IntoIterator<Item = V>) -> Value {
    let parts: Vec<Value> = parts.into_iter().map(Into::into).collect();
    let width: u64 = parts.iter().map(|p| p.width() as u64).sum();
    if parts.is_empty() || width > MAX_WIDTH as u64 {
        return Value::invalid(
            unsigned(1),
            format!("a concatenation needs 1..={MAX_WIDTH} bits in all; it has {width}"),
        );
    }
    if parts.len() == 1 && !parts[0].is_signed() {
        return parts.into_iter().next().unwrap();
    }
    Value::new(unsigned(width as u32), ValueKind::Concat(parts))
}

/// `if sel { a } else { b }` as a value; `sel` wider than one bit counts as [`Value::bool`].
pub fn mux(sel: impl Into<Value>, a: impl Into<Value>, b: impl Into<Value>) -> Value {
    let (sel, a, b) = (sel.into().bool(), a.into(), b.into());
    let shape = shape::bitwise(a.shape(), b.shape());
    Value::new(shape, ValueKind::Mux(sel, a, b))
}

/// A constant of an explicit shape. A value that does not fit is an elaboration error.
#[track_caller]
pub fn constant(value: i128, shape: Shape) -> Value {
    let fits = if shape.signed {
        shape.width >= 128 || (value >= -(1i128 << (shape.width - 1)) && value < (1i128 << (shape.width - 1)))
    } else {
        value >= 0 && (shape.width >= 127 || value < (1i128 << shape.width))
    };
    if !fits || shape.width == 0 || shape.width > MAX_WIDTH {
        return Value::invalid(shape, format!("the constant {value} does not fit the shape {shape}"));
    }
    Value::new(shape, ValueKind::Const(Bits::from_i128(value, shape.width)))
}

impl From<Bits> for Value {
    /// An unsigned constant with exactly these bits.
    fn from(bits: Bits) -> Value {
        Value::new(unsigned(bits.width().max(1)), ValueKind::Const(bits))
    }
}

impl From<&Value> for Value {
    fn from(v: &Value) -> Value {
        v.clone()
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::from(Bits::from_u128(b as u128, 1))
    }
}

macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            /// An unsigned constant just wide enough for the number (Amaranth's rule).
            fn from(v: $t) -> Value {
                let shape = Shape::for_unsigned(v as u128);
                Value::new(shape, ValueKind::Const(Bits::from_u128(v as u128, shape.width)))
            }
        }
    )*};
}
from_unsigned!(u8, u16, u32, u64, u128, usize);

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            /// A constant just wide enough for the number: unsigned unless it is negative.
            fn from(v: $t) -> Value {
                let shape = Shape::for_value(v as i128);
                Value::new(shape, ValueKind::Const(Bits::from_i128(v as i128, shape.width)))
            }
        }
    )*};
}
from_signed!(i8, i16, i32, i64, i128, isize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_take_the_smallest_shape() {
        assert_eq!(Value::from(5u8).shape(), unsigned(3));
        assert_eq!(Value::from(5i32).shape(), unsigned(3));
        assert_eq!(Value::from(-5i32).shape(), signed(4));
        assert_eq!(Value::from(0u8).shape(), unsigned(1));
        assert_eq!(constant(-1, signed(8)).as_const().unwrap().to_u64(), 0xff);
        assert!(matches!(constant(256, unsigned(8)).kind(), ValueKind::Invalid(_)));
        // 2^127 does not fit an i128 shift: every non-negative i128 fits 127 bits.
        assert_eq!(
            constant(i128::MAX, unsigned(127)).as_const().unwrap().to_u128(),
            Some(i128::MAX as u128)
        );
        assert!(matches!(constant(1 << 126, unsigned(126)).kind(), ValueKind::Invalid(_)));
    }

    #[test]
    fn constant_shifts_follow_the_width_rules() {
        let v = constant(0, signed(8));
        assert_eq!(v.shl(3).shape(), signed(11));
        assert_eq!(v.shr(3).shape(), signed(5));
        assert_eq!(v.shr(20).shape(), signed(1));
        assert_eq!(constant(0, unsigned(8)).shr(9).shape(), unsigned(1));
        assert_eq!(v.shl_var(constant(0, unsigned(3))).shape(), signed(15));
    }
}

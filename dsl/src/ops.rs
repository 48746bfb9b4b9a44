//! Operator overloading on values: `+ - * & | ^ ! -`, and `<< >>` by a constant or a value.
//!
//! Either side may be a [`Value`], a `&Value`, or (on one side) a Rust integer or `bool`,
//! which becomes a constant just wide enough for it.

use std::ops::{Add, BitAnd, BitOr, BitXor, Mul, Neg, Not, Shl, Shr, Sub};

use crate::shape;
use crate::value::{BinaryOp, UnaryOp, Value};

macro_rules! binary_op {
    ($trait:ident, $method:ident, $op:expr) => {
        binary_op!(@impl $trait, $method, $op, Value, Value);
        binary_op!(@impl $trait, $method, $op, Value, &Value);
        binary_op!(@impl $trait, $method, $op, &Value, Value);
        binary_op!(@impl $trait, $method, $op, &Value, &Value);
        binary_op!(@scalar $trait, $method, $op, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, bool);
    };
    (@impl $trait:ident, $method:ident, $op:expr, $lhs:ty, $rhs:ty) => {
        impl $trait<$rhs> for $lhs {
            type Output = Value;
            fn $method(self, rhs: $rhs) -> Value {
                Value::from(self).binary($op, Value::from(rhs))
            }
        }
    };
    (@scalar $trait:ident, $method:ident, $op:expr, $($t:ty),*) => {$(
        binary_op!(@impl $trait, $method, $op, Value, $t);
        binary_op!(@impl $trait, $method, $op, &Value, $t);
        binary_op!(@impl $trait, $method, $op, $t, Value);
        binary_op!(@impl $trait, $method, $op, $t, &Value);
    )*};
}

binary_op!(Add, add, BinaryOp::Add);
binary_op!(Sub, sub, BinaryOp::Sub);
binary_op!(Mul, mul, BinaryOp::Mul);
binary_op!(BitAnd, bitand, BinaryOp::And);
binary_op!(BitOr, bitor, BinaryOp::Or);
binary_op!(BitXor, bitxor, BinaryOp::Xor);

macro_rules! unary_op {
    ($($lhs:ty),*) => {$(
        impl Not for $lhs {
            type Output = Value;
            /// Bitwise inversion, keeping the shape.
            fn not(self) -> Value {
                let v = Value::from(self);
                let shape = v.shape();
                Value::new(shape, crate::value::ValueKind::Unary(UnaryOp::Not, v))
            }
        }
        impl Neg for $lhs {
            type Output = Value;
            /// Negation: one bit wider, signed.
            fn neg(self) -> Value {
                let v = Value::from(self);
                let shape = shape::neg(v.shape());
                Value::new(shape, crate::value::ValueKind::Unary(UnaryOp::Neg, v))
            }
        }
        impl Shl<u32> for $lhs {
            type Output = Value;
            /// Shift left by a constant; see [`Value::shl`].
            fn shl(self, amount: u32) -> Value {
                Value::shl(&Value::from(self), amount)
            }
        }
        impl Shr<u32> for $lhs {
            type Output = Value;
            /// Shift right by a constant; see [`Value::shr`].
            fn shr(self, amount: u32) -> Value {
                Value::shr(&Value::from(self), amount)
            }
        }
        impl Shl<&Value> for $lhs {
            type Output = Value;
            /// Shift left by a value; see [`Value::shl_var`].
            #[track_caller]
            fn shl(self, amount: &Value) -> Value {
                Value::from(self).shl_var(amount)
            }
        }
        impl Shr<&Value> for $lhs {
            type Output = Value;
            /// Shift right by a value; see [`Value::shr_var`].
            #[track_caller]
            fn shr(self, amount: &Value) -> Value {
                Value::from(self).shr_var(amount)
            }
        }
    )*};
}
unary_op!(Value, &Value);

#[cfg(test)]
mod tests {
    use crate::shape::{signed, unsigned};
    use crate::value::constant;

    #[test]
    fn operators_apply_the_width_rules() {
        let a = constant(0, unsigned(8));
        let b = constant(0, signed(4));
        assert_eq!((&a + &b).shape(), signed(10));
        assert_eq!((&a * &b).shape(), signed(12));
        assert_eq!((&a + 1u32).shape(), unsigned(9));
        assert_eq!((1u32 - &a).shape(), unsigned(9));
        assert_eq!((&a & &b).shape(), signed(9));
        assert_eq!((!&a).shape(), unsigned(8));
        assert_eq!((-&a).shape(), signed(9));
        assert_eq!((&a << 2).shape(), unsigned(10));
        assert_eq!((&a >> &constant(0, unsigned(2))).shape(), unsigned(8));
        assert_eq!(a.lt(&b).shape(), unsigned(1));
    }
}

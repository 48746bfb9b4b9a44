//! Statements as the builder records them: assignments inside if/switch/FSM trees.

use crate::bits::Bits;
use crate::error::Location;
use crate::fsm::FsmRef;
use crate::value::Value;

/// One assignment, made with [`Value::eq`]; add it to a module with
/// [`Module::comb`](crate::Module::comb) or [`Module::sync`](crate::Module::sync).
#[derive(Clone, Debug)]
pub struct Statement {
    pub(crate) lhs: Value,
    pub(crate) rhs: Value,
    pub(crate) location: Location,
}

impl Statement {
    pub(crate) fn assign(lhs: Value, rhs: Value, location: Location) -> Statement {
        Statement { lhs, rhs, location }
    }
}

/// One or several statements: a [`Statement`], an array, or a `Vec` of them.
pub trait IntoStatements {
    /// The statements, in order.
    fn into_statements(self) -> Vec<Statement>;
}

impl IntoStatements for Statement {
    fn into_statements(self) -> Vec<Statement> {
        vec![self]
    }
}

impl IntoStatements for Vec<Statement> {
    fn into_statements(self) -> Vec<Statement> {
        self
    }
}

impl<const N: usize> IntoStatements for [Statement; N] {
    fn into_statements(self) -> Vec<Statement> {
        self.into()
    }
}

/// A `switch` case pattern: a number, or a string of `0`, `1` and `-` (don't care),
/// most significant bit first, with `_` allowed as a separator.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// Matches exactly this number (which must fit the selector's shape).
    Number(i128),
    /// Matches the bits given as `0`/`1`; `-` bits match anything.
    Bits(String),
}

macro_rules! pattern_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Pattern {
            fn from(v: $t) -> Pattern {
                Pattern::Number(v as i128)
            }
        }
    )*};
}
pattern_from_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, i128);

impl From<&str> for Pattern {
    fn from(s: &str) -> Pattern {
        Pattern::Bits(s.to_owned())
    }
}

impl Pattern {
    /// The bits to compare and the mask of bits that matter, for a selector of `width`
    /// bits; `Err` says why the pattern does not fit.
    pub(crate) fn resolve(&self, width: u32, signed: bool) -> Result<(Bits, Bits), String> {
        match self {
            Pattern::Number(n) => {
                let fits = if signed {
                    width >= 128 || (*n >= -(1i128 << (width - 1)) && *n < (1i128 << (width - 1)))
                } else {
                    *n >= 0 && (width >= 128 || *n < (1i128 << width))
                };
                if !fits {
                    let kind = if signed { "signed" } else { "unsigned" };
                    return Err(format!("case value {n} does not fit the {width}-bit {kind} selector"));
                }
                let mask = Bits::from_i128(-1, width);
                Ok((Bits::from_i128(*n, width), mask))
            }
            Pattern::Bits(text) => {
                let digits: Vec<char> = text.chars().filter(|&c| c != '_').collect();
                if digits.len() != width as usize || digits.iter().any(|c| !matches!(c, '0' | '1' | '-')) {
                    return Err(format!(
                        "case pattern \"{text}\" must have exactly {width} characters from `0`, `1`, `-` (don't care), most significant first"
                    ));
                }
                let mut value = Bits::zero(width);
                let mut mask = Bits::zero(width);
                for (i, c) in digits.iter().rev().enumerate() {
                    value.set_bit(i as u32, *c == '1');
                    mask.set_bit(i as u32, *c != '-');
                }
                Ok((value, mask))
            }
        }
    }
}

/// The statement tree a module records, in source order.
#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    /// `domain` is `None` for combinational assignments.
    Assign { domain: Option<String>, statement: Statement },
    /// Branches in order; the condition of an `else` is `None`.
    If(Vec<Branch>),
    Switch {
        selector: Value,
        cases: Vec<Case>,
        location: Location,
    },
    /// The place where the state machine's states are evaluated.
    FsmBody(FsmRef),
    /// Move the state machine to `state` on the next clock edge.
    FsmNext { fsm: FsmRef, state: String, location: Location },
}

#[derive(Clone, Debug)]
pub(crate) struct Branch {
    pub(crate) condition: Option<Value>,
    pub(crate) body: Vec<Stmt>,
    /// Where the user wrote this branch.
    pub(crate) location: Location,
}

/// A case of a switch; `None` patterns is the default case.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) patterns: Option<Vec<Pattern>>,
    pub(crate) body: Vec<Stmt>,
    pub(crate) location: Location,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_resolve_to_value_and_mask() {
        let (v, m) = Pattern::from("1-0_1").resolve(4, false).unwrap();
        assert_eq!((v.to_binary().as_str(), m.to_binary().as_str()), ("1001", "1011"));
        assert!(Pattern::from(-1).resolve(3, true).is_ok());
        assert!(Pattern::from(8).resolve(3, false).unwrap_err().contains("does not fit"));
        assert!(Pattern::from("10").resolve(3, false).is_err());
    }
}

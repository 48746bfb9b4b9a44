//! Control flow: `if_` / `elif` / `else_` chains and `switch` / `case`.
//!
//! Conditions apply to every statement inside, whatever its domain: a combinational
//! assignment inside `if_` happens only when the condition holds (and the signal takes
//! its init value otherwise); a synchronous one updates the register only then.

use crate::error::Location;
use crate::module::Module;
use crate::stmt::{Branch, Case, Pattern, Stmt};
use crate::value::Value;

impl Module {
    /// Runs the statements `body` adds only while `condition` is true (non-zero).
    /// Chain `.elif(..)` and `.else_(..)` on the result.
    #[track_caller]
    pub fn if_(&mut self, condition: impl Into<Value>, body: impl FnOnce(&mut Module)) -> IfChain<'_> {
        let location = Location::caller();
        let condition = condition.into().bool();
        let body = self.record(body);
        self.push(Stmt::If(vec![Branch {
            condition: Some(condition),
            body,
            location,
        }]));
        IfChain { module: self }
    }

    /// A switch on `selector`: `cases` adds the cases through the [`Switch`] it is given.
    /// The first matching case runs; cases are tested in order.
    #[track_caller]
    pub fn switch(&mut self, selector: impl Into<Value>, cases: impl FnOnce(&mut Switch<'_>)) {
        let location = Location::caller();
        let mut switch = Switch {
            module: self,
            cases: Vec::new(),
        };
        cases(&mut switch);
        let cases = switch.cases;
        self.push(Stmt::Switch {
            selector: selector.into(),
            cases,
            location,
        });
    }
}

/// The rest of an `if_` chain.
pub struct IfChain<'m> {
    module: &'m mut Module,
}

impl<'m> IfChain<'m> {
    fn add_branch(&mut self, condition: Option<Value>, location: Location, body: impl FnOnce(&mut Module)) {
        let body = self.module.record(body);
        match self.module.last_stmt_mut() {
            Some(Stmt::If(branches)) => branches.push(Branch { condition, body, location }),
            _ => unreachable!("an IfChain exists only right after its If statement"),
        }
    }

    /// Another condition, tested when the earlier ones were false.
    #[track_caller]
    pub fn elif(mut self, condition: impl Into<Value>, body: impl FnOnce(&mut Module)) -> IfChain<'m> {
        self.add_branch(Some(condition.into().bool()), Location::caller(), body);
        self
    }

    /// Statements for when every condition was false.
    #[track_caller]
    pub fn else_(mut self, body: impl FnOnce(&mut Module)) {
        self.add_branch(None, Location::caller(), body);
    }
}

/// Collects the cases of a [`Module::switch`].
pub struct Switch<'m> {
    module: &'m mut Module,
    cases: Vec<Case>,
}

impl Switch<'_> {
    /// A case for one pattern: a number, or a bit string with `-` for don't-care bits.
    #[track_caller]
    pub fn case(&mut self, pattern: impl Into<Pattern>, body: impl FnOnce(&mut Module)) {
        self.cases_for([pattern.into()], body);
    }

    /// A case that matches any of `patterns`.
    #[track_caller]
    pub fn cases_for(&mut self, patterns: impl IntoIterator<Item = Pattern>, body: impl FnOnce(&mut Module)) {
        self.add(Some(patterns.into_iter().collect()), Location::caller(), body);
    }

    fn add(&mut self, patterns: Option<Vec<Pattern>>, location: Location, body: impl FnOnce(&mut Module)) {
        let body = self.module.record(body);
        self.cases.push(Case { patterns, body, location });
    }

    /// The case for when no other matched.
    #[track_caller]
    pub fn default(&mut self, body: impl FnOnce(&mut Module)) {
        self.add(None, Location::caller(), body);
    }
}

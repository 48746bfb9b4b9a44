//! Finite state machines with named states, as in Amaranth.
//!
//! ```
//! use hdl_dsl::*;
//! let mut m = Module::new("handshake");
//! let start = m.input("start", unsigned(1));
//! let busy = m.output("busy", unsigned(1));
//! let fsm = m.fsm("ctrl");
//! m.state(fsm, "IDLE", |m| {
//!     m.if_(&start, |m| m.next(fsm, "RUN"));
//! });
//! m.state(fsm, "RUN", |m| m.next(fsm, "IDLE"));
//! m.comb(busy.eq(fsm.ongoing("RUN")));
//! assert!(Design::elaborate(m).is_ok());
//! ```

use crate::error::Location;
use crate::module::{Module, SYNC};
use crate::shape::unsigned;
use crate::stmt::Stmt;
use crate::value::{Value, ValueKind};

/// A handle to a state machine of a module; cheap to copy into closures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FsmRef {
    pub(crate) module: u32,
    pub(crate) index: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct FsmDecl {
    pub(crate) name: String,
    pub(crate) domain: String,
    /// States in definition order; the first is the reset state.
    pub(crate) states: Vec<StateDecl>,
    pub(crate) location: Location,
}

#[derive(Clone, Debug)]
pub(crate) struct StateDecl {
    pub(crate) name: String,
    pub(crate) body: Vec<Stmt>,
    pub(crate) location: Location,
}

impl FsmRef {
    /// Whether the machine is in `state` now (one bit). Naming a state the machine never
    /// defines is an elaboration error.
    #[track_caller]
    pub fn ongoing(&self, state: &str) -> Value {
        Value::new(
            unsigned(1),
            ValueKind::FsmOngoing {
                fsm: *self,
                state: state.to_owned(),
                location: Location::caller(),
            },
        )
    }
}

impl Module {
    /// A state machine called `name` whose state register is in the `sync` domain.
    #[track_caller]
    pub fn fsm(&mut self, name: &str) -> FsmRef {
        self.fsm_in(name, SYNC)
    }

    /// A state machine whose state register is in clock domain `domain`.
    #[track_caller]
    pub fn fsm_in(&mut self, name: &str, domain: &str) -> FsmRef {
        let index = self.fsms.len() as u32;
        self.fsms.push(FsmDecl {
            name: name.to_owned(),
            domain: domain.to_owned(),
            states: Vec::new(),
            location: Location::caller(),
        });
        FsmRef { module: self.uid, index }
    }

    /// Defines state `name` of `fsm`: `body` adds the statements that run while the
    /// machine is in it. The first state defined is the reset state. All states of a
    /// machine are evaluated where its first state was defined.
    #[track_caller]
    pub fn state(&mut self, fsm: FsmRef, name: &str, body: impl FnOnce(&mut Module)) {
        let location = Location::caller();
        let Some(decl) = self.fsm_decl(fsm, location) else { return };
        if decl.states.is_empty() {
            self.push(Stmt::FsmBody(fsm));
        }
        let body = self.record(body);
        self.fsms[fsm.index as usize].states.push(StateDecl {
            name: name.to_owned(),
            body,
            location,
        });
    }

    /// Moves `fsm` to `state` at the next clock edge of its domain.
    #[track_caller]
    pub fn next(&mut self, fsm: FsmRef, state: &str) {
        let location = Location::caller();
        if self.fsm_decl(fsm, location).is_some() {
            self.push(Stmt::FsmNext {
                fsm,
                state: state.to_owned(),
                location,
            });
        }
    }

    fn fsm_decl(&mut self, fsm: FsmRef, location: Location) -> Option<&FsmDecl> {
        if fsm.module != self.uid {
            self.errors.push(crate::error::Error::new(
                crate::error::ErrorKind::ForeignSignal,
                format!("this state machine belongs to another module than `{}`", self.name),
                location,
            ));
            return None;
        }
        self.fsms.get(fsm.index as usize)
    }
}

//! # hdl-dsl
//!
//! An Amaranth-style hardware description language embedded in Rust. Rust code builds
//! circuits — signals, clock domains, control flow, state machines, memories, hierarchy
//! and vendor primitives — which are checked at elaboration and emitted as Verilog for
//! the open FPGA toolchain (yosys, nextpnr-ecp5).
//!
//! ```
//! use hdl_dsl::*;
//!
//! let mut m = Module::new("blinky");
//! let led = m.output("led", unsigned(8));
//! let count = m.signal("count", unsigned(28));
//! m.sync(count.eq(count.wrapping_add(1u32)));
//! m.comb(led.eq(count.slice(20..28)));
//!
//! let design = Design::elaborate(m)?;
//! assert!(design.verilog().contains("always @(posedge clk)"));
//! # Ok::<(), hdl_dsl::Errors>(())
//! ```
//!
//! ## The rules
//! - **Widths** follow Amaranth: `a + b` is one bit wider than the wider operand, `a * b`
//!   has the sum of the widths, comparisons are one bit, and mixing signed with unsigned
//!   widens as needed so no value is lost. Integers become constants just wide enough.
//! - **Nothing truncates silently**: assigning a wider value to a narrower target is an
//!   error; say `.trunc(n)`, or use `wrapping_add`/`wrapping_sub`/`wrapping_mul`.
//! - **Domains**: `comb` logic settles within a cycle and takes its init value when not
//!   assigned (no latches); `sync` and named domains are registers on a rising clock edge.
//! - **Errors are values**: building never panics on a mistake; [`Design::elaborate`]
//!   returns every error with the source line where it was made.
//!
//! ## Building blocks
//! - [`Layout`] and [`View`]: named fields and arrays over a value's bits.
//! - [`Signature`], [`Interface`] and [`Component`]: groups of ports declared once,
//!   flipped, nested, and joined by [`Module::connect`] with every member checked.
//! - [`stream`]: valid/ready streams, their rules, and the cores that keep them.

#![warn(missing_docs)]

mod bits;
mod control;
mod elaborate;
mod error;
mod fsm;
mod hashing;
mod instance;
mod layout;
mod loops;
mod memory;
mod module;
mod names;
pub mod netlist;
mod ops;
mod primitives;
mod resets;
mod shape;
mod stmt;
pub mod stream;
pub mod tools;
mod value;
mod verilog;
mod wiring;

pub use bits::Bits;
pub use control::{IfChain, Switch};
pub use elaborate::{Design, SignalIndex};
pub use error::{Error, ErrorKind, Errors, Location};
pub use fsm::FsmRef;
pub use instance::{InstanceBuilder, Param};
pub use layout::{Layout, View};
pub use memory::{address_width, AsyncReadPort, MemoryRef, ReadPort, WritePort};
pub use module::{Direction, Module, ResetKind, Submodule, SYNC};
pub use names::check as check_name;
pub use shape::{signed, unsigned, Shape, MAX_WIDTH};
pub use stmt::{IntoStatements, Pattern, Statement};
pub use value::{cat, constant, mux, Value};
pub use wiring::{Builder, Component, Flipped, Flow, Interface, Member, Signature};

//! # hdl-testkit
//!
//! What this project's tests and benchmarks share, and nothing a design needs: small
//! [`examples`] (documentation by example, and the designs locked in snapshots and
//! checked by the external tools), the external [`tools`] as tests run them, Verilog
//! [`models`] of the ECP5 primitives, [`post_synth`]esis simulation of yosys's netlists,
//! and the [`verilator`] harness that runs emitted Verilog beside the simulator. No crate a
//! user's design links depends on it.

#![warn(missing_docs)]

pub mod examples;
pub mod models;
pub mod post_synth;
pub mod tools;
pub mod verilator;

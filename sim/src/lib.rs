//! # hdl-sim
//!
//! A cycle-accurate, two-state simulator for [`hdl_dsl`] designs. It simulates the same
//! netlist the Verilog back end emits, so what is simulated is what is synthesized.
//!
//! The design is flattened and compiled once into a flat program over 64-bit words;
//! running a cycle allocates nothing and looks nothing up by name. After a change only
//! the logic it reaches runs again.
//!
//! ```
//! use hdl_dsl::Design;
//! use hdl_testkit::examples;
//! use hdl_sim::{Simulator, Trace};
//!
//! // An 8-bit counter that counts while `en` is high; `wrap` marks its last value.
//! let design = Design::elaborate(examples::counter(8))?;
//! let mut sim = Simulator::new(&design)?;
//! let (en, count, wrap) = (sim.signal("en")?, sim.signal("count")?, sim.signal("wrap")?);
//! let sync = sim.domain("sync")?;
//!
//! let vcd = std::env::temp_dir().join("counter_doc.vcd");
//! sim.trace(&vcd, &Trace::only(&["count", "wrap"]))?;
//! sim.set(en, 1)?;
//! for cycle in 1..=300u64 {
//!     sim.tick(sync);
//!     assert_eq!(sim.get(count), cycle % 256);
//! }
//! // Run until the counter is about to wrap.
//! let ticks = sim.run_until(sync, 1000, |s| s.get(wrap) == 1)?;
//! assert_eq!((ticks, sim.get(count)), (211, 255));
//! sim.finish_trace()?;
//! assert!(std::fs::read_to_string(&vcd)?.contains("$var wire 8 ! count [7:0] $end"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Semantics
//! - Combinational logic settles after every change; registers take their next values
//!   together on a rising clock edge (non-blocking assignment, as in the emitted Verilog).
//! - Several clocks run by their periods ([`Simulator::set_period`]); clocks made by logic
//!   (dividers) tick when their signal rises. Asynchronous resets act as soon as they rise.
//! - Memories read before they write within a cycle, as the emitted Verilog does; an
//!   address beyond the depth reads zero and writes nothing. Synchronous read data is zero
//!   until the first read.
//! - Instances of ECP5 primitives run their models (see [`primitives`]): the design
//!   simulated is the one the bitstream is built from. Outputs of instances declared
//!   black boxes ([`Simulator::with_black_boxes`]) are inputs of the simulation: a
//!   testbench or a [`Model`] drives them.

#![warn(missing_docs)]

mod backend;
pub mod cdc;
mod compile;
mod error;
mod flatten;
mod jit;
mod order;
mod peephole;
pub mod primitives;
mod program;
mod simulator;
pub mod stimulus;
pub mod stream;
mod vcd;

pub use backend::Backend;
pub use error::SimError;
pub use simulator::{Domain, Memory, Model, Pad, Sampled, Signal, Simulator, DEFAULT_PERIOD_PS};
pub use stimulus::Xorshift;
pub use vcd::Trace;

//! # hdl-boards
//!
//! FPGA boards as data, and the open toolchain that turns a design into a bitstream for
//! one: [`lpf`] writes the pin constraints for the ports a design has, and [`build`]
//! runs yosys (`synth_ecp5`), nextpnr-ecp5 and ecppack, reporting every clock's
//! maximum frequency and the resources used.
//!
//! ```no_run
//! use hdl_boards::{build, BuildOptions, ulx3s::Ulx3s};
//! # fn top() -> hdl_dsl::Module { hdl_testkit::examples::blinky() }
//! let design = hdl_dsl::Design::elaborate(top())?;
//! let report = build(&design, &Ulx3s::lfe5u_85f(), &BuildOptions::new("build/blinky"))?;
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod flow;
mod lpf;
mod stage;
pub mod ulx3s;

pub use flow::{
    build, clock_net_wire, constraints, crossings, BuildError, BuildOptions, BuildReport, ClockReport, CrossingCheck, CrossingReport,
    Resource,
};
pub use hdl_devices::{Device, Resources};
pub use lpf::{lpf, LpfError};

/// A board a design can be built for.
pub trait Board {
    /// The FPGA fitted.
    fn device(&self) -> Device;
    /// Its package, as nextpnr-ecp5 names it.
    fn package(&self) -> &'static str;
    /// The pins, by the port (bit) names a top module gives them.
    fn pins(&self) -> Vec<Pin>;
}

/// A package pin: the port it serves, its site, and how it is driven.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Pin {
    /// The port (bit) name: `clk_25mhz`, `led[3]`.
    pub port: String,
    /// The package site, like `G2`.
    pub site: String,
    /// The I/O standard, like `LVCMOS33`.
    pub io_type: String,
    /// Drive strength in mA, if set.
    pub drive: Option<u32>,
    /// `UP`, `DOWN` or `NONE`, if set.
    pub pull: Option<&'static str>,
    /// The frequency of a clock input, in Hz.
    pub frequency_hz: Option<u64>,
}

impl Pin {
    /// A pin with just its site and I/O standard.
    pub fn new(port: &str, site: &str, io_type: &str) -> Pin {
        Pin {
            port: port.to_owned(),
            site: site.to_owned(),
            io_type: io_type.to_owned(),
            drive: None,
            pull: None,
            frequency_hz: None,
        }
    }

    fn drive(mut self, ma: u32) -> Pin {
        self.drive = Some(ma);
        self
    }

    fn pull(mut self, pull: &'static str) -> Pin {
        self.pull = Some(pull);
        self
    }

    fn clock(mut self, hz: u64) -> Pin {
        self.frequency_hz = Some(hz);
        self
    }
}

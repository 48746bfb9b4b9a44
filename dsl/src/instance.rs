//! Instances of black-box modules and vendor primitives (`EHXPLLL`, `ODDRX1F`, ...).
//!
//! ```
//! use hdl_dsl::*;
//! let mut m = Module::new("ddr_out");
//! let d = m.input("d", unsigned(2));
//! let pin = m.output("pin", unsigned(1));
//! let clk = m.input("clk_fast", unsigned(1));
//! m.instance("ODDRX1F", "oddr")
//!     .input("SCLK", &clk)
//!     .input("RST", 0u8)
//!     .input("D0", d.bit(0))
//!     .input("D1", d.bit(1))
//!     .output("Q", &pin);
//! assert!(Design::elaborate(m).unwrap().verilog().contains("ODDRX1F oddr ("));
//! ```

use crate::bits::Bits;
use crate::error::Location;
use crate::module::Module;
use crate::value::Value;

/// A parameter or attribute value of an instance.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Param {
    /// A Verilog integer.
    Int(i64),
    /// A Verilog string.
    Str(String),
    /// A bit vector of any width, written as a sized literal (a `DP16KD`'s 320-bit
    /// `INITVAL_xx`, say).
    Bits(Bits),
}

impl From<Bits> for Param {
    fn from(v: Bits) -> Param {
        Param::Bits(v)
    }
}

impl From<i64> for Param {
    fn from(v: i64) -> Param {
        Param::Int(v)
    }
}

impl From<i32> for Param {
    fn from(v: i32) -> Param {
        Param::Int(v as i64)
    }
}

impl From<u32> for Param {
    fn from(v: u32) -> Param {
        Param::Int(v as i64)
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Param {
        Param::Str(v.to_owned())
    }
}

impl From<String> for Param {
    fn from(v: String) -> Param {
        Param::Str(v)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct InstanceDecl {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) params: Vec<(String, Param, Location)>,
    pub(crate) attrs: Vec<(String, Param)>,
    pub(crate) inputs: Vec<(String, Value, Location)>,
    pub(crate) outputs: Vec<(String, Value, Location)>,
    pub(crate) inouts: Vec<(String, Value, Location)>,
    pub(crate) location: Location,
}

/// Adds parameters and port connections to an instance; see [`Module::instance`].
pub struct InstanceBuilder<'m> {
    module: &'m mut Module,
    index: usize,
}

impl Module {
    /// An instance called `name` of the black-box module or vendor primitive `kind`.
    /// Its ports are whatever the builder connects; the tools check them.
    #[track_caller]
    pub fn instance(&mut self, kind: &str, name: &str) -> InstanceBuilder<'_> {
        self.instances.push(InstanceDecl {
            kind: kind.to_owned(),
            name: name.to_owned(),
            params: Vec::new(),
            attrs: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            inouts: Vec::new(),
            location: Location::caller(),
        });
        let index = self.instances.len() - 1;
        InstanceBuilder { module: self, index }
    }
}

impl InstanceBuilder<'_> {
    fn decl(&mut self) -> &mut InstanceDecl {
        &mut self.module.instances[self.index]
    }

    /// A Verilog parameter (`#(.NAME(value))`).
    #[track_caller]
    pub fn param(mut self, name: &str, value: impl Into<Param>) -> Self {
        let location = Location::caller();
        self.decl().params.push((name.to_owned(), value.into(), location));
        self
    }

    /// A Verilog attribute on the instance (`(* NAME = value *)`), as nextpnr reads them.
    pub fn attr(mut self, name: &str, value: impl Into<Param>) -> Self {
        self.decl().attrs.push((name.to_owned(), value.into()));
        self
    }

    /// Connects input port `port` to `value`.
    #[track_caller]
    pub fn input(mut self, port: &str, value: impl Into<Value>) -> Self {
        let location = Location::caller();
        self.decl().inputs.push((port.to_owned(), value.into(), location));
        self
    }

    /// Connects output port `port` to `target`: a signal of this module (or a slice or
    /// concatenation of signals) that nothing else drives.
    #[track_caller]
    pub fn output(mut self, port: &str, target: &Value) -> Self {
        let location = Location::caller();
        self.decl().outputs.push((port.to_owned(), target.clone(), location));
        self
    }

    /// Connects the single-bit input pins `<bus>0`, `<bus>1`, … to the bits of `value`,
    /// lowest first: ECP5 primitives have a pin per bit (`A0`..`A17` of a `MULT18X18D`).
    #[track_caller]
    pub fn input_bus(mut self, bus: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        for k in 0..value.width() {
            self = self.input(&format!("{bus}{k}"), value.bit(k));
        }
        self
    }

    /// Connects the single-bit output pins `<bus>0`, `<bus>1`, … to the bits of
    /// `target`, lowest first (`P0`..`P35` of a `MULT18X18D`).
    #[track_caller]
    pub fn output_bus(mut self, bus: &str, target: &Value) -> Self {
        for k in 0..target.width() {
            self = self.output(&format!("{bus}{k}"), &target.bit(k));
        }
        self
    }

    /// Connects bidirectional pin `port` (a pad's `B`) to `pad`: an `inout` port of this
    /// module (see [`Module::inout`]), or a bit of one.
    #[track_caller]
    pub fn inout(mut self, port: &str, pad: &Value) -> Self {
        let location = Location::caller();
        self.decl().inouts.push((port.to_owned(), pad.clone(), location));
        self
    }
}

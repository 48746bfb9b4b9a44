//! Simulation models of the ECP5 primitives, chosen by an instance's primitive name and
//! built from its parameters. Each model is a netlist written in the language itself,
//! with ports named after the primitive's pins, which flattening puts in the instance's
//! place; the PLL's output clocks are made by the scheduler instead (a netlist cannot
//! make a clock from nothing), from the dividers and phases its parameters give.
//!
//! The behaviour follows Lattice's technical notes: TN1263 (sysCLOCK PLL), TN1264
//! (memory), TN1265 (high-speed I/O) and TN1267 (sysDSP).

mod bram;
mod dsp;
mod io;
mod pll;

use std::collections::BTreeMap;
use std::rc::Rc;

use hdl_dsl::netlist::Netlist;
use hdl_dsl::{Design, Module, Param};

use crate::error::SimError;

pub(crate) use pll::ClockOut;
pub use pll::LOCK_CYCLES;

/// The primitives that have models, for error messages and the documentation.
pub const MODELLED: &[&str] = &["BB", "DP16KD", "EHXPLLL", "IB", "IDDRX1F", "MULT18X18D", "OB", "ODDRX1F"];

/// What stands in for one instance in simulation.
pub(crate) struct PrimitiveModel {
    /// The behaviour: a netlist whose ports are the primitive's pins (those it uses).
    pub netlist: Rc<Netlist>,
    /// Input pins that read high when the instance leaves them unconnected (the others
    /// read low).
    pub high_when_open: &'static [&'static str],
    /// Output pins that are clocks the scheduler makes, with their timing.
    pub clocks: Vec<ClockOut>,
    /// Pad pins, each with the model's input that carries what the world outside the
    /// chip drives onto it (flattening connects it to the pad's `.outside` wire).
    pub pads: &'static [Pad],
}

/// A pad pin of a model: `pin` is the pad, `outside` the model input that carries the
/// outside drive (1 where released, 0 where pulled low).
pub(crate) struct Pad {
    pub pin: &'static str,
    pub outside: &'static str,
}

impl PrimitiveModel {
    /// A model with nothing but its netlist: unconnected inputs low, no clocks, no pads.
    fn plain(netlist: Rc<Netlist>) -> PrimitiveModel {
        PrimitiveModel {
            netlist,
            high_when_open: &[],
            clocks: Vec::new(),
            pads: &[],
        }
    }
}

/// How an instance uses its pins, so a model can leave out logic that never acts (a
/// block RAM port that never writes, or whose data nothing reads); the simulator
/// evaluates every operation of a model each cycle.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wiring {
    /// Input pins tied to a constant zero.
    pub zero: Vec<String>,
    /// Input pins connected to anything.
    pub inputs: Vec<String>,
    /// Output pins connected to anything.
    pub outputs: Vec<String>,
}

impl Wiring {
    /// Whether input `pin` always reads low: tied to zero, or left open (only for models
    /// whose open pins read low, as the block RAM's all do).
    fn low(&self, pin: &str) -> bool {
        self.zero.iter().any(|p| p == pin) || !self.inputs.iter().any(|p| p == pin)
    }

    /// Whether any output pin `<bus>0`, `<bus>1`, … is connected.
    fn drives(&self, bus: &str) -> bool {
        self.outputs
            .iter()
            .any(|p| p.strip_prefix(bus).is_some_and(|k| k.bytes().all(|b| b.is_ascii_digit())))
    }
}

/// Builds models, once per primitive, parameter set and use of its pins.
#[derive(Default)]
pub(crate) struct Models {
    built: BTreeMap<String, Rc<PrimitiveModel>>,
}

impl Models {
    /// The model of instance `path` of `kind` with `params` and pins used as `wiring`;
    /// `None` when `kind` has none.
    pub fn get(
        &mut self,
        kind: &str,
        path: &str,
        params: &[(String, Param)],
        wiring: &Wiring,
    ) -> Result<Option<Rc<PrimitiveModel>>, SimError> {
        if !MODELLED.contains(&kind) {
            return Ok(None);
        }
        let ports = (kind == "DP16KD").then(|| bram::ports_used(wiring));
        let key = format!("{kind}{params:?}{ports:?}");
        if let Some(m) = self.built.get(&key) {
            return Ok(Some(m.clone()));
        }
        let p = Params { path, kind, list: params };
        let model = Rc::new(match kind {
            "ODDRX1F" => io::oddrx1f(&p)?,
            "IDDRX1F" => io::iddrx1f(&p)?,
            "BB" => io::bb(),
            "IB" | "OB" => io::buffer(kind),
            "EHXPLLL" => pll::ehxplll(&p)?,
            "MULT18X18D" => dsp::mult18x18d(&p)?,
            "DP16KD" => bram::dp16kd(&p, ports.expect("computed for a DP16KD"))?,
            _ => unreachable!("every modelled primitive is built above"),
        });
        self.built.insert(key, model.clone());
        Ok(Some(model))
    }
}

/// A model's behaviour as a netlist, from the module that describes it.
fn netlist(m: Module) -> Rc<Netlist> {
    match Design::elaborate(m) {
        Ok(d) => Rc::new(d.netlist().clone()),
        Err(e) => panic!("a primitive model failed to elaborate (a bug in hdl-sim):\n{e}"),
    }
}

/// The parameters of one instance, read with the values a model supports.
pub(crate) struct Params<'a> {
    path: &'a str,
    kind: &'a str,
    list: &'a [(String, Param)],
}

impl Params<'_> {
    fn value(&self, name: &str) -> Option<&Param> {
        self.list.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn unsupported(&self, name: &str, value: &Param, accepted: String) -> SimError {
        SimError::UnsupportedParam {
            instance: self.path.to_owned(),
            primitive: self.kind.to_owned(),
            param: name.to_owned(),
            value: match value {
                Param::Int(v) => v.to_string(),
                Param::Str(s) => format!("\"{s}\""),
                Param::Bits(b) => format!("{b}"),
            },
            accepted,
        }
    }

    /// A string parameter, `default` when absent; an error unless one of `accepted`.
    pub fn choice(&self, name: &str, default: &'static str, accepted: &[&'static str]) -> Result<&'static str, SimError> {
        let Some(value) = self.value(name) else {
            return Ok(default);
        };
        let text = match value {
            Param::Str(s) => Some(s.clone()),
            Param::Int(i) => Some(i.to_string()),
            Param::Bits(_) => None,
        };
        text.and_then(|t| accepted.iter().find(|a| **a == t).copied()).ok_or_else(|| {
            self.unsupported(
                name,
                value,
                accepted.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", "),
            )
        })
    }

    /// An integer parameter (an integer, or a string of digits), `default` when absent;
    /// an error outside `range`.
    pub fn int(&self, name: &str, default: u64, range: std::ops::RangeInclusive<u64>) -> Result<u64, SimError> {
        let Some(value) = self.value(name) else {
            return Ok(default);
        };
        let n = match value {
            Param::Int(i) => u64::try_from(*i).ok(),
            Param::Str(s) => s.parse::<u64>().ok(),
            Param::Bits(b) => Some(b.to_u64()),
        };
        n.filter(|n| range.contains(n))
            .ok_or_else(|| self.unsupported(name, value, format!("an integer from {} to {}", range.start(), range.end())))
    }

    /// A bit-vector parameter given as bits or as an integer, `None` when absent.
    pub fn bits(&self, name: &str, width: u32) -> Result<Option<hdl_dsl::Bits>, SimError> {
        let Some(value) = self.value(name) else {
            return Ok(None);
        };
        match value {
            Param::Bits(b) if b.width() <= width => Ok(Some(b.resize(width, false))),
            Param::Int(i) if *i >= 0 => Ok(Some(hdl_dsl::Bits::from_u128(*i as u128, width))),
            _ => Err(self.unsupported(name, value, format!("a bit vector of up to {width} bits"))),
        }
    }
}

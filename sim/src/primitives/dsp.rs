//! `MULT18X18D`: the ECP5 sysDSP's 18 × 18 multiplier (Lattice TN1267).

use std::collections::{BTreeMap, BTreeSet};

use hdl_dsl::{cat, mux, unsigned, Module, ResetKind, Value};

use super::{netlist, Params, PrimitiveModel};
use crate::error::SimError;

const CLOCKS: &[&str] = &["NONE", "CLK0", "CLK1", "CLK2", "CLK3"];
const ENABLES: &[&str] = &["CE0", "CE1", "CE2", "CE3"];
const RESETS: &[&str] = &["RST0", "RST1", "RST2", "RST3"];

/// The register stages of one model, each on the clock, enable and reset its
/// parameters name.
struct Stages<'a> {
    m: Module,
    p: &'a Params<'a>,
    reset: ResetKind,
    /// The clock, enable and reset pins, by name.
    pins: BTreeMap<String, Value>,
    domains: BTreeSet<String>,
}

impl Stages<'_> {
    /// `value` through the register stage `REG_<stage>_*`, or unchanged when its clock
    /// is `NONE`.
    fn stage(&mut self, stage: &str, name: &str, value: &Value) -> Result<Value, SimError> {
        let clk = self.p.choice(&format!("REG_{stage}_CLK"), "NONE", CLOCKS)?;
        let ce = self.p.choice(&format!("REG_{stage}_CE"), "CE0", ENABLES)?;
        let rst = self.p.choice(&format!("REG_{stage}_RST"), "RST0", RESETS)?;
        if clk == "NONE" {
            return Ok(value.clone());
        }
        let domain = format!("{}_{}", clk.to_lowercase(), rst.to_lowercase());
        if self.domains.insert(domain.clone()) {
            self.m.domain(&domain, &self.pins[clk], self.reset, Some(&self.pins[rst]));
        }
        let reg = self.m.signal(name, unsigned(value.width()));
        let enable = self.pins[ce].clone();
        self.m.if_(&enable, |m| m.sync_in(&domain, reg.eq(value)));
        Ok(reg)
    }
}

/// `MULT18X18D`: `P = A × B`, 36 bits, each operand signed when its `SIGNEDA`/`SIGNEDB`
/// pin is high (the sign pins are registered with their operands). Each of the input,
/// pipeline and output register stages is present when its `REG_*_CLK` names a clock,
/// with the enable and reset `REG_*_CE` and `REG_*_RST` name (`RESETMODE` says whether
/// resets wait for the clock); the latency is the number of stages present. `ROA`,
/// `ROB` (and `SROA`, `SROB`) give the registered operands, `ROC` the registered `C`,
/// `SIGNEDP` whether the product is signed. The cascade inputs (`SRIA`, `SRIB`, chosen
/// by `SOURCEA`/`SOURCEB`) are not modelled: the operands are always `A` and `B`.
pub(super) fn mult18x18d(p: &Params) -> Result<PrimitiveModel, SimError> {
    p.choice("MULT_BYPASS", "DISABLED", &["DISABLED"])?;
    let reset = match p.choice("RESETMODE", "SYNC", &["SYNC", "ASYNC"])? {
        "SYNC" => ResetKind::Sync,
        _ => ResetKind::Async,
    };
    let mut m = Module::new("MULT18X18D_model");
    let bus = |m: &mut Module, name: &str, n: u32| cat((0..n).map(|i| m.input(format!("{name}{i}"), unsigned(1))).collect::<Vec<_>>());
    let a = bus(&mut m, "A", 18);
    let b = bus(&mut m, "B", 18);
    let c = bus(&mut m, "C", 18);
    let signed_a = m.input("SIGNEDA", unsigned(1));
    let signed_b = m.input("SIGNEDB", unsigned(1));
    let mut pins = BTreeMap::new();
    for n in 0..4 {
        for pin in ["CLK", "CE", "RST"] {
            let name = format!("{pin}{n}");
            pins.insert(name.clone(), m.input(&name, unsigned(1)));
        }
    }
    let mut s = Stages {
        m,
        p,
        reset,
        pins,
        domains: BTreeSet::new(),
    };
    let a_in = s.stage("INPUTA", "a_in", &cat([a, signed_a]))?;
    let b_in = s.stage("INPUTB", "b_in", &cat([b, signed_b]))?;
    let c_in = s.stage("INPUTC", "c_in", &c)?;
    let operand = |v: &Value| mux(v.bit(18), v.slice(0..18).sext(36), v.slice(0..18).zext(36));
    let product = cat([operand(&a_in).wrapping_mul(operand(&b_in)).trunc(36), a_in.bit(18) | b_in.bit(18)]);
    let piped = s.stage("PIPELINE", "pipeline", &product)?;
    let out = s.stage("OUTPUT", "output_reg", &piped)?;
    let mut m = s.m;
    for i in 0..36 {
        let pin = m.output(format!("P{i}"), unsigned(1));
        m.comb(pin.eq(out.bit(i)));
    }
    let signed_p = m.output("SIGNEDP", unsigned(1));
    m.comb(signed_p.eq(out.bit(36)));
    for (names, value) in [(["ROA", "SROA"], &a_in), (["ROB", "SROB"], &b_in)] {
        for name in names {
            for i in 0..18 {
                let pin = m.output(format!("{name}{i}"), unsigned(1));
                m.comb(pin.eq(value.bit(i)));
            }
        }
    }
    for i in 0..18 {
        let pin = m.output(format!("ROC{i}"), unsigned(1));
        m.comb(pin.eq(c_in.bit(i)));
    }
    Ok(PrimitiveModel {
        high_when_open: &["CE0", "CE1", "CE2", "CE3"],
        ..PrimitiveModel::plain(netlist(m))
    })
}

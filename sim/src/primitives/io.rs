//! The I/O primitives: DDR registers and pad buffers.

use hdl_dsl::{mux, unsigned, Module, ResetKind};

use super::{netlist, Pad, Params, PrimitiveModel};
use crate::error::SimError;

/// Declares the two edges of `SCLK` as the domains `rise` and `fall`, reset at once by
/// `RST` (the I/O registers' reset is asynchronous); returns `(sclk, rst)`.
fn edges(m: &mut Module) -> (hdl_dsl::Value, hdl_dsl::Value) {
    let sclk = m.input("SCLK", unsigned(1));
    let rst = m.input("RST", unsigned(1));
    let sclk_n = m.signal("sclk_n", unsigned(1));
    m.comb(sclk_n.eq(!&sclk));
    m.domain("rise", &sclk, ResetKind::Async, Some(&rst));
    m.domain("fall", &sclk_n, ResetKind::Async, Some(&rst));
    (sclk, rst)
}

/// `ODDRX1F`: two bits per `SCLK` period out of one pin. As in Lattice's own simulation
/// model (and as Amaranth found on hardware, its issue 1667), the data passes two
/// register stages: `D0` and `D1` sampled at rising edge `n` are registered again at
/// edge `n + 1`, and `Q` shows `D0` for the high half of the period that edge starts and
/// `D1` for its low half (`D1` is held from the falling edge, so `Q` changes only on
/// `SCLK`'s edges). Latency: one `SCLK` period from the sampling edge to `D0` on the pin.
pub(super) fn oddrx1f(_p: &Params) -> Result<PrimitiveModel, SimError> {
    let mut m = Module::new("ODDRX1F_model");
    let (sclk, _) = edges(&mut m);
    let d0 = m.input("D0", unsigned(1));
    let d1 = m.input("D1", unsigned(1));
    let q = m.output("Q", unsigned(1));
    let [in0, in1, out0, out1, low] = ["in0", "in1", "out0", "out1", "low"].map(|n| m.signal(n, unsigned(1)));
    m.sync_in("rise", [in0.eq(&d0), in1.eq(&d1), out0.eq(&in0), out1.eq(&in1)]);
    m.sync_in("fall", low.eq(&out1));
    m.comb(q.eq(mux(&sclk, &out0, &low)));
    Ok(PrimitiveModel::plain(netlist(m)))
}

/// `IDDRX1F`: two bits per `SCLK` period from one pin. `D` sampled at rising edge `n`
/// and at the falling edge after it appear together on `Q0` and `Q1` from rising edge
/// `n + 1` (TN1265's one-cycle gearing of the x1 input register).
pub(super) fn iddrx1f(_p: &Params) -> Result<PrimitiveModel, SimError> {
    let mut m = Module::new("IDDRX1F_model");
    edges(&mut m);
    let d = m.input("D", unsigned(1));
    let q0 = m.output("Q0", unsigned(1));
    let q1 = m.output("Q1", unsigned(1));
    let [at_rise, at_fall] = ["at_rise", "at_fall"].map(|n| m.signal(n, unsigned(1)));
    m.sync_in("rise", [at_rise.eq(&d), q0.eq(&at_rise), q1.eq(&at_fall)]);
    m.sync_in("fall", at_fall.eq(&d));
    Ok(PrimitiveModel::plain(netlist(m)))
}

/// `BB`: a bidirectional pad with a pull-up. While `T` is low the design drives the pad
/// with `I`; while high it releases it. The world outside drives it too (the input
/// `OUTSIDE`: 1 released, 0 pulled low), and the pin is the wired AND of both sides and
/// the pull-up: a 0 from either side wins, as on an open-drain bus like SCCB's SIO_D. `O`
/// reads the pin.
pub(super) fn bb() -> PrimitiveModel {
    let mut m = Module::new("BB_model");
    let i = m.input("I", unsigned(1));
    let t = m.input("T", unsigned(1));
    let outside = m.input("OUTSIDE", unsigned(1));
    let o = m.output("O", unsigned(1));
    let b = m.output("B", unsigned(1));
    m.comb([b.eq(mux(&t, true, &i) & &outside), o.eq(&b)]);
    PrimitiveModel {
        pads: &[Pad {
            pin: "B",
            outside: "OUTSIDE",
        }],
        ..PrimitiveModel::plain(netlist(m))
    }
}

/// `IB` and `OB`: a pad buffer in one direction, `O = I`.
pub(super) fn buffer(kind: &str) -> PrimitiveModel {
    let mut m = Module::new(format!("{kind}_model"));
    let i = m.input("I", unsigned(1));
    let o = m.output("O", unsigned(1));
    m.comb(o.eq(&i));
    PrimitiveModel::plain(netlist(m))
}

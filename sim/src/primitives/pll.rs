//! `EHXPLLL`: the sysCLOCK PLL (Lattice TN1263).

use hdl_dsl::{unsigned, Module, ResetKind};

use super::{netlist, Params, PrimitiveModel};
use crate::error::SimError;

/// The rising edge of `CLKI` at which the model locks: its outputs start there (low
/// until then), and `LOCK` rises at the falling edge after it, so that no output's
/// first edge races the lock. (The silicon takes up to 15 ms, TN1263; a testbench has
/// better uses for the time.)
pub const LOCK_CYCLES: u64 = 16;

const OUTPUTS: [&str; 4] = ["CLKOP", "CLKOS", "CLKOS2", "CLKOS3"];

/// One output clock of a PLL, timed against the `CLKI` that drives it. Times are counted
/// in units of `CLKI`'s period × `unit_num` / `unit_den`: an eighth of a VCO period, the
/// PLL's finest phase step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClockOut {
    /// The output pin.
    pub pin: &'static str,
    pub unit_num: u64,
    pub unit_den: u64,
    /// Units per half period.
    pub half: u64,
    /// Units from `CLKI`'s rising edge number [`LOCK_CYCLES`] to the output's first
    /// rising edge.
    pub delay: u64,
}

/// An `EHXPLLL` from its dividers and phases. With feedback from output `F`, the VCO runs
/// at `f_CLKI / CLKI_DIV × CLKFB_DIV × F_DIV`, output `X` at `f_VCO / X_DIV`; `F` stays
/// aligned with `CLKI`, and `X` rises `(X_CPHASE + X_FPHASE/8) − (F_CPHASE + F_FPHASE/8)`
/// VCO periods after it (modulo its period), as `ecppll` computes the phases. The outputs
/// start at the [`LOCK_CYCLES`]th rising edge of `CLKI`, and `LOCK` (and `INTLOCK`) rise
/// half a `CLKI` period later; disabled outputs stay low. Dynamic phase adjustment, standby and reset are not
/// modelled.
pub(super) fn ehxplll(p: &Params) -> Result<PrimitiveModel, SimError> {
    let clki_div = p.int("CLKI_DIV", 1, 1..=128)?;
    let clkfb_div = p.int("CLKFB_DIV", 1, 1..=128)?;
    let feedback = p.choice(
        "FEEDBK_PATH",
        "CLKOP",
        &["CLKOP", "CLKOS", "CLKOS2", "CLKOS3", "INT_OP", "INT_OS", "INT_OS2", "INT_OS3"],
    )?;
    let feedback = match feedback {
        "INT_OP" => "CLKOP",
        "INT_OS" => "CLKOS",
        "INT_OS2" => "CLKOS2",
        "INT_OS3" => "CLKOS3",
        out => out,
    };
    p.choice("DPHASE_SOURCE", "DISABLED", &["DISABLED"])?;
    let mut outputs = Vec::new();
    for (k, pin) in OUTPUTS.into_iter().enumerate() {
        let enabled = p.choice(
            &format!("{pin}_ENABLE"),
            if k == 0 { "ENABLED" } else { "DISABLED" },
            &["ENABLED", "DISABLED"],
        )?;
        let div = p.int(&format!("{pin}_DIV"), 8, 1..=128)?;
        let eighths = p.int(&format!("{pin}_CPHASE"), 0, 0..=127)? * 8 + p.int(&format!("{pin}_FPHASE"), 0, 0..=7)?;
        outputs.push((pin, enabled == "ENABLED", div, eighths));
    }
    let &(_, _, fb_div, fb_eighths) = outputs
        .iter()
        .find(|o| o.0 == feedback)
        .expect("the feedback output is one of the four");

    let mut m = Module::new("EHXPLLL_model");
    let clki = m.input("CLKI", unsigned(1));
    let lock = m.output("LOCK", unsigned(1));
    let intlock = m.output("INTLOCK", unsigned(1));
    let clki_n = m.signal("clki_n", unsigned(1));
    m.comb(clki_n.eq(!&clki));
    // Falling edges of CLKI, counted: the one after rising edge `LOCK_CYCLES` locks.
    let count = m.signal("lock_count", unsigned(5));
    m.domain("clki_fall", &clki_n, ResetKind::None, None);
    m.if_(count.lt(LOCK_CYCLES), |m| m.sync_in("clki_fall", count.eq(count.wrapping_add(1u8))));
    m.comb([lock.eq(count.is_eq(LOCK_CYCLES)), intlock.eq(&lock)]);
    let mut clocks = Vec::new();
    for &(pin, enabled, div, eighths) in &outputs {
        if enabled {
            let period = div * 8;
            clocks.push(ClockOut {
                pin,
                unit_num: clki_div,
                unit_den: clkfb_div * fb_div * 8,
                half: div * 4,
                delay: (eighths + period * 128 - fb_eighths) % period,
            });
        } else {
            let out = m.output(pin, unsigned(1));
            m.comb(out.eq(false));
        }
    }
    Ok(PrimitiveModel {
        clocks,
        ..PrimitiveModel::plain(netlist(m))
    })
}

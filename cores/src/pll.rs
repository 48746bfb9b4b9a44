//! The ECP5 PLL (`EHXPLLL`): dividers planned for requested frequencies, and the
//! primitive instantiated with them.
//!
//! The plan searches the dividers as the `ecppll` tool of Project Trellis does, in the
//! same single-precision arithmetic, so both give the same settings: the output
//! frequency nearest the request, the VCO nearest 600 MHz among equals. The limits are
//! the ones that tool uses for the ECP5: input 8-400 MHz, outputs 10-400 MHz, phase
//! detector 3.125-400 MHz, VCO 400-800 MHz; reference divider up to 128, feedback
//! divider up to 80, output dividers up to 128.

use std::fmt;

use hdl_dsl::{unsigned, Builder, Component, Signature, Value};

const INPUT_MHZ: (f32, f32) = (8.0, 400.0);
const OUTPUT_MHZ: (f32, f32) = (10.0, 400.0);
const PFD_MHZ: (f32, f32) = (3.125, 400.0);
const VCO_MHZ: (f32, f32) = (400.0, 800.0);

/// One output of a planned PLL.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct PllOutput {
    /// Its divider of the VCO.
    pub div: u32,
    /// Coarse phase, in VCO cycles.
    pub cphase: u32,
    /// Fine phase, in eighths of a VCO cycle.
    pub fphase: u32,
    /// The frequency it will have.
    pub mhz: f32,
    /// The phase it will have, in degrees of its own period.
    pub degrees: f32,
}

/// A PLL's settings, and the frequencies they give.
#[derive(Clone, PartialEq, Debug)]
pub struct PllPlan {
    /// The input frequency.
    pub input_mhz: f32,
    /// The reference divider.
    pub clki_div: u32,
    /// The feedback divider (feedback from the primary output).
    pub clkfb_div: u32,
    /// The VCO frequency.
    pub vco_mhz: f32,
    /// `CLKOP`, then `CLKOS`, `CLKOS2`, `CLKOS3` as requested.
    pub outputs: Vec<PllOutput>,
}

/// Why a request cannot be met.
#[derive(Clone, PartialEq, Debug)]
pub enum PllError {
    /// The input frequency is outside what the PLL accepts.
    Input {
        /// The input asked for.
        mhz: f32,
    },
    /// An output frequency is outside what the PLL makes.
    Output {
        /// Which output (0 is `CLKOP`).
        index: usize,
        /// The frequency asked for.
        mhz: f32,
    },
    /// More than four outputs.
    TooManyOutputs(usize),
    /// The nearest frequency the dividers give is too far from the request.
    Inexact {
        /// Which output (0 is `CLKOP`).
        index: usize,
        /// The frequency asked for.
        requested: f32,
        /// The nearest the dividers give.
        achieved: f32,
        /// The relative error allowed.
        tolerance: f32,
    },
}

impl fmt::Display for PllError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PllError::Input { mhz } => {
                write!(
                    f,
                    "a PLL input of {mhz} MHz is outside the ECP5's {}-{} MHz",
                    INPUT_MHZ.0, INPUT_MHZ.1
                )
            }
            PllError::Output { index, mhz } => write!(
                f,
                "PLL output {index} at {mhz} MHz is outside the ECP5's {}-{} MHz",
                OUTPUT_MHZ.0, OUTPUT_MHZ.1
            ),
            PllError::TooManyOutputs(n) => write!(f, "{n} PLL outputs requested; an EHXPLLL has four"),
            PllError::Inexact {
                index,
                requested,
                achieved,
                tolerance,
            } => write!(
                f,
                "PLL output {index}: {requested} MHz cannot be made; the nearest is {achieved} MHz, off by more than {}%; \
                 accept it with a larger tolerance or pick another frequency",
                tolerance * 100.0
            ),
        }
    }
}

impl std::error::Error for PllError {}

/// A request for a PLL: an input, a primary output, up to three more with phases.
#[derive(Clone, Debug)]
pub struct PllRequest {
    input_mhz: f32,
    /// Frequency and phase in degrees of each output; the primary's phase is 0.
    outputs: Vec<(f32, f32)>,
    tolerance: f32,
}

impl PllRequest {
    /// `input_mhz` in, `primary_mhz` out on `CLKOP` (which also closes the feedback loop).
    /// The achieved frequencies may differ from the requests by 0.1% unless
    /// [`PllRequest::tolerance`] says otherwise.
    pub fn new(input_mhz: f32, primary_mhz: f32) -> PllRequest {
        PllRequest {
            input_mhz,
            outputs: vec![(primary_mhz, 0.0)],
            tolerance: 0.001,
        }
    }

    /// Another output, divided from the same VCO, shifted by `degrees` of its period.
    pub fn secondary(mut self, mhz: f32, degrees: f32) -> PllRequest {
        self.outputs.push((mhz, degrees));
        self
    }

    /// The relative error allowed between a request and what the dividers give.
    pub fn tolerance(mut self, fraction: f32) -> PllRequest {
        self.tolerance = fraction;
        self
    }

    /// The dividers and phases, or why the request cannot be met.
    pub fn plan(&self) -> Result<PllPlan, PllError> {
        let input = self.input_mhz;
        if !(INPUT_MHZ.0..=INPUT_MHZ.1).contains(&input) {
            return Err(PllError::Input { mhz: input });
        }
        if self.outputs.len() > 4 {
            return Err(PllError::TooManyOutputs(self.outputs.len()));
        }
        for (index, &(mhz, _)) in self.outputs.iter().enumerate() {
            if !(OUTPUT_MHZ.0..=OUTPUT_MHZ.1).contains(&mhz) {
                return Err(PllError::Output { index, mhz });
            }
        }
        let target = self.outputs[0].0;
        // (error, reference, feedback, output divider, VCO, output frequency)
        let mut best: Option<(f32, u32, u32, u32, f32, f32)> = None;
        for clki_div in 1..=128u32 {
            let pfd = input / clki_div as f32;
            if !(PFD_MHZ.0..=PFD_MHZ.1).contains(&pfd) {
                continue;
            }
            for clkfb_div in 1..=80u32 {
                for op_div in 1..=128u32 {
                    let vco = pfd * clkfb_div as f32 * op_div as f32;
                    if !(VCO_MHZ.0..=VCO_MHZ.1).contains(&vco) {
                        continue;
                    }
                    let out = vco / op_div as f32;
                    let error = (out - target).abs();
                    let better = match best {
                        None => true,
                        Some((e, _, _, _, v, _)) => error < e || (error == e && (vco - 600.0).abs() < (v - 600.0).abs()),
                    };
                    if better {
                        best = Some((error, clki_div, clkfb_div, op_div, vco, out));
                    }
                }
            }
        }
        let Some((_, clki_div, clkfb_div, op_div, vco, out)) = best else {
            return Err(PllError::Inexact {
                index: 0,
                requested: target,
                achieved: 0.0,
                tolerance: self.tolerance,
            });
        };
        // The primary is shifted by half its period (as Lattice's tools do); the others'
        // phases count from it. Rounding follows the tool's single-precision steps.
        let half_period = (1.0 / (out as f64 * 1e6) * 0.5) as f32;
        let primary_cphase = (half_period as f64 * (vco as f64 * 1e6)) as u32;
        let mut outputs = vec![PllOutput {
            div: op_div,
            cphase: primary_cphase,
            fphase: 0,
            mhz: out,
            degrees: 0.0,
        }];
        for &(mhz, degrees) in &self.outputs[1..] {
            let div = ((vco / mhz) as u32).clamp(1, 128);
            let freq = vco / div as f32;
            let shift = (1.0 / (freq as f64 * 1e6) * degrees as f64 / 360.0) as f32;
            let count = (shift as f64 * (vco as f64 * 1e6)) as f32;
            let cphase = count as u32;
            let fphase = ((count - cphase as f32) * 8.0) as u32;
            let actual = (1.0 / (vco as f64 * 1e6) * (cphase as f64 + fphase as f64 / 8.0)) as f32;
            let achieved_degrees = (360.0 * actual as f64 / (1.0 / (freq as f64 * 1e6))) as f32;
            outputs.push(PllOutput {
                div,
                cphase: cphase + primary_cphase,
                fphase,
                mhz: freq,
                degrees: achieved_degrees,
            });
        }
        for (index, (o, &(requested, _))) in outputs.iter().zip(&self.outputs).enumerate() {
            if (o.mhz - requested).abs() > requested * self.tolerance {
                return Err(PllError::Inexact {
                    index,
                    requested,
                    achieved: o.mhz,
                    tolerance: self.tolerance,
                });
            }
        }
        Ok(PllPlan {
            input_mhz: input,
            clki_div,
            clkfb_div,
            vco_mhz: vco,
            outputs,
        })
    }
}

/// The ports of a PLL.
#[derive(Clone, Debug)]
pub struct PllPorts {
    /// The reference clock in.
    pub clkin: Value,
    /// The outputs: `clkout0` (`CLKOP`), `clkout1` (`CLKOS`), ...
    pub clkout: Vec<Value>,
    /// High once the PLL has locked.
    pub locked: Value,
}

/// The signature of [`PllPorts`] with `outputs` outputs.
#[derive(Clone, Copy, Debug)]
pub struct PllSignature {
    outputs: usize,
}

impl Signature for PllSignature {
    type Interface = PllPorts;

    fn build(&self, b: &mut Builder) -> PllPorts {
        PllPorts {
            clkin: b.input("clkin", unsigned(1)),
            clkout: (0..self.outputs).map(|i| b.output(&format!("clkout{i}"), unsigned(1))).collect(),
            locked: b.output("locked", unsigned(1)),
        }
    }
}

/// Formats a frequency as the tools' attributes write it.
fn mhz(v: f32) -> String {
    format!("{v}")
}

/// An `EHXPLLL` set up by `plan`. Feedback comes from `CLKOP`; the frequency attributes
/// let nextpnr constrain every output clock from the input's constraint.
pub fn pll(plan: &PllPlan) -> Component<PllSignature> {
    let plan = plan.clone();
    let signature = PllSignature {
        outputs: plan.outputs.len(),
    };
    Component::build("pll", signature, move |m, p| {
        const NAMES: [&str; 4] = ["CLKOP", "CLKOS", "CLKOS2", "CLKOS3"];
        let mut b = m
            .instance("EHXPLLL", "pll")
            .attr("FREQUENCY_PIN_CLKI", mhz(plan.input_mhz))
            .attr("ICP_CURRENT", "12")
            .attr("LPF_RESISTOR", "8")
            .attr("MFG_ENABLE_FILTEROPAMP", "1")
            .attr("MFG_GMCREF_SEL", "2")
            .param("PLLRST_ENA", "DISABLED")
            .param("INTFB_WAKE", "DISABLED")
            .param("STDBY_ENABLE", "DISABLED")
            .param("DPHASE_SOURCE", "DISABLED")
            .param("OUTDIVIDER_MUXA", "DIVA")
            .param("OUTDIVIDER_MUXB", "DIVB")
            .param("OUTDIVIDER_MUXC", "DIVC")
            .param("OUTDIVIDER_MUXD", "DIVD")
            .param("CLKI_DIV", plan.clki_div)
            .param("CLKFB_DIV", plan.clkfb_div)
            .param("FEEDBK_PATH", "CLKOP");
        for (name, o) in NAMES.iter().zip(&plan.outputs) {
            b = b
                .attr(&format!("FREQUENCY_PIN_{name}"), mhz(o.mhz))
                .param(&format!("{name}_ENABLE"), "ENABLED")
                .param(&format!("{name}_DIV"), o.div)
                .param(&format!("{name}_CPHASE"), o.cphase)
                .param(&format!("{name}_FPHASE"), o.fphase);
        }
        b = b
            .input("CLKI", &p.clkin)
            .input("CLKFB", &p.clkout[0])
            .input("RST", 0u8)
            .input("STDBY", 0u8)
            .input("PHASESEL0", 0u8)
            .input("PHASESEL1", 0u8)
            .input("PHASEDIR", 1u8)
            .input("PHASESTEP", 1u8)
            .input("PHASELOADREG", 1u8)
            .input("PLLWAKESYNC", 0u8)
            .input("ENCLKOP", 0u8);
        for (name, out) in NAMES.iter().zip(&p.clkout) {
            b = b.output(name, out);
        }
        b.output("LOCK", &p.locked);
    })
}

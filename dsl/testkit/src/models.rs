//! Verilog models of the ECP5 primitives, written for this project's tests from Lattice's
//! technical notes (TN1263 PLL, TN1264 memory, TN1265 DDR I/O, TN1267 sysDSP) to run a
//! design's emitted Verilog with its primitive instances under Icarus and Verilator:
//! yosys ships most of these cells only as black boxes. Each file's header says what it
//! models and what it leaves out. hdl-sim's own models are checked against these.

use std::collections::BTreeSet;

use hdl_dsl::netlist::CellKind;
use hdl_dsl::Design;

/// Each modelled primitive and its Verilog, by primitive name.
pub const MODELS: &[(&str, &str)] = &[
    ("DP16KD", include_str!("../models/DP16KD.v")),
    ("EHXPLLL", include_str!("../models/EHXPLLL.v")),
    ("MULT18X18D", include_str!("../models/MULT18X18D.v")),
    ("ODDRX1F", include_str!("../models/ODDRX1F.v")),
];

/// The Verilog model of primitive `kind`, if there is one.
pub fn verilog_model(kind: &str) -> Option<&'static str> {
    MODELS.iter().find(|(k, _)| *k == kind).map(|(_, text)| *text)
}

/// The model files (`KIND.v`, text) for every primitive `design` instantiates that has a
/// model, in name order.
pub fn models_for(design: &Design) -> Vec<(String, String)> {
    let kinds: BTreeSet<&str> = design
        .netlist()
        .modules
        .values()
        .flat_map(|m| m.cells.values())
        .filter_map(|c| match &c.kind {
            CellKind::BlackBox { kind, .. } => Some(kind.as_str()),
            CellKind::Submodule(_) => None,
        })
        .collect();
    kinds
        .into_iter()
        .filter_map(|k| verilog_model(k).map(|text| (format!("{k}.v"), text.to_owned())))
        .collect()
}

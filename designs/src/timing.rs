//! A build's paths between clocks checked with what the netlist knows: nextpnr reports
//! the longest path between each two clocks but not what it ends in, and
//! [`hdl_sim::cdc`] tells which clock pairs meet only in synchronizers.

use hdl_boards::{clock_net_wire, BuildReport, CrossingCheck, CrossingReport};
use hdl_dsl::Design;
use hdl_sim::SimError;

/// Every path between two clocks of `report` (a build of `design`) checked with
/// `margin` ([`BuildReport::check_crossings`]), the pairs that meet only in
/// synchronizers passing without a timing relation.
pub fn check_crossings(design: &Design, report: &BuildReport, margin: f64) -> Result<Vec<(CrossingReport, CrossingCheck)>, SimError> {
    let cdc = hdl_sim::cdc::crossings(design)?;
    let synchronized = |from: &str, to: &str| match (cdc.clock(clock_net_wire(from)), cdc.clock(clock_net_wire(to))) {
        (Some(a), Some(b)) => cdc.only_synchronized(a, b),
        _ => false,
    };
    Ok(report.check_crossings(margin, synchronized))
}

/// For each clock of `report` (a build of `design`), the first of `named` (wires of the
/// design, like `compute_clk`) that carries the same clock, or else nextpnr's name for
/// it (`$glbnet$capture.clk`, named after a load).
pub fn clock_names(design: &Design, report: &BuildReport, named: &[&str]) -> Result<Vec<(String, String)>, SimError> {
    let cdc = hdl_sim::cdc::crossings(design)?;
    Ok(report
        .clocks
        .iter()
        .map(|c| {
            let source = cdc.clock(clock_net_wire(&c.name));
            let name = named.iter().find(|n| source.is_some() && cdc.clock(n) == source);
            (c.name.clone(), name.map_or_else(|| c.name.clone(), |n| n.to_string()))
        })
        .collect())
}

/// A line for each checked path: `A -> B: 2.04 ns (+10%) of the 8.00 ns between their
/// closest edges: ok`.
pub fn describe(path: &CrossingReport, check: &CrossingCheck, margin: f64) -> String {
    let extra = ((margin - 1.0) * 100.0).round();
    let with_margin = if extra > 0.0 { format!("(+{extra}%) ") } else { String::new() };
    let verdict = match check {
        CrossingCheck::Synchronized => "only synchronizers, no timing relation needed: ok".to_owned(),
        CrossingCheck::Timed { window_ns, fits } => format!(
            "{with_margin}of the {window_ns:.2} ns between their closest edges: {}",
            if *fits { "ok" } else { "SHORT" }
        ),
        CrossingCheck::Unconstrained => "a clock without a constraint in the report: SHORT".to_owned(),
    };
    format!("{} -> {}: {:.2} ns {verdict}", path.from, path.to, path.delay_ns)
}

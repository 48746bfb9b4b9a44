//! The open ECP5 flow: yosys `synth_ecp5` → nextpnr-ecp5 → ecppack, with the tools
//! provisioned when missing, progress on the terminal (place and route takes minutes),
//! builds reused while their inputs are unchanged, and a report of what came out.

use std::fmt;
use std::path::{Path, PathBuf};

use hdl_dsl::tools::{self, ProvisionError, Tool};
use hdl_dsl::Design;

use crate::lpf::{lpf, LpfError};
use crate::stage::{self, Stage};
use crate::Board;

/// Where and how to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    dir: PathBuf,
    seed: u64,
    progress: bool,
    install_tools: bool,
    reuse: bool,
    pull_ups: Vec<String>,
}

impl BuildOptions {
    /// Build into `dir` (created if missing), with placement seed 1, printing progress,
    /// installing the tools if they are missing, and reusing the last build in `dir`
    /// when its inputs are unchanged.
    pub fn new(dir: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            dir: dir.into(),
            seed: 1,
            progress: true,
            install_tools: true,
            reuse: true,
            pull_ups: Vec::new(),
        }
    }

    /// Whether missing tools are installed (see [`tools::provision`]); when not, a
    /// missing tool is an error saying how to install it.
    pub fn install_tools(mut self, on: bool) -> BuildOptions {
        self.install_tools = on;
        self
    }

    /// Whether a build whose inputs (Verilog, constraints, device, seed, tool versions)
    /// equal the last one's in the same folder reuses its bitstream and report.
    pub fn reuse(mut self, on: bool) -> BuildOptions {
        self.reuse = on;
        self
    }

    /// Give the pad of port bit `pin` (`gp[0]`) the pull-up (`PULLMODE=UP`), as an
    /// open-drain bus such as SCCB needs, whatever the board sets.
    pub fn pull_up(mut self, pin: &str) -> BuildOptions {
        self.pull_ups.push(pin.to_owned());
        self
    }

    /// The nextpnr placement seed.
    pub fn seed(mut self, seed: u64) -> BuildOptions {
        self.seed = seed;
        self
    }

    /// Whether to print each stage as it starts and ends (on standard error).
    pub fn progress(mut self, on: bool) -> BuildOptions {
        self.progress = on;
        self
    }
}

/// One clock's timing after routing.
#[derive(Clone, PartialEq, Debug)]
pub struct ClockReport {
    /// The clock net, as nextpnr names it.
    pub name: String,
    /// The highest frequency the routed design allows.
    pub achieved_mhz: f64,
    /// The frequency it must run at.
    pub constraint_mhz: f64,
}

impl ClockReport {
    /// Whether the clock meets its constraint.
    pub fn passes(&self) -> bool {
        self.achieved_mhz >= self.constraint_mhz
    }
}

/// The longest path from one clock's registers to another's, as nextpnr's log gives it
/// (`Max delay posedge A -> posedge B: X ns`). nextpnr checks each clock alone, so
/// between two clocks of one PLL this, held against the closest pair of their edges, is
/// what proves the paths.
#[derive(Clone, PartialEq, Debug)]
pub struct CrossingReport {
    /// The launching clock's net.
    pub from: String,
    /// Whether it launches on the falling edge.
    pub from_falling: bool,
    /// The capturing clock's net.
    pub to: String,
    /// Whether it captures on the falling edge.
    pub to_falling: bool,
    /// The longest path, in nanoseconds.
    pub delay_ns: f64,
}

impl CrossingReport {
    /// The time a path has from a launching edge to the closest capturing edge after it,
    /// in nanoseconds, for the two clocks at `from_mhz` and `to_mhz` with their rising
    /// edges aligned and half-period high times (two outputs of one PLL without phase
    /// shifts): the smallest positive gap between the two edge trains, which is the
    /// faster period only when it divides the slower one (125 and 25 MHz: 8 ns; 110 and
    /// 25: 1.82 ns).
    pub fn window_ns(&self, from_mhz: f64, to_mhz: f64) -> f64 {
        let khz = |mhz: f64| ((mhz * 1e3).round() as u64).max(1);
        let (f1, f2) = (khz(from_mhz), khz(to_mhz));
        // Time in units of 1 / (2 lcm) ms: every period and half period is whole.
        let units = 2 * (f1 / gcd(f1, f2) * f2);
        let (t1, t2) = (units / f1, units / f2);
        let offset = |period: u64, falling: bool| if falling { period / 2 } else { 0 };
        let step = gcd(t1, t2);
        let gap = (offset(t2, self.to_falling) + step - offset(t1, self.from_falling) % step) % step;
        let gap = if gap == 0 { step } else { gap };
        gap as f64 * 1e6 / units as f64
    }
}

/// How a path between two clocks stands against the time it has.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum CrossingCheck {
    /// Every path between the two clocks ends in a synchronizer's first register (as the
    /// design's netlist shows): no timing relation between them is needed.
    Synchronized,
    /// The longest path, with the margin, against the time between the clocks' closest
    /// edges ([`CrossingReport::window_ns`]).
    Timed {
        /// The time the path has.
        window_ns: f64,
        /// Whether the delay times the margin fits in it.
        fits: bool,
    },
    /// A clock has no constraint in the report, so the path cannot be checked.
    Unconstrained,
}

impl CrossingCheck {
    /// Whether the path is safe.
    pub fn passes(&self) -> bool {
        matches!(self, CrossingCheck::Synchronized | CrossingCheck::Timed { fits: true, .. })
    }
}

/// The design's name of a clock net as nextpnr names it: `$glbnet$engine.pixel_clk` is
/// the global buffer of `engine.pixel_clk`.
pub fn clock_net_wire(net: &str) -> &str {
    net.strip_prefix("$glbnet$").unwrap_or(net)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// A kind of resource and how much of it the design uses.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Resource {
    /// The cell type, like `TRELLIS_SLICE` or `DP16KD`.
    pub name: String,
    /// How many the design uses.
    pub used: u64,
    /// How many the device has.
    pub available: u64,
}

/// What a build produced.
#[derive(Clone, PartialEq, Debug)]
pub struct BuildReport {
    /// The bitstream.
    pub bitstream: PathBuf,
    /// Every constrained clock.
    pub clocks: Vec<ClockReport>,
    /// Paths between two clocks (those to or from unclocked ports are left out).
    pub crossings: Vec<CrossingReport>,
    /// Resources the design uses (those it uses none of are left out).
    pub resources: Vec<Resource>,
    /// Seconds each stage took (none when the build was reused).
    pub seconds: Vec<(&'static str, f64)>,
    /// The tools and their versions: `yosys 0.70, nextpnr-ecp5 0.11.1, ecppack ...`.
    pub tools: String,
    /// Whether the last build's results were reused, its inputs being unchanged.
    pub reused: bool,
}

impl BuildReport {
    /// Whether every clock meets its constraint.
    pub fn timing_met(&self) -> bool {
        self.clocks.iter().all(ClockReport::passes)
    }

    /// Every path between two clocks checked: those between clocks that
    /// `synchronized(from, to)` says meet only in synchronizers (nextpnr's net names; see
    /// [`clock_net_wire`]) need nothing, the others must fit, `margin` times their delay,
    /// between the two clocks' closest edges.
    pub fn check_crossings(&self, margin: f64, synchronized: impl Fn(&str, &str) -> bool) -> Vec<(CrossingReport, CrossingCheck)> {
        let constraint = |name: &str| self.clocks.iter().find(|c| c.name == name).map(|c| c.constraint_mhz);
        self.crossings
            .iter()
            .map(|x| {
                let check = if synchronized(&x.from, &x.to) {
                    CrossingCheck::Synchronized
                } else if let (Some(a), Some(b)) = (constraint(&x.from), constraint(&x.to)) {
                    let window_ns = x.window_ns(a, b);
                    CrossingCheck::Timed {
                        window_ns,
                        fits: x.delay_ns * margin <= window_ns,
                    }
                } else {
                    CrossingCheck::Unconstrained
                };
                (x.clone(), check)
            })
            .collect()
    }
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "bitstream: {}", self.bitstream.display())?;
        for c in &self.clocks {
            let verdict = if c.passes() { "PASS" } else { "FAIL" };
            writeln!(
                f,
                "clock {:<32} {:>8.2} MHz (needs {:.2} MHz) {verdict}",
                c.name, c.achieved_mhz, c.constraint_mhz
            )?;
        }
        for c in &self.crossings {
            writeln!(f, "path {} -> {}: {:.2} ns", c.from, c.to, c.delay_ns)?;
        }
        for r in &self.resources {
            writeln!(f, "{:<16} {:>6} / {:<6}", r.name, r.used, r.available)?;
        }
        writeln!(f, "tools: {}", self.tools)?;
        if self.reused {
            return write!(f, "reused: the inputs are those of the last build");
        }
        let times: Vec<String> = self.seconds.iter().map(|(s, t)| format!("{s} {t:.0} s")).collect();
        write!(f, "time: {}", times.join(", "))
    }
}

/// Why a build did not finish.
#[derive(Clone, PartialEq, Debug)]
pub enum BuildError {
    /// The tools are missing and could not be installed.
    Tools(ProvisionError),
    /// The design's ports do not fit the board.
    Constraints(LpfError),
    /// A file could not be written or read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// A tool failed.
    Tool {
        /// The stage: `synthesis`, `place and route`, `bitstream`.
        stage: &'static str,
        /// The end of what the tool printed.
        log: String,
        /// Its whole log.
        log_path: PathBuf,
    },
    /// nextpnr's report could not be read.
    Report(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Tools(e) => write!(f, "{e}"),
            BuildError::Constraints(e) => write!(f, "{e}"),
            BuildError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            BuildError::Tool { stage, log, log_path } => write!(f, "{stage} failed (its whole log: {}):\n{log}", log_path.display()),
            BuildError::Report(why) => write!(f, "cannot read nextpnr's report: {why}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<LpfError> for BuildError {
    fn from(e: LpfError) -> BuildError {
        BuildError::Constraints(e)
    }
}

impl From<ProvisionError> for BuildError {
    fn from(e: ProvisionError) -> BuildError {
        BuildError::Tools(e)
    }
}

fn write(path: &Path, text: &str) -> Result<(), BuildError> {
    std::fs::write(path, text).map_err(|e| BuildError::Io {
        path: path.to_owned(),
        message: format!("cannot write it: {e}"),
    })
}

/// The file in the build folder that records the last finished build's inputs.
const INPUTS: &str = "build-inputs.txt";

/// The LPF a build of `design` on `board` uses: the board's pins for the design's ports,
/// with the options' pull-ups.
pub fn constraints(design: &Design, board: &impl Board, options: &BuildOptions) -> Result<String, LpfError> {
    let mut pins = board.pins();
    for pin in pins.iter_mut().filter(|p| options.pull_ups.contains(&p.port)) {
        pin.pull = Some("UP");
    }
    lpf(design, &pins)
}

/// Builds a bitstream of `design` for `board` in `options`' directory: `top.v`,
/// `top.lpf`, `top.json`, `top.config`, `report.json`, `top.bit` and the tools' logs.
/// A design that misses timing still gets its bitstream; the report says which clocks
/// fail ([`BuildReport::timing_met`]). Missing tools are installed first (unless
/// [`BuildOptions::install_tools`] turns that off); a build whose inputs are those of
/// the last one in the folder reuses its results (unless [`BuildOptions::reuse`] turns
/// that off).
pub fn build(design: &Design, board: &impl Board, options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let say = &mut |line: &str| {
        if options.progress {
            eprintln!("==> {line}");
        }
    };
    let found = tools::provision(&[Tool::Yosys, Tool::NextpnrEcp5, Tool::Ecppack], options.install_tools, say)?;
    for warning in &found.warnings {
        eprintln!("warning: {warning}");
    }
    let dir = &options.dir;
    std::fs::create_dir_all(dir).map_err(|e| BuildError::Io {
        path: dir.clone(),
        message: format!("cannot create the build folder: {e}"),
    })?;
    let verilog = design.verilog();
    let constraints = constraints(design, board, options)?;
    let seed = options.seed.to_string();
    let device = board.device();
    let script = format!("read_verilog top.v; synth_ecp5 -top {} -json top.json", design.top_name());
    let nextpnr_args = [
        device.nextpnr_flag(),
        "--package",
        board.package(),
        "--json",
        "top.json",
        "--lpf",
        "top.lpf",
        "--textcfg",
        "top.config",
        "--report",
        "report.json",
        "--seed",
        &seed,
        "--timing-allow-fail",
        "-l",
        "nextpnr.log",
    ];
    // What decides the result besides top.v and top.lpf, which are compared whole.
    let inputs = format!(
        "tools: {}\nsynthesis: {script}\nplace and route: {}\nbitstream: --compress\n",
        found.versions(),
        nextpnr_args.join(" ")
    );
    let (top_v, top_lpf, inputs_path) = (dir.join("top.v"), dir.join("top.lpf"), dir.join(INPUTS));
    let unchanged = |path: &Path, text: &str| std::fs::read(path).is_ok_and(|old| old == text.as_bytes());
    let reused = options.reuse
        && unchanged(&inputs_path, &inputs)
        && unchanged(&top_v, &verilog)
        && unchanged(&top_lpf, &constraints)
        && dir.join("top.bit").is_file();
    let mut seconds = Vec::new();
    if reused {
        say(&format!(
            "inputs unchanged since the last build in {}: reusing its bitstream and report",
            dir.display()
        ));
    } else {
        // Until this build finishes, the folder holds no finished build.
        std::fs::remove_file(&inputs_path).ok();
        write(&top_v, &verilog)?;
        write(&top_lpf, &constraints)?;
        let path = |tool: Tool| found.path(tool).expect("provisioned").to_owned();
        let (yosys, nextpnr, ecppack) = (path(Tool::Yosys), path(Tool::NextpnrEcp5), path(Tool::Ecppack));
        let stages = [
            Stage {
                name: "synthesis",
                program: &yosys,
                args: &["-q", "-l", "yosys.log", "-p", &script],
                output: "yosys.out",
                log: Some("yosys.log"),
            },
            Stage {
                name: "place and route",
                program: &nextpnr,
                args: &nextpnr_args,
                output: "nextpnr.out",
                log: Some("nextpnr.log"),
            },
            Stage {
                name: "bitstream",
                program: &ecppack,
                args: &["--compress", "top.config", "top.bit"],
                output: "ecppack.out",
                log: None,
            },
        ];
        for s in &stages {
            seconds.push((s.name, stage::run(s, dir, options.progress)?));
        }
        write(&inputs_path, &inputs)?;
    }
    let (clocks, resources) = read_report(&dir.join("report.json"))?;
    let log = dir.join("nextpnr.log");
    let log = std::fs::read_to_string(&log).map_err(|e| BuildError::Io {
        path: log,
        message: format!("cannot read nextpnr's log: {e}"),
    })?;
    Ok(BuildReport {
        bitstream: dir.join("top.bit"),
        clocks,
        crossings: crossings(&log),
        resources,
        seconds,
        tools: found.versions(),
        reused,
    })
}

/// The paths between two clocks in nextpnr's log: its lines
/// `Info: Max delay posedge A -> posedge B: X ns` (negedge too), `<async>` ends left out.
/// nextpnr reports after placement and again after routing: the last report of each
/// pair is the routed one.
pub fn crossings(log: &str) -> Vec<CrossingReport> {
    let end = |s: &str| match s.trim().split_once(' ') {
        Some(("posedge", clock)) => Some((clock.to_owned(), false)),
        Some(("negedge", clock)) => Some((clock.to_owned(), true)),
        _ => None,
    };
    let reported = log.lines().filter_map(|line| {
        let rest = line.trim_start_matches("Info:").trim().strip_prefix("Max delay ")?;
        let (path, delay) = rest.rsplit_once(':')?;
        let (from, to) = path.split_once("->")?;
        let delay_ns = delay.trim().strip_suffix("ns")?.trim().parse().ok()?;
        let ((from, from_falling), (to, to_falling)) = (end(from)?, end(to)?);
        Some(CrossingReport {
            from,
            from_falling,
            to,
            to_falling,
            delay_ns,
        })
    });
    let mut found: Vec<CrossingReport> = Vec::new();
    for crossing in reported {
        let same = |c: &CrossingReport| {
            (&c.from, c.from_falling, &c.to, c.to_falling) == (&crossing.from, crossing.from_falling, &crossing.to, crossing.to_falling)
        };
        match found.iter_mut().find(|c| same(c)) {
            Some(earlier) => *earlier = crossing,
            None => found.push(crossing),
        }
    }
    found
}

/// Clocks and resources from nextpnr's `--report` JSON.
fn read_report(path: &Path) -> Result<(Vec<ClockReport>, Vec<Resource>), BuildError> {
    let text = std::fs::read_to_string(path).map_err(|e| BuildError::Io {
        path: path.to_owned(),
        message: format!("cannot read nextpnr's report: {e}"),
    })?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| BuildError::Report(e.to_string()))?;
    let number = |v: &serde_json::Value, key: &str| v.get(key).and_then(serde_json::Value::as_f64);
    let mut clocks = Vec::new();
    if let Some(fmax) = json.get("fmax").and_then(|f| f.as_object()) {
        for (name, v) in fmax {
            let (Some(achieved_mhz), Some(constraint_mhz)) = (number(v, "achieved"), number(v, "constraint")) else {
                return Err(BuildError::Report(format!("clock `{name}` lacks achieved/constraint")));
            };
            clocks.push(ClockReport {
                name: name.clone(),
                achieved_mhz,
                constraint_mhz,
            });
        }
    }
    let mut resources = Vec::new();
    if let Some(util) = json.get("utilization").and_then(|u| u.as_object()) {
        for (name, v) in util {
            let (Some(used), Some(available)) = (number(v, "used"), number(v, "available")) else {
                return Err(BuildError::Report(format!("resource `{name}` lacks used/available")));
            };
            if used > 0.0 {
                resources.push(Resource {
                    name: name.clone(),
                    used: used as u64,
                    available: available as u64,
                });
            }
        }
    }
    Ok((clocks, resources))
}

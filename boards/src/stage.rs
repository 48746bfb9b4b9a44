//! One tool of the flow run to completion, with what it prints kept in a file and, on a
//! terminal, its progress: the phase its log has reached and the time so far.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::flow::BuildError;

/// A stage of the flow: a tool, its arguments, and where it writes its log.
pub(crate) struct Stage<'a> {
    /// `synthesis`, `place and route`, `bitstream`.
    pub name: &'static str,
    pub program: &'a Path,
    pub args: &'a [&'a str],
    /// The file, in the build folder, that takes what the tool prints.
    pub output: &'static str,
    /// The tool's own log, if it writes one: read for its phase, and named when it fails.
    pub log: Option<&'static str>,
}

/// How often the tool's log is read for its phase.
const POLL: Duration = Duration::from_millis(500);
/// How often a long phase is said to go on.
const HEARTBEAT: Duration = Duration::from_secs(30);

/// The phase of nextpnr a line of its log starts, if any.
fn nextpnr_phase(line: &str) -> Option<&'static str> {
    let line = line.strip_prefix("Info: ")?;
    [
        ("Packing", "packing"),
        ("Creating initial analytic placement", "placing"),
        ("Running simulated annealing", "refining the placement"),
        ("Routing..", "routing"),
        ("Setting up routing", "routing"),
        ("Critical path report", "timing analysis"),
    ]
    .iter()
    .find(|(start, _)| line.starts_with(start))
    .map(|&(_, phase)| phase)
}

/// Runs `stage` in `dir`; returns the seconds it took, or the failure with the end of
/// what the tool printed and where all of it is kept.
pub(crate) fn run(stage: &Stage, dir: &Path, progress: bool) -> Result<f64, BuildError> {
    let output_path = dir.join(stage.output);
    let io = |path: &Path, what: &str, e: std::io::Error| BuildError::Io {
        path: path.to_owned(),
        message: format!("{what}: {e}"),
    };
    // A log left by the last build would show its phases as this one's.
    if let Some(log) = stage.log {
        std::fs::remove_file(dir.join(log)).ok();
    }
    let output = File::create(&output_path).map_err(|e| io(&output_path, "cannot create it", e))?;
    let errors = output.try_clone().map_err(|e| io(&output_path, "cannot open it twice", e))?;
    if progress {
        eprintln!("==> {}: {} {}", stage.name, stage.program.display(), stage.args.join(" "));
    }
    let start = Instant::now();
    let mut child = Command::new(stage.program)
        .args(stage.args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(output)
        .stderr(errors)
        .spawn()
        .map_err(|e| io(stage.program, &format!("cannot run {}", stage.name), e))?;
    let mut watch = stage.log.filter(|_| progress).map(|log| LogWatch::new(dir.join(log)));
    let mut said = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| io(stage.program, "cannot wait for it", e))? {
            Some(status) => break status,
            None => std::thread::sleep(POLL),
        }
        if let Some(watch) = &mut watch {
            if let Some(phase) = watch.new_phase() {
                eprintln!("    {}: {phase} ({:.0} s)", stage.name, start.elapsed().as_secs_f64());
                said = Instant::now();
            }
        }
        if progress && said.elapsed() >= HEARTBEAT {
            let phase = watch.as_ref().and_then(|w| w.phase).map(|p| format!("{p}, ")).unwrap_or_default();
            eprintln!("    {}: {phase}{:.0} s", stage.name, start.elapsed().as_secs_f64());
            said = Instant::now();
        }
    };
    let took = start.elapsed().as_secs_f64();
    if progress {
        eprintln!("    {} took {took:.0} s", stage.name);
    }
    if status.success() {
        return Ok(took);
    }
    let printed = std::fs::read_to_string(&output_path).unwrap_or_default();
    let log = stage.log.map_or(output_path, |log| dir.join(log));
    Err(BuildError::Tool {
        stage: stage.name,
        log: tail(&printed),
        log_path: log,
    })
}

/// The last lines of a log, where tools say what went wrong.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// A log being written, read a piece at a time for the phase it reaches.
struct LogWatch {
    path: PathBuf,
    read: u64,
    partial: String,
    phase: Option<&'static str>,
}

impl LogWatch {
    fn new(path: PathBuf) -> LogWatch {
        LogWatch {
            path,
            read: 0,
            partial: String::new(),
            phase: None,
        }
    }

    /// The phase the log has reached, if it changed since the last call.
    fn new_phase(&mut self) -> Option<&'static str> {
        let mut file = File::open(&self.path).ok()?;
        file.seek(SeekFrom::Start(self.read)).ok()?;
        let mut bytes = Vec::new();
        self.read += file.read_to_end(&mut bytes).ok()? as u64;
        self.partial += &String::from_utf8_lossy(&bytes);
        let complete = self.partial.rfind('\n').map_or(0, |end| end + 1);
        let latest = self.partial[..complete].lines().rev().find_map(nextpnr_phase);
        self.partial.drain(..complete);
        match latest {
            Some(phase) if Some(phase) != self.phase => {
                self.phase = Some(phase);
                Some(phase)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_phase_follows_the_log_as_it_is_written_a_piece_at_a_time() {
        let path = std::env::temp_dir().join(format!("hdl-boards-phase-{}.log", std::process::id()));
        let mut log = File::create(&path).unwrap();
        let mut watch = LogWatch::new(path.clone());
        assert_eq!(watch.new_phase(), None);
        write!(log, "Info: Packing IOs..\nInfo: Packing LUTs...\nInfo: Creating initial analytic").unwrap();
        assert_eq!(watch.new_phase(), Some("packing"));
        // The rest of a line written in two pieces, then a line that starts no phase.
        write!(log, " placement for 13533 cells\nInfo:     at initial placer iter 0\n").unwrap();
        assert_eq!(watch.new_phase(), Some("placing"));
        assert_eq!(watch.new_phase(), None);
        write!(log, "Info: Routing..\nInfo: Critical path report for clock 'clk'\n").unwrap();
        assert_eq!(watch.new_phase(), Some("timing analysis"));
        std::fs::remove_file(&path).ok();
    }
}

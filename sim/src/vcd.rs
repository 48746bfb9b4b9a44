//! VCD waveform output: the chosen signals, within a chosen time window, with the
//! design's hierarchy as scopes. Opens in GTKWave and Surfer.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

use crate::error::SimError;

/// Which signals to trace, and when.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    only: Vec<String>,
    window: Option<Range<u64>>,
}

impl Trace {
    /// Every signal, for the whole run.
    pub fn all() -> Trace {
        Trace::default()
    }

    /// Only these signals and scopes: `"count"` is one signal, `"child"` every signal
    /// under instance `child`.
    pub fn only<S: AsRef<str>>(names: &[S]) -> Trace {
        Trace {
            only: names.iter().map(|n| n.as_ref().to_owned()).collect(),
            window: None,
        }
    }

    /// Only changes at times in `window` (picoseconds).
    pub fn window(mut self, window: Range<u64>) -> Trace {
        self.window = Some(window);
        self
    }

    pub(crate) fn window_range(&self) -> Option<Range<u64>> {
        self.window.clone()
    }

    /// Whether a signal of this hierarchical name is traced.
    pub(crate) fn selects(&self, name: &str) -> bool {
        self.only.is_empty()
            || self
                .only
                .iter()
                .any(|o| name == o || (name.starts_with(o.as_str()) && name[o.len()..].starts_with('.')))
    }

    /// The names in [`Trace::only`] that selected nothing.
    pub(crate) fn unmatched<'a>(&self, names: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
        self.only
            .iter()
            .filter(|o| {
                !names
                    .clone()
                    .any(|n| n == o.as_str() || (n.starts_with(o.as_str()) && n[o.len()..].starts_with('.')))
            })
            .cloned()
            .collect()
    }
}

/// A traced signal: where its value lives and its VCD identifier.
struct Traced {
    slot: usize,
    words: usize,
    width: u32,
    code: String,
}

/// An open VCD file.
pub(crate) struct VcdWriter {
    out: BufWriter<File>,
    path: String,
    signals: Vec<Traced>,
    /// The last written words of every signal, back to back.
    last: Vec<u64>,
    window: Range<u64>,
    written_time: Option<u64>,
    /// The value changes of one sample, reused so that sampling does not allocate.
    text: String,
    started: bool,
    closed: bool,
}

fn code(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'!' + (n % 94) as u8) as char);
        n /= 94;
        if n == 0 {
            return s;
        }
    }
}

impl VcdWriter {
    /// Creates `path` and writes the header for `signals` (`(hierarchical name, slot,
    /// width)`), under a top scope called `top`.
    pub fn create(path: &Path, top: &str, signals: &[(String, u32, u32)], window: Option<Range<u64>>) -> Result<VcdWriter, SimError> {
        let io = |e: std::io::Error| SimError::Io {
            path: path.display().to_string(),
            message: format!("cannot write the waveform: {e}"),
        };
        let mut out = BufWriter::new(File::create(path).map_err(io)?);
        let mut header = String::new();
        header.push_str("$date hdl-sim $end\n$version hdl-sim ");
        header.push_str(env!("CARGO_PKG_VERSION"));
        header.push_str(" $end\n$timescale 1ps $end\n");
        let mut sorted: Vec<(Vec<&str>, usize)> = signals
            .iter()
            .enumerate()
            .map(|(i, (name, _, _))| (name.split('.').collect(), i))
            .collect();
        sorted.sort();
        header.push_str(&format!("$scope module {top} $end\n"));
        let mut open: Vec<&str> = Vec::new();
        let mut traced = Vec::new();
        for (path, i) in &sorted {
            let scopes = &path[..path.len() - 1];
            let common = open.iter().zip(scopes.iter()).take_while(|(a, b)| a == b).count();
            for _ in common..open.len() {
                header.push_str("$upscope $end\n");
            }
            open.truncate(common);
            for s in &scopes[common..] {
                header.push_str(&format!("$scope module {s} $end\n"));
                open.push(s);
            }
            let (_, slot, width) = &signals[*i];
            let c = code(traced.len());
            let range = if *width == 1 {
                String::new()
            } else {
                format!(" [{}:0]", width - 1)
            };
            header.push_str(&format!("$var wire {width} {c} {}{range} $end\n", path[path.len() - 1]));
            traced.push(Traced {
                slot: *slot as usize,
                words: width.div_ceil(64).max(1) as usize,
                width: *width,
                code: c,
            });
        }
        for _ in 0..open.len() + 1 {
            header.push_str("$upscope $end\n");
        }
        header.push_str("$enddefinitions $end\n");
        out.write_all(header.as_bytes()).map_err(io)?;
        let last = vec![0; traced.iter().map(|t| t.words).sum()];
        Ok(VcdWriter {
            out,
            path: path.display().to_string(),
            signals: traced,
            last,
            window: window.unwrap_or(0..u64::MAX),
            written_time: None,
            text: String::new(),
            started: false,
            closed: false,
        })
    }

    /// Records the values at `time` of every traced signal that changed.
    pub fn sample(&mut self, time: u64, state: &[u64]) -> Result<(), SimError> {
        if self.closed || time < self.window.start {
            return Ok(());
        }
        if time >= self.window.end {
            return self.close();
        }
        let text = &mut self.text;
        text.clear();
        let mut at = 0;
        for t in &self.signals {
            let now = &state[t.slot..t.slot + t.words];
            if !self.started || now != &self.last[at..at + t.words] {
                self.last[at..at + t.words].copy_from_slice(now);
                if t.width == 1 {
                    text.push(if now[0] & 1 == 1 { '1' } else { '0' });
                    text.push_str(&t.code);
                } else {
                    text.push('b');
                    let top = (0..t.width)
                        .rev()
                        .find(|&b| now[(b / 64) as usize] >> (b % 64) & 1 == 1)
                        .unwrap_or(0);
                    for b in (0..=top).rev() {
                        text.push(if now[(b / 64) as usize] >> (b % 64) & 1 == 1 { '1' } else { '0' });
                    }
                    text.push(' ');
                    text.push_str(&t.code);
                }
                text.push('\n');
            }
            at += t.words;
        }
        if text.is_empty() {
            return Ok(());
        }
        let first = !self.started;
        self.started = true;
        let stamp = self.written_time != Some(time);
        self.written_time = Some(time);
        let out = &mut self.out;
        let written = (|| {
            if stamp {
                writeln!(out, "#{time}")?;
            }
            if first {
                out.write_all(b"$dumpvars\n")?;
            }
            out.write_all(self.text.as_bytes())?;
            if first {
                out.write_all(b"$end\n")?;
            }
            Ok(())
        })();
        written.map_err(|e: std::io::Error| SimError::Io {
            path: self.path.clone(),
            message: format!("cannot write the waveform: {e}"),
        })
    }

    /// Flushes the file; later samples are ignored.
    pub fn close(&mut self) -> Result<(), SimError> {
        self.closed = true;
        self.out.flush().map_err(|e| SimError::Io {
            path: self.path.clone(),
            message: format!("cannot write the waveform: {e}"),
        })
    }
}

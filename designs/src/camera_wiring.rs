//! Which ULX3S pin carries each OV7670 camera signal: configuration, read from a TOML file
//! (`designs/camera_wiring.toml` is the default), checked against the board's pins.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The camera's signals, as the file names them.
pub const SIGNALS: [&str; 16] = [
    "sioc", "siod", "vsync", "href", "pclk", "xclk", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "reset", "pwdn",
];

/// The default wiring's file, in the repository.
pub fn default_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("camera_wiring.toml")
}

/// The header pin of every camera signal: `gp0`..`gp27` or `gn0`..`gn27`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CameraWiring {
    pins: BTreeMap<&'static str, String>,
}

impl CameraWiring {
    /// The pin of `signal` (one of [`SIGNALS`]), like `gp7`.
    pub fn pin(&self, signal: &str) -> Option<&str> {
        self.pins.get(signal).map(String::as_str)
    }

    /// Where `signal` is on the header: `("gp", 7)` for `gp7`.
    pub fn header_pin(&self, signal: &str) -> Option<(&'static str, u32)> {
        let pin = self.pin(signal)?;
        let side = if pin.starts_with("gp") { "gp" } else { "gn" };
        Some((side, pin[2..].parse().ok()?))
    }

    /// Reads and checks the wiring in `file`.
    pub fn load(file: &Path) -> Result<CameraWiring, WiringError> {
        let text = std::fs::read_to_string(file).map_err(|e| WiringError::new(file, None, format!("cannot read it: {e}")))?;
        CameraWiring::parse(&text, file)
    }

    /// Checks the wiring in `text`, read from `file` (named in errors).
    pub fn parse(text: &str, file: &Path) -> Result<CameraWiring, WiringError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            WiringError::new(file, line, format!("not TOML: {}", e.message()))
        })?;
        let at = |key: &str| line_of(text, key);
        let Some(camera) = table.get("camera").and_then(toml::Value::as_table) else {
            return Err(WiringError::new(
                file,
                None,
                "no `[camera]` table: it names the pin of each camera signal".into(),
            ));
        };
        let mut pins = BTreeMap::new();
        let mut used: BTreeMap<String, &str> = BTreeMap::new();
        // In the file's order, so that the second use of a pin is the one blamed.
        let mut entries: Vec<(&String, &toml::Value)> = camera.iter().collect();
        entries.sort_by_key(|(key, _)| at(key).unwrap_or(usize::MAX));
        for (key, value) in entries {
            let Some(&signal) = SIGNALS.iter().find(|s| **s == key.as_str()) else {
                return Err(WiringError::new(
                    file,
                    at(key),
                    format!("`{key}` is not a camera signal; the signals are {}", SIGNALS.join(", ")),
                ));
            };
            let Some(pin) = value.as_str() else {
                return Err(WiringError::new(
                    file,
                    at(key),
                    format!("`{key}` must be a pin name in quotes, like \"gp7\""),
                ));
            };
            if !is_header_pin(pin) {
                let why = match board_pin_kind(pin) {
                    Some(kind) => format!("`{pin}` is the board's {kind}, not a header pin"),
                    None => format!("the ULX3S has no pin `{pin}`"),
                };
                return Err(WiringError::new(
                    file,
                    at(key),
                    format!("`{key}` = \"{pin}\": {why}; a camera signal goes on a header pin, gp0..gp27 or gn0..gn27"),
                ));
            }
            if let Some(other) = used.insert(pin.to_owned(), signal) {
                return Err(WiringError::new(
                    file,
                    at(key),
                    format!("`{key}` = \"{pin}\": `{other}` is on that pin already"),
                ));
            }
            pins.insert(signal, pin.to_owned());
        }
        let missing: Vec<&str> = SIGNALS.iter().copied().filter(|s| !pins.contains_key(s)).collect();
        if !missing.is_empty() {
            return Err(WiringError::new(
                file,
                None,
                format!("no pin for {} in `[camera]`; every camera signal needs one", missing.join(", ")),
            ));
        }
        Ok(CameraWiring { pins })
    }
}

/// Whether `pin` is a GPIO header pin: `gp0`..`gp27` or `gn0`..`gn27`.
fn is_header_pin(pin: &str) -> bool {
    let number = pin.strip_prefix("gp").or_else(|| pin.strip_prefix("gn"));
    // Digits only, written without leading zeros: `gp07` is not a pin name.
    number.is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u32>().is_ok_and(|k| k < 28 && k.to_string() == n))
}

/// What a board pin that is not a header pin is for, if `pin` names one.
fn board_pin_kind(pin: &str) -> Option<&'static str> {
    let bus = pin.split('[').next().unwrap_or(pin);
    match bus {
        "gpdi_dp" | "gpdi_dn" => Some("HDMI output"),
        "btn" => Some("button"),
        "led" => Some("LED"),
        "clk_25mhz" => Some("25 MHz clock input"),
        _ => None,
    }
}

/// The line `key` is set on, if it is on one.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// A wiring file that cannot be used: where, and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WiringError {
    /// The file.
    pub file: PathBuf,
    /// The line, when one is to blame.
    pub line: Option<usize>,
    /// What is wrong, and what would be accepted.
    pub message: String,
}

impl WiringError {
    fn new(file: &Path, line: Option<usize>, message: String) -> WiringError {
        WiringError {
            file: file.to_owned(),
            line,
            message,
        }
    }
}

impl fmt::Display for WiringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for WiringError {}

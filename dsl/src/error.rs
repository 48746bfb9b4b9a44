//! Elaboration errors: what went wrong, and where in the user's source.

use std::fmt;

/// A place in the user's Rust source, captured with `#[track_caller]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Location {
    /// The file, as the compiler names it (relative to the workspace for local crates).
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Location {
    /// The location of the caller of the function that calls this (through `#[track_caller]`).
    #[track_caller]
    pub fn caller() -> Location {
        let loc = std::panic::Location::caller();
        Location {
            file: loc.file(),
            line: loc.line(),
            column: loc.column(),
        }
    }

    /// The file path without machine-specific prefixes, so that generated output is the
    /// same on every machine: a crate from the registry is named from its own folder.
    pub fn portable_file(&self) -> &'static str {
        let file = self.file;
        if !file.starts_with('/') && !file.contains(":\\") {
            return file;
        }
        const MARKERS: [&str; 2] = ["/registry/src/", "/git/checkouts/"];
        for marker in MARKERS {
            if let Some(pos) = file.find(marker) {
                let rest = &file[pos + marker.len()..];
                // Skip the index or checkout folder; keep `<crate>-<version>/...`.
                if let Some(slash) = rest.find('/') {
                    return &rest[slash + 1..];
                }
            }
        }
        file
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.portable_file(), self.line, self.column)
    }
}

/// What kind of mistake an [`Error`] reports; tests and tools can match on it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ErrorKind {
    /// A wider value assigned to a narrower target without `.trunc()`.
    Truncation,
    /// A bit driven from two places (two modules, two domains, a process and an instance).
    MultipleDrivers,
    /// A combinational path from a signal back to itself.
    CombinationalLoop,
    /// An output port that nothing drives.
    UndrivenOutput,
    /// A port of a submodule that does not exist.
    NoSuchPort,
    /// A name that is a Verilog keyword or not a legal identifier, or used twice.
    BadName,
    /// A value or statement that is malformed (out-of-range slice, bad pattern, ...).
    Invalid,
    /// A signal used in a module it does not belong to.
    ForeignSignal,
    /// Two interfaces that do not fit: a member missing on one side, flowing the same
    /// way on both, or of another shape.
    InterfaceMismatch,
    /// A clock domain whose reset, once asserted, holds itself asserted for ever.
    ResetNeverReleased,
}

/// One elaboration error: a message, the user's source location, and the module path.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Error {
    /// What kind of mistake this is.
    pub kind: ErrorKind,
    /// What was wrong and what would be accepted.
    pub message: String,
    /// Where in the user's source the mistake was made.
    pub location: Location,
    /// The hierarchical path of the module (`top.u_core`), filled in at elaboration.
    pub module: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, location: Location) -> Error {
        Error {
            kind,
            message: message.into(),
            location,
            module: String::new(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}\n  --> {}", self.message, self.location)?;
        if !self.module.is_empty() {
            write!(f, "\n  in module `{}`", self.module)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Every error found while elaborating a design, in the order they were found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Errors(pub Vec<Error>);

impl Errors {
    /// Whether any error is of `kind`.
    pub fn has(&self, kind: ErrorKind) -> bool {
        self.0.iter().any(|e| e.kind == kind)
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        let n = self.0.len();
        write!(f, "\n{n} error{} in elaboration", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Errors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_paths_lose_the_machine_prefix() {
        let loc = Location {
            file: "/home/a/.cargo/registry/src/index.crates.io-6f17d22bba15001f/hdl-dsl-0.1.0/src/x.rs",
            line: 3,
            column: 1,
        };
        assert_eq!(loc.to_string(), "hdl-dsl-0.1.0/src/x.rs:3:1");
    }
}

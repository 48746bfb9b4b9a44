//! What the elaboration-error tests share: one error expected, at a line of the test.

use hdl_dsl::{Design, Error, ErrorKind, Module};

/// Elaborates `m`, expecting exactly one error of `kind`.
pub fn single_error(m: Module, kind: ErrorKind) -> Error {
    let errors = Design::elaborate(m).expect_err("elaboration should fail");
    assert_eq!(errors.0.len(), 1, "expected one error, got:\n{errors}");
    let e = errors.0.into_iter().next().unwrap();
    assert_eq!(e.kind, kind, "{e}");
    e
}

/// Asserts that `e` was reported at `line` of `file` (the caller's `file!()`).
pub fn assert_at(e: &Error, file: &str, line: u32) {
    assert_eq!((e.location.file, e.location.line), (file, line), "{e}");
    assert!(e.to_string().contains(&format!("--> {file}:{line}:")), "{e}");
}

//! Where the model compiler's tests find the models and fixtures they read.

use std::path::{Path, PathBuf};

/// The repository: this crate lives in `designs/sr-compiler`.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A trained model of `designs/models`.
pub fn model(name: &str) -> PathBuf {
    root().join("designs/models").join(name)
}

/// A small ONNX file of this crate's `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("designs/sr-compiler/tests/fixtures").join(name)
}

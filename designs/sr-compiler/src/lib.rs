//! # sr-compiler
//!
//! The model compiler: a super-resolution CNN exported from PyTorch to ONNX, imported
//! ([`onnx`]), run as the float reference ([`reference`](mod@reference)), folded exactly into one affine
//! map per output-pixel class ([`fold`]), and quantised into the fixed-point model the
//! hardware must match bit for bit ([`fixed_point`]).

#![warn(missing_docs)]

pub mod error;
pub mod fixed_point;
pub mod fold;
pub mod network;
pub mod onnx;
pub mod picture;
pub mod reference;
pub mod report;

use std::path::Path;

pub use error::ModelError;
pub use fixed_point::FixedModel;
pub use fold::FoldedModel;
pub use hdl_video::Picture;
pub use network::Network;

/// A compiled model: the network as imported, folded and quantised.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The layers.
    pub network: Network,
    /// The exact affine map per class.
    pub folded: FoldedModel,
    /// The hardware's arithmetic.
    pub fixed: FixedModel,
}

/// Imports, folds and quantises the ONNX model at `path`.
pub fn compile(path: &Path) -> Result<Compiled, ModelError> {
    let network = onnx::import(path)?;
    let folded = fold::fold(&network)?;
    let fixed = FixedModel::quantise(&folded);
    Ok(Compiled { network, folded, fixed })
}

/// Reads the high-resolution original `picture` was made from, which must be the size
/// of the model's output, for measuring the upscales against it.
pub fn read_original(path: &Path, folded: &FoldedModel, picture: &Picture) -> Result<Picture, ModelError> {
    let original = Picture::read_png(path)?;
    let expected = (picture.width * folded.scale, picture.height * folded.scale);
    if (original.width, original.height) != expected {
        return Err(ModelError::OriginalSize {
            path: path.display().to_string(),
            size: (original.width, original.height),
            expected,
        });
    }
    Ok(original)
}

/// Checks that `picture` is large enough for the model's border classes.
pub fn check_size(folded: &FoldedModel, picture: &Picture) -> Result<(), ModelError> {
    let min = folded.min_input;
    if picture.width < min || picture.height < min {
        return Err(ModelError::TooSmall {
            width: picture.width as u32,
            height: picture.height as u32,
            min: (min as u32, min as u32),
        });
    }
    Ok(())
}

//! What can go wrong between an ONNX file and a compiled model, said so that the user
//! can fix it: which file, node or operator, and what would be accepted.

use std::fmt;

/// An error of the model compiler.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: String,
        /// What the system said.
        message: String,
    },
    /// The file is not an ONNX model (or is cut short).
    NotOnnx {
        /// The file.
        path: String,
        /// What the decoder said.
        message: String,
    },
    /// A tensor lives in an external-data file that is not there.
    MissingExternalData {
        /// The tensor.
        tensor: String,
        /// The file it names, where it was looked for.
        file: String,
    },
    /// The graph has an operator the compiler does not handle.
    Unsupported {
        /// The node's name.
        node: String,
        /// Its operator.
        op: String,
        /// What is handled instead.
        accepted: String,
    },
    /// A node's attributes or inputs are outside what the compiler handles.
    BadNode {
        /// The node.
        node: String,
        /// What is wrong and what would be accepted.
        message: String,
    },
    /// A non-linearity sits between linear layers, so the chain does not fold.
    NotFoldable {
        /// The node.
        node: String,
        /// Its operator.
        op: String,
        /// What the model costs layered, per output pixel and in frames/s.
        cost: String,
    },
    /// A layer gets a different number of channels than its predecessor gives.
    ChannelMismatch {
        /// The node.
        node: String,
        /// The channels it takes.
        expected: usize,
        /// The channels it gets.
        found: usize,
    },
    /// The input picture is too small for the model's border classes.
    TooSmall {
        /// The picture's size.
        width: u32,
        /// The picture's height.
        height: u32,
        /// The smallest width and height accepted.
        min: (u32, u32),
    },
    /// The high-resolution original is not the size of the model's output.
    OriginalSize {
        /// The original's file.
        path: String,
        /// Its size.
        size: (usize, usize),
        /// The output's size.
        expected: (usize, usize),
    },
    /// The graph declares no output.
    NoOutput {
        /// The file.
        path: String,
    },
    /// A node reads a tensor that nothing in the graph makes.
    Dangling {
        /// The node.
        node: String,
        /// Its operator.
        op: String,
        /// The tensor it reads.
        tensor: String,
    },
    /// The folded coefficients do not fit the multiplier at the precision promised.
    CoefficientRange {
        /// The largest coefficient magnitude.
        largest: f64,
        /// Its coefficient set.
        set: usize,
        /// Its tap within the set.
        tap: usize,
        /// Taps per output channel.
        taps: usize,
        /// Fraction bits needed for the promised accuracy over that many taps.
        fraction_bits: u32,
        /// Bits with the sign the largest coefficient then needs.
        bits: u32,
    },
    /// The fixed-point model is further from the float model than promised.
    Inexact {
        /// The largest difference measured on the picture, in levels, if that is what
        /// broke the promise.
        measured: Option<u8>,
        /// The worst case over all inputs, in levels.
        bound: f64,
    },
    /// The float reference (tract) failed.
    Reference(String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Io { path, message } => write!(f, "{path}: {message}"),
            ModelError::NotOnnx { path, message } => {
                write!(f, "{path}: not an ONNX model, or cut short ({message})")
            }
            ModelError::MissingExternalData { tensor, file } => write!(
                f,
                "tensor `{tensor}` is stored in the external-data file {file}, which is missing: keep it beside the .onnx file"
            ),
            ModelError::Unsupported { node, op, accepted } => {
                write!(f, "node `{node}`: operator {op} is not supported (accepted: {accepted})")
            }
            ModelError::BadNode { node, message } => write!(f, "node `{node}`: {message}"),
            ModelError::NotFoldable { node, op, cost } => write!(
                f,
                "node `{node}` ({op}) is a non-linearity between convolutions, so the layers cannot fold into one affine map; unfolded the model costs {cost}"
            ),
            ModelError::ChannelMismatch { node, expected, found } => {
                write!(f, "node `{node}` takes {expected} channels but is given {found}")
            }
            ModelError::TooSmall { width, height, min } => write!(
                f,
                "the picture is {width}x{height}; this model's border classes need at least {}x{}",
                min.0, min.1
            ),
            ModelError::OriginalSize { path, size, expected } => write!(
                f,
                "{path}: the original is {}x{} but the model's output is {}x{}; give the picture the input was made from, at the output's size",
                size.0, size.1, expected.0, expected.1
            ),
            ModelError::NoOutput { path } => write!(
                f,
                "{path}: the graph declares no output; the upscaled picture must be the graph's output, as torch.onnx.export declares what the model returns"
            ),
            ModelError::Dangling { node, op, tensor } => write!(
                f,
                "node `{node}` ({op}) reads tensor `{tensor}`, which no node produces and which is neither the graph's input nor an initializer: the graph is cut, or a tensor was renamed on one side only"
            ),
            ModelError::CoefficientRange {
                largest,
                set,
                tap,
                taps,
                fraction_bits,
                bits,
            } => write!(
                f,
                "the folded coefficients cannot be represented in the multiplier's {} bits to the accuracy the fixed-point model promises (at most {} level from the float model): \
                 the largest is {largest:.3e} (coefficient set {set}, tap {tap}); with {taps} taps per output they need {fraction_bits} fraction bits, so it needs {bits} bits with its sign. \
                 A model this far from unit gain is most likely a broken export: check its weights",
                super::fixed_point::COEFFICIENT_BITS,
                super::fixed_point::MAX_MEASURED_LEVELS,
            ),
            ModelError::Inexact { measured: Some(m), bound } => write!(
                f,
                "the fixed-point model differs from the float reference by up to {m} levels on this picture; at most {} is promised (the bound over all inputs is {bound:.2} levels)",
                super::fixed_point::MAX_MEASURED_LEVELS
            ),
            ModelError::Inexact { measured: None, bound } => write!(
                f,
                "the fixed-point model can differ from the float model by up to {bound:.2} levels on some input (the quantisation errors of its coefficients and biases); at most {} is promised",
                super::fixed_point::MAX_BOUND_LEVELS
            ),
            ModelError::Reference(message) => write!(f, "the float reference (tract) failed: {message}"),
        }
    }
}

impl std::error::Error for ModelError {}

impl From<hdl_video::PictureError> for ModelError {
    fn from(e: hdl_video::PictureError) -> ModelError {
        ModelError::Io {
            path: e.path,
            message: e.message,
        }
    }
}

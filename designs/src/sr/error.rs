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
            ModelError::Reference(message) => write!(f, "the float reference (tract) failed: {message}"),
        }
    }
}

impl std::error::Error for ModelError {}

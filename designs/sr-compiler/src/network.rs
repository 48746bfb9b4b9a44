//! The imported network as plain data — convolutions, depth-to-space and the final
//! activations — and its layered evaluation in `f64`, the ground truth the folding is
//! computed from.

/// A feature map: `channels` planes of `height` x `width`, channel-major (CHW).
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMap {
    /// Planes.
    pub channels: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `data[(c * height + y) * width + x]`.
    pub data: Vec<f64>,
}

impl FeatureMap {
    /// All zeros.
    pub fn zeros(channels: usize, height: usize, width: usize) -> FeatureMap {
        FeatureMap {
            channels,
            height,
            width,
            data: vec![0.0; channels * height * width],
        }
    }

    /// The value at channel `c`, row `y`, column `x`.
    pub fn at(&self, c: usize, y: usize, x: usize) -> f64 {
        self.data[(c * self.height + y) * self.width + x]
    }

    fn at_mut(&mut self, c: usize, y: usize, x: usize) -> &mut f64 {
        &mut self.data[(c * self.height + y) * self.width + x]
    }
}

/// A 2D convolution with a square odd kernel, stride 1 and "same" zero padding.
#[derive(Clone, Debug, PartialEq)]
pub struct Conv {
    /// The ONNX node.
    pub name: String,
    /// Input channels.
    pub inputs: usize,
    /// Output channels.
    pub outputs: usize,
    /// Kernel side (odd).
    pub kernel: usize,
    /// `weights[((o * inputs + i) * kernel + ky) * kernel + kx]`.
    pub weights: Vec<f64>,
    /// One per output channel (zeros when the node has none).
    pub bias: Vec<f64>,
}

impl Conv {
    /// The weight from input channel `i` at kernel offset (`ky`, `kx`) to output `o`.
    pub fn weight(&self, o: usize, i: usize, ky: usize, kx: usize) -> f64 {
        self.weights[((o * self.inputs + i) * self.kernel + ky) * self.kernel + kx]
    }

    /// How far the kernel reaches from its centre.
    pub fn radius(&self) -> usize {
        self.kernel / 2
    }
}

/// How depth-to-space orders the channels it spreads (ONNX DepthToSpace `mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepthToSpaceMode {
    /// Column-row-depth: PyTorch's PixelShuffle. Output channel `c` at sub-position
    /// (`i`, `j`) comes from input channel `c * s² + i * s + j`.
    Crd,
    /// Depth-column-row: from input channel `(i * s + j) * C + c`.
    Dcr,
}

/// A layer of the network, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// A convolution.
    Conv(Conv),
    /// Depth-to-space (pixel shuffle) by `scale`.
    DepthToSpace {
        /// The ONNX node (the last of a Reshape-Transpose-Reshape pattern).
        name: String,
        /// The block size.
        scale: usize,
        /// Channel order.
        mode: DepthToSpaceMode,
    },
    /// Clamps to `[min, max]`: ReLU is `[0, ∞)`, Clip its bounds.
    Clamp {
        /// The ONNX node.
        name: String,
        /// The operator (Relu or Clip).
        op: String,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

impl Layer {
    /// Whether the layer is linear (affine).
    pub fn is_linear(&self) -> bool {
        !matches!(self, Layer::Clamp { .. })
    }
}

/// An imported network: layers in order from the input picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The input channels (3: RGB).
    pub input_channels: usize,
    /// The layers.
    pub layers: Vec<Layer>,
}

impl Network {
    /// The upscaling factor: the product of the depth-to-space scales.
    pub fn scale(&self) -> usize {
        self.layers
            .iter()
            .map(|l| match l {
                Layer::DepthToSpace { scale, .. } => *scale,
                _ => 1,
            })
            .product()
    }

    /// The output channels.
    pub fn output_channels(&self) -> usize {
        self.layers.iter().fold(self.input_channels, |c, l| match l {
            Layer::Conv(conv) => conv.outputs,
            Layer::DepthToSpace { scale, .. } => c / (scale * scale),
            Layer::Clamp { .. } => c,
        })
    }

    /// The convolutions.
    pub fn convs(&self) -> impl Iterator<Item = &Conv> {
        self.layers.iter().filter_map(|l| match l {
            Layer::Conv(c) => Some(c),
            _ => None,
        })
    }

    /// Multiply-accumulates per output pixel when evaluated layer by layer: a layer at
    /// a resolution `k` times coarser than the output costs `1 / k²` per output pixel.
    pub fn layered_macs_per_pixel(&self) -> f64 {
        let mut coarse = self.scale() as f64;
        let mut macs = 0.0;
        for layer in &self.layers {
            match layer {
                Layer::Conv(c) => macs += (c.inputs * c.outputs * c.kernel * c.kernel) as f64 / (coarse * coarse),
                Layer::DepthToSpace { scale, .. } => coarse /= *scale as f64,
                Layer::Clamp { .. } => {}
            }
        }
        macs
    }

    /// The layers up to and including the last linear one, and the clamps after it.
    pub fn split_linear(&self) -> (&[Layer], &[Layer]) {
        let end = self.layers.iter().rposition(Layer::is_linear).map_or(0, |i| i + 1);
        self.layers.split_at(end)
    }

    /// Runs the network on `input` layer by layer.
    pub fn forward(&self, input: &FeatureMap) -> FeatureMap {
        self.layers.iter().fold(input.clone(), |x, l| apply(l, &x))
    }
}

/// One layer on a feature map.
pub fn apply(layer: &Layer, x: &FeatureMap) -> FeatureMap {
    match layer {
        Layer::Conv(c) => convolve(c, x),
        Layer::DepthToSpace { scale, mode, .. } => depth_to_space(*scale, *mode, x),
        Layer::Clamp { min, max, .. } => FeatureMap {
            data: x.data.iter().map(|v| v.clamp(*min, *max)).collect(),
            ..x.clone()
        },
    }
}

fn convolve(c: &Conv, x: &FeatureMap) -> FeatureMap {
    let (h, w, r) = (x.height as isize, x.width as isize, c.radius() as isize);
    let mut out = FeatureMap::zeros(c.outputs, x.height, x.width);
    for o in 0..c.outputs {
        for y in 0..h {
            for xx in 0..w {
                let mut acc = c.bias[o];
                for i in 0..c.inputs {
                    for ky in 0..c.kernel as isize {
                        let sy = y + ky - r;
                        if !(0..h).contains(&sy) {
                            continue;
                        }
                        for kx in 0..c.kernel as isize {
                            let sx = xx + kx - r;
                            if (0..w).contains(&sx) {
                                acc += c.weight(o, i, ky as usize, kx as usize) * x.at(i, sy as usize, sx as usize);
                            }
                        }
                    }
                }
                *out.at_mut(o, y as usize, xx as usize) = acc;
            }
        }
    }
    out
}

/// The input channel that depth-to-space sends to output channel `c` at sub-position
/// (`i`, `j`), for `outputs` output channels.
pub fn depth_to_space_source(scale: usize, mode: DepthToSpaceMode, outputs: usize, c: usize, i: usize, j: usize) -> usize {
    match mode {
        DepthToSpaceMode::Crd => c * scale * scale + i * scale + j,
        DepthToSpaceMode::Dcr => (i * scale + j) * outputs + c,
    }
}

fn depth_to_space(s: usize, mode: DepthToSpaceMode, x: &FeatureMap) -> FeatureMap {
    let outputs = x.channels / (s * s);
    let mut out = FeatureMap::zeros(outputs, x.height * s, x.width * s);
    for c in 0..outputs {
        for y in 0..out.height {
            for xx in 0..out.width {
                let source = depth_to_space_source(s, mode, outputs, c, y % s, xx % s);
                *out.at_mut(c, y, xx) = x.at(source, y / s, xx / s);
            }
        }
    }
    out
}

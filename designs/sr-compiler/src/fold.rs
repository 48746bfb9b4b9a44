//! Folding: the linear chain before the final clamps is one affine map from the
//! low-resolution picture to each output pixel. Its coefficients depend only on the
//! output pixel's *class* per axis — one of the first `border` rows, an interior phase
//! (`Y mod scale`), or one of the last `border` rows — because every layer but the first
//! zero-pads its own input, which reads of zero outside the picture do not reproduce.
//!
//! Each class's coefficients come from one backward pass (the adjoint of every layer,
//! zero padding included) from a representative output pixel of a canonical picture,
//! exact by construction; the bias comes from one forward pass of a zero picture.

use nalgebra::DMatrix;

use super::error::ModelError;
use super::network::{depth_to_space_source, Conv, FeatureMap, Layer, Network};

/// Where an output row (or column) falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisClass {
    /// The `t`-th row from the start (`t < border`).
    Start(usize),
    /// An interior row of phase `p` (`Y mod scale`).
    Phase(usize),
    /// The `d`-th row from the end.
    End(usize),
}

/// One class pair's affine map: `coefficients[((o * inputs + i) * rows + wy) * cols + wx]`
/// over the window, and a bias per output channel.
#[derive(Clone, Debug, PartialEq)]
pub struct CoefficientSet {
    /// Weights over the window.
    pub coefficients: Vec<f64>,
    /// Bias, in the network's output units.
    pub bias: Vec<f64>,
}

/// The folded model: exact coefficient sets for every class pair.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldedModel {
    /// The upscaling factor.
    pub scale: usize,
    /// Input channels.
    pub inputs: usize,
    /// Output channels.
    pub outputs: usize,
    /// Output rows (and columns) at each edge with their own coefficients.
    pub border: usize,
    /// The low-resolution window: rows, columns.
    pub window: (usize, usize),
    /// Per axis class (in [`FoldedModel::classes`] order): the window's first
    /// low-resolution row relative to `Y / scale`.
    pub offsets: Vec<isize>,
    /// `sets[row_class * classes + column_class]`.
    pub sets: Vec<CoefficientSet>,
    /// The final clamps, merged: `[min, max]`.
    pub clamp: (f64, f64),
    /// The smallest low-resolution picture the classes are exact for (width = height).
    pub min_input: usize,
}

impl FoldedModel {
    /// The axis classes in order: starts, phases, ends.
    pub fn classes(&self) -> Vec<AxisClass> {
        axis_classes(self.border, self.scale)
    }

    /// The class of output row `y` of `len` rows.
    pub fn class_index(&self, y: usize, len: usize) -> usize {
        let (b, s) = (self.border, self.scale);
        if y < b {
            y
        } else if y >= len - b {
            b + s + (len - 1 - y)
        } else {
            b + y % s
        }
    }

    /// Multiply-accumulates per output pixel.
    pub fn macs_per_pixel(&self) -> usize {
        self.outputs * self.inputs * self.window.0 * self.window.1
    }

    /// The affine map of output pixel (`y`, `x`) of a `height` x `width` output: the
    /// index of its coefficient set and the window's top-left low-resolution position.
    pub fn locate(&self, y: usize, x: usize, height: usize, width: usize) -> (usize, isize, isize) {
        let ((rc, top), (cc, left)) = (self.axis_locate(y, height), self.axis_locate(x, width));
        (rc * self.offsets.len() + cc, top, left)
    }

    /// Along one axis of `len` output positions: the class of position `n` and its
    /// window's first low-resolution position (row or column).
    pub fn axis_locate(&self, n: usize, len: usize) -> (usize, isize) {
        let class = self.class_index(n, len);
        (class, n as isize / self.scale as isize + self.offsets[class])
    }

    /// The window's taps that fall inside an `input_height` x `input_width` picture, for
    /// a window at (`top`, `left`): (index within one output channel's coefficients,
    /// input channel, row, column). Taps outside read zero, so they are left out.
    pub fn taps(
        &self,
        top: isize,
        left: isize,
        input_height: usize,
        input_width: usize,
    ) -> impl Iterator<Item = (usize, usize, usize, usize)> + '_ {
        let (wr, wc) = self.window;
        (0..self.inputs).flat_map(move |i| {
            (0..wr).flat_map(move |wy| {
                (0..wc).filter_map(move |wx| {
                    let (sy, sx) = (top + wy as isize, left + wx as isize);
                    let inside = (0..input_height as isize).contains(&sy) && (0..input_width as isize).contains(&sx);
                    inside.then(|| ((i * wr + wy) * wc + wx, i, sy as usize, sx as usize))
                })
            })
        })
    }

    /// Coefficients per output channel in a set.
    pub fn per_output(&self) -> usize {
        self.inputs * self.window.0 * self.window.1
    }

    /// Runs the folded model in `f64` on a picture (values as the network takes them);
    /// the result is clamped as the network's final activations clamp.
    pub fn run(&self, input: &FeatureMap) -> FeatureMap {
        let (h, w) = (input.height * self.scale, input.width * self.scale);
        let mut out = FeatureMap::zeros(self.outputs, h, w);
        for y in 0..h {
            for x in 0..w {
                let (set, top, left) = self.locate(y, x, h, w);
                let set = &self.sets[set];
                for o in 0..self.outputs {
                    let coefficients = &set.coefficients[o * self.per_output()..];
                    let acc = set.bias[o]
                        + self
                            .taps(top, left, input.height, input.width)
                            .map(|(k, i, sy, sx)| coefficients[k] * input.at(i, sy, sx))
                            .sum::<f64>();
                    out.data[(o * h + y) * w + x] = acc.clamp(self.clamp.0, self.clamp.1);
                }
            }
        }
        out
    }
}

fn axis_classes(border: usize, scale: usize) -> Vec<AxisClass> {
    (0..border)
        .map(AxisClass::Start)
        .chain((0..scale).map(AxisClass::Phase))
        .chain((0..border).map(AxisClass::End))
        .collect()
}

/// Sensitivities of the chosen output pixel's channels to one layer boundary's values:
/// rows are (output channel, y, x) over a window at absolute positions, columns are the
/// layer's channels.
struct Window {
    top: isize,
    left: isize,
    height: usize,
    width: usize,
    outputs: usize,
    values: DMatrix<f64>,
}

impl Window {
    fn zeros(top: isize, left: isize, height: usize, width: usize, outputs: usize, channels: usize) -> Window {
        Window {
            top,
            left,
            height,
            width,
            outputs,
            values: DMatrix::zeros(outputs * height * width, channels),
        }
    }

    fn row(&self, o: usize, y: usize, x: usize) -> usize {
        (o * self.height + y) * self.width + x
    }
}

/// The adjoint of a zero-padded convolution on a `height` x `width` map.
fn back_conv(w: &Window, conv: &Conv, height: usize, width: usize) -> Window {
    let r = conv.radius() as isize;
    let top = (w.top - r).max(0);
    let left = (w.left - r).max(0);
    let bottom = (w.top + w.height as isize + r).min(height as isize);
    let right = (w.left + w.width as isize + r).min(width as isize);
    let (nh, nw) = ((bottom - top).max(0) as usize, (right - left).max(0) as usize);
    let mut out = Window::zeros(top, left, nh, nw, w.outputs, conv.inputs);
    for ky in 0..conv.kernel {
        for kx in 0..conv.kernel {
            // This offset's weights as an (outputs x inputs) matrix.
            let k = DMatrix::from_fn(conv.outputs, conv.inputs, |o, i| conv.weight(o, i, ky, kx));
            let moved = &w.values * k;
            for o in 0..w.outputs {
                for y in 0..w.height {
                    let sy = w.top + y as isize + ky as isize - r;
                    if sy < top || sy >= bottom {
                        continue;
                    }
                    for x in 0..w.width {
                        let sx = w.left + x as isize + kx as isize - r;
                        if sx < left || sx >= right {
                            continue;
                        }
                        let (from, to) = (w.row(o, y, x), out.row(o, (sy - top) as usize, (sx - left) as usize));
                        for i in 0..conv.inputs {
                            out.values[(to, i)] += moved[(from, i)];
                        }
                    }
                }
            }
        }
    }
    out
}

/// The adjoint of depth-to-space: high-resolution sensitivities back onto channels.
fn back_depth_to_space(w: &Window, layer: &Layer, channels_in: usize) -> Window {
    let Layer::DepthToSpace { scale: s, mode, .. } = layer else {
        unreachable!("called on a depth-to-space layer")
    };
    let s = *s as isize;
    let outputs = channels_in / (s * s) as usize;
    let top = w.top.div_euclid(s);
    let left = w.left.div_euclid(s);
    let nh = ((w.top + w.height as isize - 1).div_euclid(s) - top + 1) as usize;
    let nw = ((w.left + w.width as isize - 1).div_euclid(s) - left + 1) as usize;
    let mut out = Window::zeros(top, left, nh, nw, w.outputs, channels_in);
    for o in 0..w.outputs {
        for y in 0..w.height {
            let ay = w.top + y as isize;
            for x in 0..w.width {
                let ax = w.left + x as isize;
                let to = out.row(o, (ay.div_euclid(s) - top) as usize, (ax.div_euclid(s) - left) as usize);
                for c in 0..outputs {
                    let source = depth_to_space_source(s as usize, *mode, outputs, c, ay.rem_euclid(s) as usize, ax.rem_euclid(s) as usize);
                    out.values[(to, source)] += w.values[(w.row(o, y, x), c)];
                }
            }
        }
    }
    out
}

/// How many output rows at each edge have their own coefficients — every convolution
/// but the first layer zero-pads a map whose outside the picture's zeros do not give —
/// and how far, in output pixels, an output pixel's inputs reach.
fn border_and_reach(linear: &[Layer], scale: usize) -> (usize, usize) {
    let mut coarse = scale; // output pixels per pixel of the current map, along an axis
    let (mut border, mut reach) = (0, scale);
    for (index, layer) in linear.iter().enumerate() {
        match layer {
            Layer::Conv(c) => {
                reach += c.radius() * coarse;
                if index > 0 {
                    border += c.radius() * coarse;
                }
            }
            Layer::DepthToSpace { scale, .. } => coarse /= scale,
            Layer::Clamp { .. } => {}
        }
    }
    (border, reach)
}

/// Folds the network's linear chain. Fails when a clamp sits between linear layers.
pub fn fold(network: &Network) -> Result<FoldedModel, ModelError> {
    let (linear, tail) = network.split_linear();
    if let Some(Layer::Clamp { name, op, .. }) = linear.iter().find(|l| !l.is_linear()) {
        return Err(ModelError::NotFoldable {
            node: name.clone(),
            op: op.clone(),
            cost: super::report::layered_cost(network),
        });
    }
    let scale = network.scale();
    // The canonical picture is sized so its classes do not touch each other and its
    // interior holds every phase away from both edges.
    let (border, reach) = border_and_reach(linear, scale);
    let reach_lr = reach.div_ceil(scale) + 1;
    let min_input = (2 * border + scale).div_ceil(scale) + 2 * reach_lr;
    let size = min_input * scale;
    let classes = axis_classes(border, scale);
    let middle = size / 2 - (size / 2) % scale;
    let representative = |c: AxisClass| match c {
        AxisClass::Start(t) => t,
        AxisClass::Phase(p) => middle + p,
        AxisClass::End(d) => size - 1 - d,
    };

    // Bias: the network's output on a zero picture.
    let zero = FeatureMap::zeros(network.input_channels, min_input, min_input);
    let mut bias_field = zero.clone();
    for l in linear {
        bias_field = super::network::apply(l, &bias_field);
    }
    let outputs = bias_field.channels;

    // Each phase's window, from an interior pixel.
    let interior: Vec<Window> = (0..scale)
        .map(|p| backward(linear, network.input_channels, min_input, middle + p, middle + p, outputs))
        .collect();
    let rows = interior.iter().map(|w| w.height).max().unwrap_or(1);
    let phase_offset = |p: usize| interior[p].top - ((middle + p) / scale) as isize;
    let phase_of = |c: AxisClass| match c {
        AxisClass::Start(t) => t % scale,
        AxisClass::Phase(p) => p,
        AxisClass::End(d) => (size - 1 - d) % scale,
    };
    let offsets: Vec<isize> = classes.iter().map(|&c| phase_offset(phase_of(c))).collect();

    let mut sets = Vec::with_capacity(classes.len() * classes.len());
    for (ri, &rc) in classes.iter().enumerate() {
        for (ci, &cc) in classes.iter().enumerate() {
            let (y, x) = (representative(rc), representative(cc));
            let w = backward(linear, network.input_channels, min_input, y, x, outputs);
            let top = (y / scale) as isize + offsets[ri];
            let left = (x / scale) as isize + offsets[ci];
            let inputs = network.input_channels;
            let mut coefficients = vec![0.0; outputs * inputs * rows * rows];
            for o in 0..outputs {
                for wy in 0..w.height {
                    for wx in 0..w.width {
                        let (ay, ax) = (w.top + wy as isize - top, w.left + wx as isize - left);
                        let inside = (0..rows as isize).contains(&ay) && (0..rows as isize).contains(&ax);
                        for i in 0..inputs {
                            let v = w.values[(w.row(o, wy, wx), i)];
                            assert!(inside || v == 0.0, "a border class reaches outside its phase's window");
                            if inside {
                                coefficients[((o * inputs + i) * rows + ay as usize) * rows + ax as usize] = v;
                            }
                        }
                    }
                }
            }
            let bias = (0..outputs).map(|o| bias_field.at(o, y, x)).collect();
            sets.push(CoefficientSet { coefficients, bias });
        }
    }
    let clamp = tail.iter().fold((f64::NEG_INFINITY, f64::INFINITY), |(lo, hi), l| match l {
        Layer::Clamp { min, max, .. } => (lo.clamp(*min, *max), hi.clamp(*min, *max)),
        _ => (lo, hi),
    });
    Ok(FoldedModel {
        scale,
        inputs: network.input_channels,
        outputs,
        border,
        window: (rows, rows),
        offsets,
        sets,
        clamp,
        min_input,
    })
}

/// The sensitivities of output pixel (`y`, `x`) to the picture, through every layer's
/// adjoint, on a canonical `size` x `size` low-resolution picture.
fn backward(linear: &[Layer], inputs: usize, size: usize, y: usize, x: usize, outputs: usize) -> Window {
    // Each layer's input map size and channels, forward.
    let mut shapes = Vec::with_capacity(linear.len());
    let (mut side, mut channels) = (size, inputs);
    for l in linear {
        shapes.push((side, channels));
        match l {
            Layer::Conv(c) => channels = c.outputs,
            Layer::DepthToSpace { scale, .. } => {
                side *= scale;
                channels /= scale * scale;
            }
            Layer::Clamp { .. } => {}
        }
    }
    let mut w = Window {
        top: y as isize,
        left: x as isize,
        height: 1,
        width: 1,
        outputs,
        values: DMatrix::from_fn(outputs, outputs, |r, c| if r == c { 1.0 } else { 0.0 }),
    };
    for (l, &(side, channels)) in linear.iter().zip(&shapes).rev() {
        w = match l {
            Layer::Conv(c) => back_conv(&w, c, side, side),
            Layer::DepthToSpace { .. } => back_depth_to_space(&w, l, channels),
            Layer::Clamp { .. } => unreachable!("the linear chain has no clamp"),
        };
    }
    w
}

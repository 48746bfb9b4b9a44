//! ONNX import: the protobuf as `torch.onnx.export` writes it (weights inline or in an
//! external `.onnx.data` file) read into a [`Network`], following the data path from the
//! graph's input and ignoring the shape arithmetic newer exporters add around it.

use std::collections::BTreeMap;
use std::path::Path;

use tract_onnx::pb::{AttributeProto, NodeProto, TensorProto};
use tract_onnx::prelude::Framework;

use super::error::ModelError;
use super::network::{Conv, DepthToSpaceMode, Layer, Network};

/// What the importer accepts, for error messages.
const ACCEPTED: &str = "Conv, DepthToSpace, Reshape-Transpose-Reshape (pixel shuffle), Relu, Clip, Identity";

/// Operators that only move data, accepted as the parts of a pixel shuffle.
const SHAPE_ONLY: [&str; 4] = ["Reshape", "Unsqueeze", "Squeeze", "Transpose"];

/// Reads an ONNX file into a [`Network`].
pub fn import(path: &Path) -> Result<Network, ModelError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ModelError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let proto = tract_onnx::onnx()
        .proto_model_for_read(&mut bytes.as_slice())
        .map_err(|e| ModelError::NotOnnx {
            path: shown.clone(),
            message: format!("{e:#}"),
        })?;
    let graph = proto.graph.as_ref().ok_or_else(|| ModelError::NotOnnx {
        path: shown.clone(),
        message: "it has no graph".into(),
    })?;
    if graph.output.is_empty() {
        return Err(ModelError::NoOutput { path: shown });
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut constants: BTreeMap<&str, &TensorProto> = graph.initializer.iter().map(|t| (t.name.as_str(), t)).collect();
    for node in graph.node.iter().filter(|n| n.op_type == "Constant") {
        if let (Some(out), Some(t)) = (node.output.first(), node.attribute.iter().find_map(|a| a.t.as_ref())) {
            constants.insert(out.as_str(), t);
        }
    }
    let input = graph
        .input
        .iter()
        .find(|i| !constants.contains_key(i.name.as_str()))
        .ok_or_else(|| ModelError::NotOnnx {
            path: shown.clone(),
            message: "the graph has no input".into(),
        })?;
    check_connected(graph, &constants)?;
    let importer = Importer {
        nodes: &graph.node,
        constants,
        dir,
    };
    importer.walk(&input.name, graph.output.first().map(|o| o.name.as_str()))
}

/// Every tensor a node reads is made by something: a node, the graph's inputs or an
/// initializer (an empty name is an omitted optional input).
fn check_connected(graph: &tract_onnx::pb::GraphProto, constants: &BTreeMap<&str, &TensorProto>) -> Result<(), ModelError> {
    let mut made: std::collections::BTreeSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    made.extend(constants.keys());
    made.extend(graph.node.iter().flat_map(|n| n.output.iter().map(String::as_str)));
    for node in &graph.node {
        if let Some(tensor) = node.input.iter().find(|t| !t.is_empty() && !made.contains(t.as_str())) {
            return Err(ModelError::Dangling {
                node: node_name(node),
                op: node.op_type.clone(),
                tensor: tensor.clone(),
            });
        }
    }
    Ok(())
}

struct Importer<'a> {
    nodes: &'a [NodeProto],
    constants: BTreeMap<&'a str, &'a TensorProto>,
    dir: &'a Path,
}

fn node_name(node: &NodeProto) -> String {
    if node.name.is_empty() {
        format!("{} -> {}", node.op_type, node.output.join(","))
    } else {
        node.name.clone()
    }
}

impl<'a> Importer<'a> {
    /// The nodes that take `tensor` as their data input (shape queries excluded).
    fn consumers(&self, tensor: &str) -> Vec<&'a NodeProto> {
        self.nodes
            .iter()
            .filter(|n| n.op_type != "Shape" && n.input.first().map(String::as_str) == Some(tensor))
            .collect()
    }

    fn walk(&self, input: &str, output: Option<&str>) -> Result<Network, ModelError> {
        let mut layers = Vec::new();
        let mut channels = None::<usize>;
        let mut current = input.to_string();
        loop {
            let next = self.consumers(&current);
            let node = match next.as_slice() {
                [] => break,
                [one] => *one,
                many => {
                    return Err(ModelError::BadNode {
                        node: node_name(many[1]),
                        message: format!("tensor `{current}` feeds {} nodes; only a chain of layers is accepted", many.len()),
                    })
                }
            };
            let name = node_name(node);
            current = node.output.first().cloned().unwrap_or_default();
            match node.op_type.as_str() {
                "Identity" | "Dropout" => {}
                "Conv" => {
                    let conv = self.conv(node, &name)?;
                    if let Some(c) = channels.filter(|&c| c != conv.inputs) {
                        return Err(ModelError::ChannelMismatch {
                            node: name,
                            expected: conv.inputs,
                            found: c,
                        });
                    }
                    channels = Some(conv.outputs);
                    layers.push(Layer::Conv(conv));
                }
                "DepthToSpace" => {
                    let scale = int_attr(node, "blocksize").unwrap_or(0).max(0) as usize;
                    let mode = match str_attr(node, "mode").as_deref() {
                        None | Some("DCR") => DepthToSpaceMode::Dcr,
                        Some("CRD") => DepthToSpaceMode::Crd,
                        Some(other) => {
                            return Err(ModelError::BadNode {
                                node: name,
                                message: format!("DepthToSpace mode {other} (accepted: CRD, DCR)"),
                            })
                        }
                    };
                    channels = self.spread(&name, channels, scale)?;
                    layers.push(Layer::DepthToSpace { name, scale, mode });
                }
                "Reshape" | "Unsqueeze" => {
                    let (layer, out, c) = self.pixel_shuffle_pattern(node, channels)?;
                    channels = c;
                    current = out;
                    layers.push(layer);
                }
                "Relu" => layers.push(Layer::Clamp {
                    name,
                    op: "Relu".into(),
                    min: 0.0,
                    max: f64::INFINITY,
                }),
                "Clip" => {
                    let (min, max) = self.clip_bounds(node, &name)?;
                    layers.push(Layer::Clamp {
                        name,
                        op: "Clip".into(),
                        min,
                        max,
                    });
                }
                other => {
                    return Err(ModelError::Unsupported {
                        node: name,
                        op: other.to_string(),
                        accepted: ACCEPTED.into(),
                    })
                }
            }
            if Some(current.as_str()) == output {
                break;
            }
        }
        if let Some(output) = output.filter(|&o| o != current) {
            return Err(ModelError::BadNode {
                node: input.to_string(),
                message: format!("the data path from the input ends at tensor `{current}`, but the graph's output is `{output}`"),
            });
        }
        let network = Network {
            input_channels: first_inputs(&layers).unwrap_or(3),
            layers,
        };
        if network.convs().next().is_none() {
            return Err(ModelError::BadNode {
                node: input.to_string(),
                message: "the graph has no convolution on its data path".into(),
            });
        }
        Ok(network)
    }

    /// Channels after a depth-to-space by `scale`.
    fn spread(&self, name: &str, channels: Option<usize>, scale: usize) -> Result<Option<usize>, ModelError> {
        let c = channels.unwrap_or(0);
        if scale < 2 || !c.is_multiple_of(scale * scale) {
            return Err(ModelError::BadNode {
                node: name.to_string(),
                message: format!(
                    "depth-to-space by {scale} of {c} channels: the block size must be at least 2 and its square divide the channels"
                ),
            });
        }
        Ok(Some(c / (scale * scale)))
    }

    /// PixelShuffle as older exporters write it: a run of shape-only nodes around one
    /// six-dimensional Transpose. PyTorch at opset 10 writes Reshape-Transpose-Reshape for a
    /// fixed picture size and Unsqueeze-Reshape-Transpose-Reshape-Reshape-Squeeze when the
    /// size is dynamic; the Transpose's permutation says CRD or DCR.
    fn pixel_shuffle_pattern(&self, first: &NodeProto, channels: Option<usize>) -> Result<(Layer, String, Option<usize>), ModelError> {
        let not_shuffle = |detail: &str| ModelError::BadNode {
            node: node_name(first),
            message: format!(
                "{} is accepted only as part of a pixel shuffle (Reshape, Unsqueeze and Squeeze around one \
                 Transpose of a 6D tensor); {detail}",
                first.op_type
            ),
        };
        let mut run = vec![first];
        while let [next] = self
            .consumers(run[run.len() - 1].output.first().map(String::as_str).unwrap_or(""))
            .as_slice()
        {
            if !SHAPE_ONLY.contains(&next.op_type.as_str()) {
                break;
            }
            run.push(*next);
        }
        let transposes: Vec<usize> = (0..run.len()).filter(|&i| run[i].op_type == "Transpose").collect();
        let &[t] = transposes.as_slice() else {
            return Err(not_shuffle(&format!("this run has {} Transposes", transposes.len())));
        };
        let mode = match ints_attr(run[t], "perm").unwrap_or_default().as_slice() {
            [0, 1, 4, 2, 5, 3] => DepthToSpaceMode::Crd,
            [0, 3, 4, 1, 5, 2] => DepthToSpaceMode::Dcr,
            other => {
                return Err(not_shuffle(&format!(
                    "its Transpose permutes {other:?}, not [0, 1, 4, 2, 5, 3] (CRD) or [0, 3, 4, 1, 5, 2] (DCR)"
                )))
            }
        };
        let last = run[run.len() - 1];
        let out = last.output.first().cloned().unwrap_or_default();
        // The block size: from the 6D shape fed to the Transpose when it states it, else
        // from the channel counts on either side.
        let shape = run[..t]
            .iter()
            .rev()
            .find(|n| n.op_type == "Reshape")
            .and_then(|r| r.input.get(1))
            .and_then(|s| self.constants.get(s.as_str()));
        let stated = match shape.map(|t| self.ints(t)).transpose()? {
            Some(dims) if dims.len() == 6 => match mode {
                DepthToSpaceMode::Crd => dims[2],
                DepthToSpaceMode::Dcr => dims[1],
            },
            _ => 0,
        };
        let scale = if stated > 0 {
            stated as usize
        } else {
            let next = self.next_conv_inputs(&out);
            let ratio = channels.zip(next).and_then(|(c, n)| c.checked_div(n)).unwrap_or(0);
            (ratio as f64).sqrt().round() as usize
        };
        let channels = self.spread(&node_name(last), channels, scale)?;
        let layer = Layer::DepthToSpace {
            name: node_name(last),
            scale,
            mode,
        };
        Ok((layer, out, channels))
    }

    /// The input channels of the first convolution after `tensor`, if any.
    fn next_conv_inputs(&self, tensor: &str) -> Option<usize> {
        let mut current = tensor.to_string();
        for _ in 0..self.nodes.len() {
            let next = self.consumers(&current);
            let node = next.first()?;
            if node.op_type == "Conv" {
                let w = self.constants.get(node.input.get(1)?.as_str())?;
                return w.dims.get(1).map(|&d| d as usize);
            }
            current = node.output.first()?.clone();
        }
        None
    }

    fn clip_bounds(&self, node: &NodeProto, name: &str) -> Result<(f64, f64), ModelError> {
        let bound = |index: usize, attr: &str, default: f64| -> Result<f64, ModelError> {
            match node.input.get(index).filter(|s| !s.is_empty()) {
                Some(input) => {
                    let t = self.constants.get(input.as_str()).ok_or_else(|| ModelError::BadNode {
                        node: name.to_string(),
                        message: format!("Clip bound `{input}` must be a constant"),
                    })?;
                    Ok(self.floats(t, name)?.first().copied().unwrap_or(default))
                }
                None => Ok(float_attr(node, attr).map_or(default, f64::from)),
            }
        };
        Ok((bound(1, "min", f64::NEG_INFINITY)?, bound(2, "max", f64::INFINITY)?))
    }

    fn conv(&self, node: &NodeProto, name: &str) -> Result<Conv, ModelError> {
        let bad = |message: String| ModelError::BadNode {
            node: name.to_string(),
            message,
        };
        let weight_name = node.input.get(1).ok_or_else(|| bad("Conv has no weight input".into()))?;
        let w = self
            .constants
            .get(weight_name.as_str())
            .ok_or_else(|| bad(format!("the weights `{weight_name}` must be a constant (an initializer)")))?;
        let dims: Vec<usize> = w.dims.iter().map(|&d| d.max(0) as usize).collect();
        let [outputs, inputs, kh, kw] = dims[..] else {
            return Err(bad(format!(
                "Conv weights of shape {dims:?}; a 2D convolution [out, in, k, k] is accepted"
            )));
        };
        if kh != kw || kh % 2 == 0 {
            return Err(bad(format!("a {kh}x{kw} kernel; square odd kernels are accepted")));
        }
        let ones = |attr: &str| ints_attr(node, attr).is_none_or(|v| v.iter().all(|&x| x == 1));
        if !ones("strides") || !ones("dilations") || int_attr(node, "group").is_some_and(|g| g != 1) {
            return Err(bad("stride, dilation and group must be 1".into()));
        }
        let same = (kh / 2) as i64;
        let pads = ints_attr(node, "pads").unwrap_or_else(|| vec![0; 4]);
        let auto = str_attr(node, "auto_pad");
        let pads_ok = pads.iter().all(|&p| p == same) || matches!(auto.as_deref(), Some("SAME_UPPER" | "SAME_LOWER"));
        if !pads_ok {
            return Err(bad(format!(
                "padding {pads:?}; a {kh}x{kh} kernel is accepted with padding {same} on every side (the output keeps the input's size)"
            )));
        }
        let weights = self.floats(w, name)?;
        let bias = match node.input.get(2).filter(|s| !s.is_empty()) {
            Some(b) => {
                let t = self
                    .constants
                    .get(b.as_str())
                    .ok_or_else(|| bad(format!("the bias `{b}` must be a constant")))?;
                self.floats(t, name)?
            }
            None => vec![0.0; outputs],
        };
        if weights.len() != outputs * inputs * kh * kw || bias.len() != outputs {
            return Err(bad("the weight or bias tensor has the wrong number of values".into()));
        }
        Ok(Conv {
            name: name.to_string(),
            inputs,
            outputs,
            kernel: kh,
            weights,
            bias,
        })
    }

    /// The raw bytes of a tensor, from the file or its external-data file.
    fn raw(&self, t: &TensorProto) -> Result<Option<Vec<u8>>, ModelError> {
        if !t.raw_data.is_empty() {
            return Ok(Some(t.raw_data.to_vec()));
        }
        let entry = |k: &str| t.external_data.iter().find(|e| e.key == k).map(|e| e.value.clone());
        let Some(location) = entry("location") else {
            return Ok(None);
        };
        let file = self.dir.join(&location);
        let missing = || ModelError::MissingExternalData {
            tensor: t.name.clone(),
            file: file.display().to_string(),
        };
        let bytes = std::fs::read(&file).map_err(|_| missing())?;
        let offset = entry("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0);
        let length = entry("length")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(bytes.len().saturating_sub(offset));
        bytes
            .get(offset..offset + length)
            .map(|b| Some(b.to_vec()))
            .ok_or_else(|| ModelError::BadNode {
                node: t.name.clone(),
                message: format!("the external-data file {} is shorter than the tensor needs", file.display()),
            })
    }

    fn floats(&self, t: &TensorProto, node: &str) -> Result<Vec<f64>, ModelError> {
        const FLOAT: i32 = 1;
        if t.data_type != FLOAT {
            return Err(ModelError::BadNode {
                node: node.to_string(),
                message: format!("tensor `{}` has ONNX data type {}; float32 (1) is accepted", t.name, t.data_type),
            });
        }
        let values: Vec<f64> = match self.raw(t)? {
            Some(raw) => raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
                .collect(),
            None => t.float_data.iter().map(|&v| v as f64).collect(),
        };
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ModelError::BadNode {
                node: node.to_string(),
                message: format!(
                    "tensor `{}` holds {v} at index {i} (of {}); weights, biases and bounds must be finite numbers",
                    t.name,
                    values.len()
                ),
            });
        }
        Ok(values)
    }

    fn ints(&self, t: &TensorProto) -> Result<Vec<i64>, ModelError> {
        Ok(match self.raw(t)? {
            Some(raw) => raw
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            None => t.int64_data.clone(),
        })
    }
}

fn first_inputs(layers: &[Layer]) -> Option<usize> {
    layers.iter().find_map(|l| match l {
        Layer::Conv(c) => Some(c.inputs),
        _ => None,
    })
}

fn attr<'n>(node: &'n NodeProto, name: &str) -> Option<&'n AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn int_attr(node: &NodeProto, name: &str) -> Option<i64> {
    attr(node, name).map(|a| a.i)
}

fn ints_attr(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    attr(node, name).map(|a| a.ints.clone())
}

fn float_attr(node: &NodeProto, name: &str) -> Option<f32> {
    attr(node, name).map(|a| a.f)
}

fn str_attr(node: &NodeProto, name: &str) -> Option<String> {
    attr(node, name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
}

//! The float reference: the ONNX graph itself, run by tract on a picture.

use std::path::Path;

use tract_onnx::prelude::*;

use super::error::ModelError;
use super::network::FeatureMap;

/// Runs the model file on `input` (one picture, NCHW with N = 1) and returns its output,
/// unclamped.
pub fn run_reference(path: &Path, input: &FeatureMap) -> Result<FeatureMap, ModelError> {
    let fail = |e: TractError| ModelError::Reference(format!("{e:#}"));
    let (c, h, w) = (input.channels, input.height, input.width);
    // The exporters record every tensor's shape at the export size; the picture may
    // have another, so shapes are inferred afresh.
    let model = tract_onnx::onnx()
        .with_ignore_value_info(true)
        .with_ignore_output_shapes(true)
        .model_for_path(path)
        .map_err(fail)?
        .with_input_fact(0, f32::fact([1, c, h, w]).into())
        .map_err(fail)?
        .into_optimized()
        .map_err(fail)?
        .into_runnable()
        .map_err(fail)?;
    let data: Vec<f32> = input.data.iter().map(|&v| v as f32).collect();
    let tensor = Tensor::from_shape(&[1, c, h, w], &data).map_err(fail)?;
    let outputs = model.run(tvec!(tensor.into_tvalue())).map_err(fail)?;
    let out = outputs
        .first()
        .ok_or_else(|| ModelError::Reference("the model gave no output".into()))?
        .to_plain_array_view::<f32>()
        .map_err(fail)?;
    let shape = out.shape().to_vec();
    let [1, oc, oh, ow] = shape[..] else {
        return Err(ModelError::Reference(format!(
            "the output has shape {shape:?}; [1, C, H, W] was expected"
        )));
    };
    Ok(FeatureMap {
        channels: oc,
        height: oh,
        width: ow,
        data: out.iter().map(|&v| v as f64).collect(),
    })
}

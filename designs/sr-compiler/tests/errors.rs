//! The model compiler's errors by their messages, word for word, for the kinds that
//! `model.rs` and the root `tests/sr_model.rs` do not already assert verbatim.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, model, root};

use sr_compiler::network::FeatureMap;
use sr_compiler::{compile, reference, FixedModel, ModelError, Picture};

/// A new empty folder for one test.
fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sr_errors_{label}_{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small 2x model (two convolutions and a pixel shuffle), quick to compile.
fn small_model() -> sr_compiler::Compiled {
    compile(&fixture("dcr_identity_x2.onnx")).unwrap()
}

fn compile_error(path: &Path) -> ModelError {
    compile(path).unwrap_err()
}

#[test]
fn a_missing_model_file_is_named_with_the_reason() {
    let dir = scratch("missing");
    let path = dir.join("absent.onnx");
    let e = compile_error(&path);
    assert!(matches!(e, ModelError::Io { .. }), "{e:?}");
    assert_eq!(e.to_string(), format!("{}: No such file or directory (os error 2)", path.display()));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_that_is_not_onnx_is_refused_with_the_decoders_reason() {
    let dir = scratch("not_onnx");
    let path = dir.join("notes.onnx");
    std::fs::write(&path, "this is not a model").unwrap();
    let e = compile_error(&path);
    assert!(matches!(e, ModelError::NotOnnx { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not an ONNX model, or cut short (failed to decode Protobuf message: ModelProto.metadata_props: invalid wire type: EndGroup (expected LengthDelimited))",
            path.display()
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_model_without_its_external_data_file_says_to_keep_it_beside() {
    let dir = scratch("alone");
    let alone = dir.join("student_x4_dynamo.onnx");
    std::fs::copy(model("student_x4_dynamo.onnx"), &alone).unwrap();
    let e = compile_error(&alone);
    assert!(matches!(e, ModelError::MissingExternalData { .. }), "{e:?}");
    assert_eq!(e.to_string(), format!(
            "tensor `upsample.0.weight` is stored in the external-data file {}/student_x4_dynamo.onnx.data, which is missing: keep it beside the .onnx file",
            dir.display()
        ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_non_linearity_between_convolutions_is_refused_with_the_unfolded_cost() {
    let e = compile_error(&fixture("relu_between_convs.onnx"));
    assert!(matches!(e, ModelError::NotFoldable { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "node `middle_relu` (Relu) is a non-linearity between convolutions, so the layers cannot fold into one affine map; unfolded the model costs 432 MACs per output pixel, at 640x480 with every multiplier at 125 MHz: LFE5U-25F 26.37 frames/s, LFE5U-45F 67.82 frames/s, LFE5U-85F 146.94 frames/s"
    );
}

#[test]
fn an_original_of_the_wrong_size_says_which_size_is_needed() {
    let c = small_model();
    let picture = Picture::filled(20, 15, [0, 0, 0]);
    let original = root().join("designs/images/hubble_160x120.png");
    let e = sr_compiler::read_original(&original, &c.folded, &picture).unwrap_err();
    assert!(matches!(e, ModelError::OriginalSize { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: the original is 160x120 but the model's output is 40x30; give the picture the input was made from, at the output's size",
            original.display()
        )
    );
}

#[test]
fn a_measured_difference_beyond_one_level_breaks_the_promise() {
    let c = small_model();
    c.fixed.check_measured(1).unwrap();
    let e = c.fixed.check_measured(2).unwrap_err();
    assert!(matches!(e, ModelError::Inexact { measured: Some(2), .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the fixed-point model differs from the float reference by up to 2 levels on this picture; at most 1 is promised (the bound over all inputs is 1.01 levels)"
    );
}

#[test]
fn a_bias_too_large_for_the_accumulator_breaks_the_bound() {
    let c = small_model();
    c.fixed.check_accuracy().unwrap();
    // One huge bias: the coefficients still fit, the bias is clamped, and its error
    // shows in the bound.
    let mut folded = c.folded.clone();
    folded.sets[0].bias[0] = 1e6;
    let e = FixedModel::quantise(&folded).check_accuracy().unwrap_err();
    assert!(matches!(e, ModelError::Inexact { measured: None, .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the fixed-point model can differ from the float model by up to 253951425.00 levels on some input (the quantisation errors of its coefficients and biases); at most 2 is promised"
    );
}

#[test]
fn the_float_reference_reports_what_tract_said() {
    // One channel where the model takes three.
    let input = FeatureMap::zeros(1, 8, 8);
    let e = reference::run_reference(&model("student_x4.onnx"), &input).unwrap_err();
    assert!(matches!(e, ModelError::Reference(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the float reference (tract) failed: Failed analyse for node #13 \"/upsample/upsample.0/Conv\" ConvHir: Infering facts: Applying rule inputs[0].shape[1] == 1*{inputs[1].shape[1]}: Impossible to unify Val(1) with Val(3)."
    );
}

//! The model compiler against real exports: both exporter formats import to the same
//! network; the folded float model equals tract's run of the ONNX graph on every pixel,
//! borders included, for 4x and 2x; the fixed-point model is within one level; bad input
//! is refused with a message that names the problem.

mod common;

use std::path::Path;

use common::{fixture, model, root};

use sr_compiler::network::{FeatureMap, Layer};
use sr_compiler::{compile, picture, reference, ModelError, Picture};

/// A `width` x `height` crop of the default camera picture.
fn picture(width: usize, height: usize) -> Picture {
    sr_compiler::picture::read_as_camera(&root().join("designs/images/hubble_160x120.png"))
        .unwrap()
        .crop(37, 11, width, height)
}

/// Folded vs tract (every value, unrounded) and fixed vs tract (8-bit levels).
fn check_against_reference(path: &Path, width: usize, height: usize) {
    let compiled = compile(path).unwrap();
    let image = picture(width, height);
    let input = picture::to_input(&image);
    let float = reference::run_reference(path, &input).unwrap();
    let folded = compiled.folded.run(&input);
    assert_eq!((float.width, float.height), (folded.width, folded.height));
    let clamp = |v: f64| v.clamp(compiled.folded.clamp.0, compiled.folded.clamp.1);
    let worst = float
        .data
        .iter()
        .zip(&folded.data)
        .map(|(a, b)| (clamp(*a) - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-4, "{}: folded differs from tract by {worst}", path.display());
    let fixed = compiled.fixed.run(&image);
    let float8 = picture::from_output(&float);
    let worst8 = float8
        .pixels
        .iter()
        .zip(&fixed.pixels)
        .flat_map(|(a, b)| (0..3).map(move |c| (a[c] as i32 - b[c] as i32).abs()))
        .max()
        .unwrap();
    assert!(worst8 <= 1, "{}: fixed differs from tract by {worst8} levels", path.display());
}

#[test]
fn the_4x_model_folds_exactly_on_every_pixel() {
    check_against_reference(&model("student_x4.onnx"), 40, 30);
    check_against_reference(&model("student_x4.onnx"), 14, 17); // the smallest accepted
}

#[test]
fn the_2x_model_folds_exactly_on_every_pixel() {
    check_against_reference(&model("student_x2.onnx"), 33, 21);
}

#[test]
fn both_exporter_formats_give_the_same_model() {
    let classic = compile(&model("student_x4.onnx")).unwrap();
    let dynamo = compile(&model("student_x4_dynamo.onnx")).unwrap();
    assert_eq!(classic.folded.sets, dynamo.folded.sets);
    check_against_reference(&model("student_x4_dynamo.onnx"), 20, 16);
}

/// The layers as (op, detail) pairs, for comparing what an import found.
fn layer_summary(path: &Path) -> Vec<String> {
    compile(path)
        .unwrap()
        .network
        .layers
        .iter()
        .map(|l| match l {
            Layer::Conv(c) => format!(
                "Conv {}->{} {}x{} bias {}",
                c.inputs,
                c.outputs,
                c.kernel,
                c.kernel,
                c.bias.iter().any(|&b| b != 0.0)
            ),
            Layer::DepthToSpace { scale, mode, .. } => format!("DepthToSpace {scale} {mode:?}"),
            Layer::Clamp { op, min, max, .. } => format!("{op} {min}..{max}"),
        })
        .collect()
}

#[test]
fn pytorch_opset_10_pixel_shuffles_and_clip_fold_exactly() {
    let layers = [
        "Conv 3->12 3x3 bias true",
        "DepthToSpace 2 Crd",
        "Conv 3->3 5x5 bias false",
        "Clip 0..1",
    ];
    // A fixed size: Reshape-Transpose-Reshape with the shapes of the 16x16 export, so it
    // runs at that size only.
    let fixed = fixture("pixel_shuffle_opset10_x2.onnx");
    assert_eq!(layer_summary(&fixed), layers);
    check_against_reference(&fixed, 16, 16);
    // A dynamic size: Unsqueeze-Reshape-Transpose-Reshape-Reshape-Squeeze, any size.
    let dynamic = fixture("pixel_shuffle_opset10_dynamic_x2.onnx");
    assert_eq!(layer_summary(&dynamic), layers);
    check_against_reference(&dynamic, 19, 13);
}

#[test]
fn dcr_depth_to_space_and_identity_fold_exactly() {
    let path = fixture("dcr_identity_x2.onnx");
    assert_eq!(
        layer_summary(&path),
        [
            "Conv 3->12 3x3 bias true",
            "DepthToSpace 2 Dcr",
            "Conv 3->3 5x5 bias false",
            "Relu 0..inf"
        ]
    );
    check_against_reference(&path, 19, 13);
}

#[test]
fn the_4x_fold_has_the_expected_geometry() {
    let c = compile(&model("student_x4.onnx")).unwrap();
    let f = &c.folded;
    assert_eq!(
        (f.scale, f.border, f.window, f.sets.len(), f.macs_per_pixel()),
        (4, 5, (6, 6), 196, 324)
    );
    // 114,048 in the high-resolution layers, 81 for the upsampling convolution.
    assert_eq!(c.network.layered_macs_per_pixel().round() as u64, 114_129);
    assert_eq!(c.fixed.coefficient_bits(), 196 * 324 * 18);
}

fn error_of(path: &Path) -> String {
    compile(path).unwrap_err().to_string()
}

#[test]
fn bad_files_are_refused_with_their_reason() {
    let dir = std::env::temp_dir().join(format!("sr_bad_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = std::fs::read(model("student_x4.onnx")).unwrap();
    let truncated = dir.join("truncated.onnx");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert!(
        error_of(&truncated).contains("not an ONNX model, or cut short"),
        "{}",
        error_of(&truncated)
    );
    let text = dir.join("notes.onnx");
    std::fs::write(&text, "this is not a model").unwrap();
    assert!(error_of(&text).contains("not an ONNX model"), "{}", error_of(&text));
    let missing = dir.join("absent.onnx");
    assert!(matches!(compile(&missing), Err(ModelError::Io { .. })));
    // The dynamo export without its .onnx.data beside it.
    let alone = dir.join("student_x4_dynamo.onnx");
    std::fs::copy(model("student_x4_dynamo.onnx"), &alone).unwrap();
    let e = error_of(&alone);
    assert!(
        e.contains("external-data file") && e.contains("student_x4_dynamo.onnx.data") && e.contains("missing"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unsupported_operator_is_named() {
    assert_eq!(
        error_of(&fixture("sigmoid.onnx")),
        "node `squash`: operator Sigmoid is not supported (accepted: Conv, DepthToSpace, \
         Reshape-Transpose-Reshape (pixel shuffle), Relu, Clip, Identity)"
    );
}

#[test]
fn a_non_linearity_between_convolutions_is_named_with_the_unfolded_cost() {
    let e = error_of(&fixture("relu_between_convs.onnx"));
    assert!(
        e.starts_with("node `middle_relu` (Relu) is a non-linearity between convolutions"),
        "{e}"
    );
    // 3*8*9 + 8*3*9 = 432 MACs a pixel; 156 multipliers at 125 MHz: 156 * 125e6 / (432 * 640 * 480) = 146.94.
    assert!(
        e.contains("432 MACs per output pixel") && e.contains("LFE5U-85F 146.94 frames/s"),
        "{e}"
    );
}

#[test]
fn mismatched_channels_are_named() {
    assert_eq!(
        error_of(&fixture("channel_mismatch.onnx")),
        "node `conv_b` takes 4 channels but is given 8"
    );
}

#[test]
fn a_picture_too_small_for_the_border_classes_is_refused() {
    let c = compile(&model("student_x4.onnx")).unwrap();
    let e = sr_compiler::check_size(&c.folded, &picture(13, 30)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the picture is 13x30; this model's border classes need at least 14x14"
    );
}

#[test]
fn the_camera_convention_expands_by_bit_replication() {
    use hdl_video::rgb565::expand;
    assert_eq!(expand(0xffff), [255, 255, 255]);
    assert_eq!(expand(0x0000), [0, 0, 0]);
    // r5 = 0b10000 -> 0b10000100, g6 = 0b100000 -> 0b10000010, b5 = 0b00001 -> 0b00001000.
    assert_eq!(expand((0b10000 << 11) | (0b100000 << 5) | 0b00001), [0x84, 0x82, 0x08]);
    let one = FeatureMap::zeros(3, 1, 1);
    assert_eq!(picture::from_output(&one).pixels, vec![[0, 0, 0]]);
}

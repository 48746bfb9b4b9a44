//! The `sr_model` tool as a user runs it: every file written and the report's figures on
//! the default model, a non-zero exit with the reason on bad input, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sr_compiler::Picture;

/// The example binary cargo builds beside the tests.
fn tool() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join(format!("sr_model{}", std::env::consts::EXE_SUFFIX))
}

fn run(args: &[&str]) -> Output {
    Command::new(tool())
        .args(args)
        .output()
        .expect("the sr_model example is built with the tests")
}

fn out_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sr_model_{name}_{}", std::process::id()))
}

#[test]
fn the_default_and_the_2x_models_write_every_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let images = Path::new(root).join("designs/images");
    // A small part of the default picture keeps the unoptimized test build quick; the 4x
    // run also gets the matching part of the original.
    let (w, h) = (24, 18);
    let crop = sr_compiler::picture::read_as_camera(&images.join("hubble_160x120.png"))
        .unwrap()
        .crop(60, 50, w, h);
    let original = Picture::read_png(&images.join("hubble_640x480.png"))
        .unwrap()
        .crop(240, 200, 4 * w, 4 * h);
    let (image, original_path) = (out_dir("picture.png"), out_dir("original.png"));
    crop.write_png(&image).unwrap();
    original.write_png(&original_path).unwrap();
    for (name, model) in [("x4", "student_x4.onnx"), ("x2", "student_x2.onnx")] {
        let out = out_dir(name);
        let model = format!("{root}/designs/models/{model}");
        let mut args = vec![
            "--model",
            &model,
            "--image",
            image.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        let with_original = name == "x4";
        if with_original {
            args.extend(["--original", original_path.to_str().unwrap()]);
        }
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for f in [
            "reference_float.png",
            "folded_float.png",
            "reference_fixed.png",
            "nearest.png",
            "bicubic.png",
            "side_by_side.png",
        ] {
            assert!(out.join(f).is_file(), "{f} missing");
        }
        // Input, nearest, bicubic, the fixed-point model (and the original) in one row,
        // 8 pixels apart.
        let read = |f: &str| Picture::read_png(&out.join(f)).unwrap();
        let (side, fixed) = (read("side_by_side.png"), read("reference_fixed.png"));
        let panels = if with_original { 4 } else { 3 };
        assert_eq!((side.width, side.height), (w + panels * (fixed.width + 8), fixed.height));
        let panel = |left: usize, p: &Picture| {
            (0..p.height).all(|y| side.pixels[y * side.width + left..][..p.width] == p.pixels[y * p.width..][..p.width])
        };
        assert!(panel(0, &crop), "the input panel differs");
        assert!(panel(w + 8 + 2 * (fixed.width + 8), &fixed), "the model panel differs");
        if with_original {
            assert!(panel(w + 8 + 3 * (fixed.width + 8), &original), "the original panel differs");
        }
        let report = std::fs::read_to_string(out.join("model_report.toml")).unwrap();
        for key in [
            "scale",
            "macs_per_pixel_folded",
            "macs_per_pixel_layered",
            "coefficient_sets",
            "coefficient_bits",
            "psnr_fixed_vs_float_db",
            "max_abs_diff_folded_vs_float",
            "multipliers_640x480_60",
        ] {
            assert!(
                report.lines().any(|l| l.starts_with(&format!("{key} = "))),
                "{key} missing:\n{report}"
            );
        }
        let max_diff = report
            .lines()
            .find_map(|l| l.strip_prefix("max_abs_diff_fixed_vs_float = "))
            .unwrap();
        assert!(max_diff.parse::<u32>().unwrap() <= 1, "{report}");
        if with_original {
            let db = |key: &str| -> f64 {
                let prefix = format!("{key} = ");
                report.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap().parse().unwrap()
            };
            // The model beats both interpolations against the picture the input came from.
            assert!(db("psnr_model_db") > db("psnr_bicubic_db") + 0.1, "{report}");
            assert!(db("psnr_bicubic_db") > db("psnr_nearest_db"), "{report}");
        }
        std::fs::remove_dir_all(&out).ok();
    }
    std::fs::remove_file(&image).ok();
    std::fs::remove_file(&original_path).ok();
}

#[test]
fn bad_input_ends_with_a_message_and_a_failure_code() {
    let out = out_dir("bad");
    let small = format!("{}/designs/images/hubble_160x120.png", env!("CARGO_MANIFEST_DIR"));
    let cases: [(&[&str], &str); 4] = [
        (&["--model", "/nonexistent/model.onnx"], "/nonexistent/model.onnx: No such file"),
        (&["--image", "/nonexistent/picture.png"], "/nonexistent/picture.png"),
        (
            &["--original", &small],
            "hubble_160x120.png: the original is 160x120 but the model's output is 640x480",
        ),
        (&["--frobnicate"], "unknown argument --frobnicate"),
    ];
    for (args, message) in cases {
        let mut all = args.to_vec();
        all.extend(["--out", out.to_str().unwrap()]);
        let o = run(&all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && o.status.code().is_some(), "{args:?}: {:?}", o.status);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    std::fs::remove_dir_all(&out).ok();
}

/// The default model with `edit` applied, as a user's broken export might be, saved
/// under `name`.
fn broken_model(name: &str, edit: impl FnOnce(&mut tract_onnx::pb::ModelProto)) -> PathBuf {
    use prost::Message;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/models/student_x4.onnx");
    let mut model = tract_onnx::pb::ModelProto::decode(std::fs::read(path).unwrap().as_slice()).unwrap();
    edit(&mut model);
    let out = std::env::temp_dir().join(format!("sr_model_{name}_{}.onnx", std::process::id()));
    std::fs::write(&out, model.encode_to_vec()).unwrap();
    out
}

/// The first convolution's weights.
fn first_weights(model: &mut tract_onnx::pb::ModelProto) -> &mut tract_onnx::pb::TensorProto {
    let graph = model.graph.as_mut().unwrap();
    let conv = graph.node.iter().find(|n| n.op_type == "Conv").unwrap();
    let weights = conv.input[1].clone();
    graph.initializer.iter_mut().find(|t| t.name == weights).unwrap()
}

fn set_floats(t: &mut tract_onnx::pb::TensorProto, f: impl Fn(usize, f32) -> f32) {
    let values: Vec<f32> = t
        .raw_data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    t.raw_data = values.iter().enumerate().flat_map(|(i, &v)| f(i, v).to_le_bytes()).collect();
}

#[test]
fn broken_models_end_with_a_clear_message_and_a_failure_code() {
    let no_output = broken_model("no_output", |m| m.graph.as_mut().unwrap().output.clear());
    let nan = broken_model("nan", |m| set_floats(first_weights(m), |i, v| if i == 17 { f32::NAN } else { v }));
    let huge = broken_model("huge", |m| set_floats(first_weights(m), |_, v| v * 1e30));
    let dangling = broken_model("dangling", |m| {
        let graph = m.graph.as_mut().unwrap();
        let node = graph.node.iter_mut().rfind(|n| n.op_type == "Conv").unwrap();
        node.input[0] = "renamed_on_one_side".into();
    });
    let out = out_dir("broken");
    let cases = [
        (&no_output, "sr_model: error: {path}: the graph declares no output; the upscaled picture must be the graph's output, as torch.onnx.export declares what the model returns\n".to_owned()),
        (&nan, "sr_model: error: node `/upsample/upsample.0/Conv`: tensor `upsample.0.weight` holds NaN at index 17 (of 1296); weights, biases and bounds must be finite numbers\n".to_owned()),
        (&huge, "sr_model: error: the folded coefficients cannot be represented in the multiplier's 18 bits to the accuracy the fixed-point model promises (at most 1 level from the float model): the largest is 1.137e30 (coefficient set 15, tap 158); with 108 taps per output they need 14 fraction bits, so it needs 115 bits with its sign. A model this far from unit gain is most likely a broken export: check its weights\n(pass --allow-inexact to accept the model as it is)\n".to_owned()),
        (&dangling, "sr_model: error: node `/conv5/Conv` (Conv) reads tensor `renamed_on_one_side`, which no node produces and which is neither the graph's input nor an initializer: the graph is cut, or a tensor was renamed on one side only\n".to_owned()),
    ];
    for (model, message) in &cases {
        let o = run(&["--model", model.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        let message = message.replace("{path}", model.to_str().unwrap());
        assert_eq!(o.status.code(), Some(1), "{model:?}: {stderr}");
        assert!(stderr.contains(&message), "{model:?}: expected `{message}` in:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    for path in [no_output, nan, huge, dangling] {
        std::fs::remove_file(path).ok();
    }
    std::fs::remove_dir_all(&out).ok();
}

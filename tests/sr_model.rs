//! The `sr_model` tool as a user runs it: every file written and the report's figures on
//! the default model, a non-zero exit with the reason on bad input, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hdl_designs::sr::Rgb8;

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
    let crop = Rgb8::read_as_camera(&images.join("hubble_160x120.png")).unwrap().crop(60, 50, w, h);
    let original = Rgb8::read_png(&images.join("hubble_640x480.png"))
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
        let read = |f: &str| Rgb8::read_png(&out.join(f)).unwrap();
        let (side, fixed) = (read("side_by_side.png"), read("reference_fixed.png"));
        let panels = if with_original { 4 } else { 3 };
        assert_eq!((side.width, side.height), (w + panels * (fixed.width + 8), fixed.height));
        let panel = |left: usize, p: &Rgb8| {
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

//! The `sr_model` tool as a user runs it: every file written and the report's figures on
//! the default model, a non-zero exit with the reason on bad input, never a panic.

use std::path::PathBuf;
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
    // A small crop of the default picture keeps the unoptimized test build quick.
    let full = Rgb8::read_as_camera(std::path::Path::new(&format!("{root}/designs/images/hubble_160x120.png"))).unwrap();
    let (w, h) = (24, 18);
    let crop = Rgb8 {
        width: w,
        height: h,
        pixels: (0..w * h).map(|i| full.pixels[(50 + i / w) * full.width + 60 + i % w]).collect(),
    };
    let image = out_dir("picture.png");
    crop.write_png(&image).unwrap();
    for (name, model) in [("x4", "student_x4.onnx"), ("x2", "student_x2.onnx")] {
        let out = out_dir(name);
        let model = format!("{root}/designs/models/{model}");
        let o = run(&[
            "--model",
            &model,
            "--image",
            image.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
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
        // Input, nearest, bicubic and the fixed-point model in one row, 8 pixels apart
        // (compared as read back through the camera convention, which both sides share).
        let read = |f: &str| Rgb8::read_as_camera(&out.join(f)).unwrap();
        let (side, fixed) = (read("side_by_side.png"), read("reference_fixed.png"));
        assert_eq!((side.width, side.height), (w + 3 * fixed.width + 3 * 8, fixed.height));
        let panel = |left: usize, p: &Rgb8| {
            (0..p.height).all(|y| side.pixels[y * side.width + left..][..p.width] == p.pixels[y * p.width..][..p.width])
        };
        assert!(panel(0, &crop), "the input panel differs");
        assert!(panel(w + 8 + 2 * (fixed.width + 8), &fixed), "the model panel differs");
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
        std::fs::remove_dir_all(&out).ok();
    }
    std::fs::remove_file(&image).ok();
}

#[test]
fn bad_input_ends_with_a_message_and_a_failure_code() {
    let out = out_dir("bad");
    let cases: [(&[&str], &str); 3] = [
        (&["--model", "/nonexistent/model.onnx"], "/nonexistent/model.onnx: No such file"),
        (&["--image", "/nonexistent/picture.png"], "/nonexistent/picture.png"),
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

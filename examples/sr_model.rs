//! The model tool: what an ML user runs first, before any hardware.
//!
//! `cargo run --release --example sr_model -- --model PATH --image PATH --out DIR [--original PATH] [--allow-inexact]`
//!
//! Imports the ONNX model, folds it, quantises it, runs the float reference (tract), the
//! folded float model and the fixed-point model on the picture (taken as the camera
//! would give it: RGB565, expanded by bit replication), and writes the outputs, nearest
//! and bicubic upscales, `side_by_side.png` (input, nearest, bicubic, fixed-point model)
//! and `model_report.toml` into DIR. Given the high-resolution original the input was
//! made from, it adds it to the row and reports each upscale's PSNR against it.
//!
//! It fails, saying which, when the fixed-point model breaks the compiler's promise: more
//! than one level from the float reference on the picture, or a bound over all inputs of
//! more than two (coefficients that do not fit the multiplier's 18 bits, for one), unless
//! `--allow-inexact` is given.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use sr_compiler::report::{to_toml, Fidelity, Quality};
use sr_compiler::{check_size, compile, picture, read_original, reference, ModelError, Picture};

struct Args {
    model: PathBuf,
    image: PathBuf,
    out: PathBuf,
    original: Option<PathBuf>,
    allow_inexact: bool,
}

fn parse_args() -> Result<Args, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        model: root.join("designs/models/student_x4.onnx"),
        image: root.join("designs/images/hubble_160x120.png"),
        out: root.join("build/sr_model"),
        original: None,
        allow_inexact: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--model" => args.model = value()?.into(),
            "--image" => args.image = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--original" => args.original = Some(value()?.into()),
            "--allow-inexact" => args.allow_inexact = true,
            "--help" | "-h" => {
                return Err(
                    "usage: sr_model [--model PATH.onnx] [--image PATH.png] [--out DIR] [--original PATH.png] [--allow-inexact]".into(),
                );
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; accepted: --model, --image, --out, --original, --allow-inexact"
                ))
            }
        }
    }
    Ok(args)
}

/// `check`'s verdict, or only a warning with `--allow-inexact`.
fn accuracy(args: &Args, check: Result<(), ModelError>) -> Result<(), ModelError> {
    match check {
        Err(e) if args.allow_inexact => {
            eprintln!("sr_model: warning (--allow-inexact): {e}");
            Ok(())
        }
        other => other,
    }
}

fn run(args: &Args) -> Result<(), ModelError> {
    let t = Instant::now();
    eprintln!("importing and folding {} ...", args.model.display());
    let compiled = compile(&args.model)?;
    let folded = &compiled.folded;
    eprintln!(
        "  folded in {:.1} s: scale {}, {} coefficient sets, {} MACs per pixel (layered: {:.0})",
        t.elapsed().as_secs_f64(),
        folded.scale,
        folded.sets.len(),
        folded.macs_per_pixel(),
        compiled.network.layered_macs_per_pixel()
    );
    accuracy(args, compiled.fixed.check_accuracy())?;
    let picture = sr_compiler::picture::read_as_camera(&args.image)?;
    check_size(folded, &picture)?;
    let original = args
        .original
        .as_deref()
        .map(|path| read_original(path, folded, &picture))
        .transpose()?;
    let input = picture::to_input(&picture);
    eprintln!("running the float reference (tract) on {}x{} ...", picture.width, picture.height);
    let float = reference::run_reference(&args.model, &input)?;
    eprintln!("running the folded and fixed-point models ...");
    let folded_out = folded.run(&input);
    let fixed_out = compiled.fixed.run(&picture);
    let quality = Quality::measure(&float, &folded_out, &fixed_out, folded.clamp);

    std::fs::create_dir_all(&args.out).map_err(|e| ModelError::Io {
        path: args.out.display().to_string(),
        message: e.to_string(),
    })?;
    let s = folded.scale;
    let (nearest, bicubic) = (picture.nearest(s), picture::bicubic(&picture, s));
    let fidelity = original.as_ref().map(|o| Fidelity::measure(o, &nearest, &bicubic, &fixed_out));
    let mut panels = vec![&picture, &nearest, &bicubic, &fixed_out];
    panels.extend(&original);
    let side_by_side = Picture::side_by_side(&panels, 8);
    let files = [
        ("reference_float.png", picture::from_output(&float)),
        ("folded_float.png", picture::from_output(&folded_out)),
        ("reference_fixed.png", fixed_out),
        ("nearest.png", nearest),
        ("bicubic.png", bicubic),
        ("side_by_side.png", side_by_side),
    ];
    for (name, image) in &files {
        image.write_png(&args.out.join(name))?;
    }
    let report = args.out.join("model_report.toml");
    std::fs::write(&report, to_toml(&compiled.network, &compiled.fixed, &quality, fidelity.as_ref())).map_err(|e| ModelError::Io {
        path: report.display().to_string(),
        message: e.to_string(),
    })?;
    println!(
        "fixed vs float: max {} levels (bound over all inputs {:.2}), PSNR {:.2} dB; folded vs float: max {:.2e}",
        quality.max_abs_diff_fixed_vs_float,
        compiled.fixed.accuracy.bound_levels,
        quality.psnr_fixed_vs_float_db,
        quality.max_abs_diff_folded_vs_float
    );
    accuracy(args, compiled.fixed.check_measured(quality.max_abs_diff_fixed_vs_float))?;
    if let Some(o) = &fidelity {
        println!(
            "PSNR against the original ({}-pixel border excluded): nearest {:.2} dB, bicubic {:.2} dB, model {:.2} dB",
            o.border, o.psnr_nearest_db, o.psnr_bicubic_db, o.psnr_model_db
        );
    }
    println!(
        "wrote {} pictures and {} ({:.1} s)",
        files.len(),
        report.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("sr_model: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ (ModelError::CoefficientRange { .. } | ModelError::Inexact { .. })) => {
            eprintln!("sr_model: error: {e}\n(pass --allow-inexact to accept the model as it is)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("sr_model: error: {e}");
            ExitCode::FAILURE
        }
    }
}

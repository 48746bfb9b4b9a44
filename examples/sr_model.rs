//! The model tool: what an ML user runs first, before any hardware.
//!
//! `cargo run --release --example sr_model -- --model PATH --image PATH --out DIR [--original PATH]`
//!
//! Imports the ONNX model, folds it, quantises it, runs the float reference (tract), the
//! folded float model and the fixed-point model on the picture (taken as the camera
//! would give it: RGB565, expanded by bit replication), and writes the outputs, nearest
//! and bicubic upscales, `side_by_side.png` (input, nearest, bicubic, fixed-point model)
//! and `model_report.toml` into DIR. Given the high-resolution original the input was
//! made from, it adds it to the row and reports each upscale's PSNR against it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use hdl_designs::sr::report::{to_toml, Fidelity, Quality};
use hdl_designs::sr::{check_size, compile, read_original, reference, ModelError, Rgb8};

struct Args {
    model: PathBuf,
    image: PathBuf,
    out: PathBuf,
    original: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        model: root.join("designs/models/student_x4.onnx"),
        image: root.join("designs/images/hubble_160x120.png"),
        out: root.join("build/sr_model"),
        original: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--model" => args.model = value()?.into(),
            "--image" => args.image = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--original" => args.original = Some(value()?.into()),
            "--help" | "-h" => {
                return Err("usage: sr_model [--model PATH.onnx] [--image PATH.png] [--out DIR] [--original PATH.png]".into());
            }
            other => return Err(format!("unknown argument {other}; accepted: --model, --image, --out, --original")),
        }
    }
    Ok(args)
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
    let picture = Rgb8::read_as_camera(&args.image)?;
    check_size(folded, &picture)?;
    let original = args
        .original
        .as_deref()
        .map(|path| read_original(path, folded, &picture))
        .transpose()?;
    let input = picture.to_input();
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
    let (nearest, bicubic) = (picture.nearest(s), picture.bicubic(s));
    let fidelity = original.as_ref().map(|o| Fidelity::measure(o, &nearest, &bicubic, &fixed_out));
    let mut panels = vec![&picture, &nearest, &bicubic, &fixed_out];
    panels.extend(&original);
    let side_by_side = Rgb8::side_by_side(&panels, 8);
    let files = [
        ("reference_float.png", Rgb8::from_output(&float)),
        ("folded_float.png", Rgb8::from_output(&folded_out)),
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
        "fixed vs float: max {} levels, PSNR {:.2} dB; folded vs float: max {:.2e}",
        quality.max_abs_diff_fixed_vs_float, quality.psnr_fixed_vs_float_db, quality.max_abs_diff_folded_vs_float
    );
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
        Err(e) => {
            eprintln!("sr_model: error: {e}");
            ExitCode::FAILURE
        }
    }
}

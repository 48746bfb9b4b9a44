//! The ULX3S test picture: simulates the HDMI output until a receiver model has a whole
//! frame, writes it as a PNG, then builds the bitstream with yosys, nextpnr-ecp5 and
//! ecppack and reports timing and resources (or says which tool to install).
//!
//! ```text
//! cargo run --release --example dvi_test_pattern
//! openFPGALoader -b ulx3s build/dvi_test_pattern/top.bit
//! ```

use std::path::Path;

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, BuildError, BuildOptions};
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::dvi_test_pattern::{top, video_out};
use hdl_dsl::Design;
use hdl_models::hdmi::DviReceiver;
use hdl_sim::Simulator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mode = VGA_640X480_60;
    let out = Path::new("build/dvi_test_pattern");
    std::fs::create_dir_all(out)?;

    // What the monitor will show: the video path simulated, received and saved.
    let video = Design::elaborate(video_out(&mode).into_module())?;
    let mut sim = Simulator::new(&video);
    let (pixel, bit) = (sim.domain("sync")?, sim.domain("dvi.shift")?);
    sim.set_period(pixel, 40_000);
    sim.set_period(bit, 8_000);
    let rx = DviReceiver::attach_serial(&mut sim, bit, "dvi.ddr_d0", "dvi.ddr_d1")?;
    let frame_clocks = (mode.h.total() * mode.v.total()) as u64;
    eprintln!("==> simulating the HDMI output until a whole frame is received");
    while rx.frame_count() == 0 && sim.cycles(pixel) < 4 * frame_clocks {
        sim.ticks(pixel, frame_clocks / 4);
        eprintln!("    {:.2} frames", sim.cycles(pixel) as f64 / frame_clocks as f64);
    }
    if !rx.errors().is_empty() {
        return Err(format!("the receiver model saw errors: {:?}", rx.errors()).into());
    }
    let frame = rx.frames().into_iter().next().ok_or("no frame was received")?;
    frame.picture.write_png(&out.join("frame.png"))?;
    eprintln!(
        "    received {}x{} (h {:?}, v {:?}); saved {}",
        frame.picture.width,
        frame.picture.height,
        frame.h,
        frame.v,
        out.join("frame.png").display()
    );

    // The bitstream.
    let design = Design::elaborate(top(&mode, 25.0)?)?;
    let report = match build(&design, &Ulx3s::lfe5u_85f(), &BuildOptions::new(out)) {
        Err(e @ BuildError::ToolMissing { .. }) => {
            eprintln!("no bitstream: {e}");
            return Ok(());
        }
        built => built?,
    };
    println!("{report}");
    if !report.timing_met() {
        return Err("timing is not met".into());
    }
    println!("program the board with: openFPGALoader -b ulx3s {}", report.bitstream.display());
    Ok(())
}

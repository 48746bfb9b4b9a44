//! The ULX3S test picture: simulates the very top the bitstream is built from — the
//! board's 25 MHz oscillator on `clk_25mhz`, the PLL, the DDR outputs — until a receiver
//! model on the `gpdi_dp` pins has a whole frame, writes it as a PNG, then builds the
//! bitstream with yosys, nextpnr-ecp5 and ecppack and reports timing and resources (the
//! tools are installed into a cached virtualenv when missing and Python 3 is there;
//! otherwise it says what to install).
//!
//! ```text
//! cargo run --release --example dvi_test_pattern
//! openFPGALoader -b ulx3s build/dvi_test_pattern/top.bit
//! ```

use std::path::Path;

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, BuildError, BuildOptions};
use hdl_cores::video_timing::VGA_640X480_60;
use hdl_designs::dvi_test_pattern::top;
use hdl_dsl::Design;
use hdl_models::hdmi::DviReceiver;
use hdl_sim::Simulator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mode = VGA_640X480_60;
    let out = Path::new("build/dvi_test_pattern");
    std::fs::create_dir_all(out)?;

    // What the monitor will show: the top simulated from its pins, received and saved.
    let design = Design::elaborate(top(&mode, 25.0)?)?;
    let mut sim = Simulator::new(&design)?;
    let oscillator = sim.clock(sim.signal("clk_25mhz")?)?;
    sim.set_period(oscillator, 40_000);
    let (pixel, bit) = (sim.domain("sync")?, sim.domain("video.dvi.shift")?);
    let rx = DviReceiver::attach_pins(&mut sim, bit, "gpdi_dp")?;
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

    // The bitstream, from the same design.
    let report = match build(&design, &Ulx3s::lfe5u_85f(), &BuildOptions::new(out)) {
        Err(e @ BuildError::Tools(_)) => {
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

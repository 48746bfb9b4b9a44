//! The LEDs count on a ULX3S: simulates the design until `led[0]` first lights, then
//! builds the bitstream with the project's runner (yosys, nextpnr-ecp5, ecppack; the
//! tools are installed into a cached virtualenv when missing and Python 3 is there).
//!
//! ```text
//! cargo run --example blinky [-- --board ulx3s-12f|ulx3s-25f|ulx3s-45f|ulx3s-85f] [-- --no-install-tools]
//! openFPGALoader -b ulx3s build/blinky/top.bit
//! ```

use std::error::Error;

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, BuildOptions};
use hdl_designs::blinky::{top, LED0_BIT};
use hdl_dsl::Design;
use hdl_sim::Simulator;

fn main() -> Result<(), Box<dyn Error>> {
    let mut board = Ulx3s::lfe5u_85f();
    let mut install = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--board" => board = Ulx3s::from_name(&args.next().ok_or("--board needs a name, like ulx3s-85f")?)?,
            "--no-install-tools" => install = false,
            other => return Err(format!("unknown argument `{other}`; accepted: --board NAME, --no-install-tools").into()),
        }
    }
    let design = Design::elaborate(top())?;

    let mut sim = Simulator::new(&design)?;
    let clock = sim.clock(sim.signal("clk_25mhz")?)?;
    let led = sim.signal("led")?;
    sim.ticks(clock, 1 << LED0_BIT);
    println!(
        "simulated: led = {:08b} after {} cycles ({:.2} s on the board)",
        sim.get(led),
        1u64 << LED0_BIT,
        (1u64 << LED0_BIT) as f64 / 25e6
    );

    let out = format!("build/blinky/{}", board.name());
    let report = build(&design, &board, &BuildOptions::new(&out).install_tools(install))?;
    println!("{report}");
    if !report.timing_met() {
        return Err("timing is not met".into());
    }
    println!("program the board with: openFPGALoader -b ulx3s {}", report.bitstream.display());
    Ok(())
}

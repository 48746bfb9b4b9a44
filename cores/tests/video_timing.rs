//! The timing generator against the mode tables: pulse positions and widths, active
//! area and frame start, over a whole frame of each shipped mode.

use hdl_cores::video_timing::{timing_generator, VideoMode, HD_1280X720_60, SVGA_800X600_60, VGA_640X480_60};
use hdl_dsl::Design;
use hdl_sim::Simulator;

fn check(mode: &VideoMode) {
    let design = Design::elaborate(timing_generator(mode).into_module()).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let [hsync, vsync, de, x, y, frame_start] = ["hsync", "vsync", "de", "x", "y", "frame_start"].map(|n| sim.signal(n).unwrap());
    let (h, v) = (mode.h, mode.v);
    for line in 0..v.total() {
        for col in 0..h.total() {
            let at = format!("{} at ({col}, {line})", mode.name);
            assert_eq!((sim.get(x), sim.get(y)), (col as u64, line as u64), "{at}");
            let in_h = (h.sync_start()..h.sync_start() + h.sync).contains(&col);
            let in_v = (v.sync_start()..v.sync_start() + v.sync).contains(&line);
            assert_eq!(sim.get(hsync) == 1, in_h == h.sync_positive, "{at}: hsync");
            assert_eq!(sim.get(vsync) == 1, in_v == v.sync_positive, "{at}: vsync");
            assert_eq!(sim.get(de) == 1, col < h.active && line < v.active, "{at}: de");
            assert_eq!(sim.get(frame_start) == 1, col == 0 && line == 0, "{at}: frame start");
            sim.tick(sync);
        }
    }
    assert_eq!((sim.get(x), sim.get(y)), (0, 0), "{}: the next frame starts", mode.name);
}

#[test]
fn vga_640x480() {
    assert_eq!((VGA_640X480_60.h.total(), VGA_640X480_60.v.total()), (800, 525));
    check(&VGA_640X480_60);
}

#[test]
fn svga_800x600() {
    assert_eq!((SVGA_800X600_60.h.total(), SVGA_800X600_60.v.total()), (1056, 628));
    check(&SVGA_800X600_60);
}

#[test]
fn hd_1280x720() {
    assert_eq!((HD_1280X720_60.h.total(), HD_1280X720_60.v.total()), (1650, 750));
    check(&HD_1280X720_60);
}

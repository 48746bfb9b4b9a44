//! The ULX3S board (Radiona): an ECP5 in a CABGA381 package and the pins this project
//! uses. Sites and I/O standards are from the board's official constraints file
//! (emard/ulx3s, `doc/constraints/ulx3s_v20.lpf`).

use crate::{Board, Device, Pin};

/// A ULX3S with the given ECP5.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ulx3s {
    /// The FPGA fitted.
    pub device: Device,
}

/// The 25 MHz oscillator.
pub const CLK_25MHZ_HZ: u64 = 25_000_000;

impl Ulx3s {
    /// A board with an LFE5U-85F, the size this project targets.
    pub fn lfe5u_85f() -> Ulx3s {
        Ulx3s { device: Device::Lfe5u85f }
    }

    /// Every variant, smallest first: the 12F, 25F, 45F and 85F.
    pub fn variants() -> [Ulx3s; 4] {
        Device::ALL.map(|device| Ulx3s { device })
    }

    /// The variant's name as `--board` takes it: `ulx3s-85f`.
    pub fn name(&self) -> String {
        format!("ulx3s-{}", self.device.name().trim_start_matches("LFE5U-").to_lowercase())
    }

    /// The variant named `name` (`ulx3s-12f`, `ulx3s-25f`, `ulx3s-45f` or `ulx3s-85f`,
    /// in any case).
    pub fn from_name(name: &str) -> Result<Ulx3s, UnknownBoard> {
        Ulx3s::variants()
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownBoard { name: name.to_owned() })
    }
}

/// A board name no variant has.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UnknownBoard {
    /// The name given.
    pub name: String,
}

impl std::fmt::Display for UnknownBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = Ulx3s::variants().iter().map(Ulx3s::name).collect();
        write!(f, "unknown board `{}`; the boards are {}", self.name, names.join(", "))
    }
}

impl std::error::Error for UnknownBoard {}

impl Board for Ulx3s {
    fn device(&self) -> Device {
        self.device
    }

    fn package(&self) -> &'static str {
        "CABGA381"
    }

    /// The board's pins by port name, as a top module names its ports: a bus `led` of
    /// eight bits has pins `led[0]` to `led[7]`.
    fn pins(&self) -> Vec<Pin> {
        let mut pins = vec![Pin::new("clk_25mhz", "G2", "LVCMOS33").clock(CLK_25MHZ_HZ)];
        for (i, site) in ["B2", "C2", "C1", "D2", "D1", "E2", "E1", "H3"].iter().enumerate() {
            pins.push(Pin::new(&format!("led[{i}]"), site, "LVCMOS33").drive(4));
        }
        // btn[0] is PWRn, low when pressed; the others are high when pressed.
        for (i, site) in ["D6", "R1", "T1", "R18", "V1", "U1", "H16"].iter().enumerate() {
            pins.push(Pin::new(&format!("btn[{i}]"), site, "LVCMOS33").pull(if i == 0 { "UP" } else { "DOWN" }));
        }
        // HDMI pairs 0 blue, 1 green, 2 red, 3 clock: with LVCMOS33D the negative pin of
        // each pair follows the positive one.
        for (i, site) in ["A16", "A14", "A12", "A17"].iter().enumerate() {
            pins.push(Pin::new(&format!("gpdi_dp[{i}]"), site, "LVCMOS33D").drive(4));
        }
        let gp = [
            "B11", "A10", "A9", "B9", "A7", "C8", "C6", "A6", "A4", "A2", "C4", "F4", "G3", "H4", "U18", "N17", "N16", "L16", "H18", "F17",
            "D18", "C18", "B15", "B17", "C16", "D14", "B13", "D13",
        ];
        let gn = [
            "C11", "A11", "B10", "C10", "A8", "B8", "C7", "B6", "A5", "B1", "B4", "E3", "F3", "G5", "U17", "P16", "M17", "L17", "H17",
            "G18", "E17", "D17", "C15", "C17", "D16", "E14", "C13", "E13",
        ];
        for (i, (p, n)) in gp.iter().zip(gn).enumerate() {
            pins.push(Pin::new(&format!("gp[{i}]"), p, "LVCMOS33"));
            pins.push(Pin::new(&format!("gn[{i}]"), n, "LVCMOS33"));
        }
        pins
    }
}

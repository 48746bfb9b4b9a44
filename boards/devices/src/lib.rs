//! # hdl-devices
//!
//! The ECP5 parts as data: their names, how nextpnr-ecp5 selects them, and the resources
//! each has. Shared by the board flow, the model compiler's report and the sizing of
//! hardware that must fit a part.
//!
//! The resources are the data sheet's (Lattice, *ECP5 and ECP5-5G Family Data Sheet*,
//! FPGA-DS-02012, Table 1.1 "ECP5 and ECP5-5G Family Selection Guide"), not what a tool's
//! database holds: nextpnr-ecp5 builds the 12F as the 25F's die, with the 25F's
//! resources, but a design for a 12F must fit the 12F's.

#![warn(missing_docs)]

use std::fmt;

/// An ECP5 part (the `LFE5U` range, without SERDES).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Device {
    /// LFE5U-12F.
    Lfe5u12f,
    /// LFE5U-25F.
    Lfe5u25f,
    /// LFE5U-45F.
    Lfe5u45f,
    /// LFE5U-85F.
    Lfe5u85f,
}

/// What a part offers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Resources {
    /// Four-input look-up tables (the data sheet gives them in thousands).
    pub luts: u32,
    /// sysMEM embedded block RAMs of 18 Kbit (`DP16KD`).
    pub block_rams: u32,
    /// 18x18 multipliers (`MULT18X18D`).
    pub multipliers: u32,
    /// sysCLOCK PLLs (`EHXPLLL`).
    pub plls: u32,
}

impl Device {
    /// Every part, smallest first.
    pub const ALL: [Device; 4] = [Device::Lfe5u12f, Device::Lfe5u25f, Device::Lfe5u45f, Device::Lfe5u85f];

    /// The part's name, like `LFE5U-85F`.
    pub fn name(self) -> &'static str {
        match self {
            Device::Lfe5u12f => "LFE5U-12F",
            Device::Lfe5u25f => "LFE5U-25F",
            Device::Lfe5u45f => "LFE5U-45F",
            Device::Lfe5u85f => "LFE5U-85F",
        }
    }

    /// The nextpnr-ecp5 flag that selects the part.
    pub fn nextpnr_flag(self) -> &'static str {
        match self {
            Device::Lfe5u12f => "--12k",
            Device::Lfe5u25f => "--25k",
            Device::Lfe5u45f => "--45k",
            Device::Lfe5u85f => "--85k",
        }
    }

    /// The part's resources, from the data sheet's selection guide.
    pub fn resources(self) -> Resources {
        let (luts, block_rams, multipliers, plls) = match self {
            Device::Lfe5u12f => (12_000, 32, 28, 2),
            Device::Lfe5u25f => (24_000, 56, 28, 2),
            Device::Lfe5u45f => (44_000, 108, 72, 4),
            Device::Lfe5u85f => (84_000, 208, 156, 4),
        };
        Resources {
            luts,
            block_rams,
            multipliers,
            plls,
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_12f_has_its_own_resources_though_nextpnr_builds_it_on_the_25f_die() {
        let (small, die) = (Device::Lfe5u12f.resources(), Device::Lfe5u25f.resources());
        assert_eq!((small.luts, small.block_rams), (12_000, 32));
        assert_eq!((die.luts, die.block_rams), (24_000, 56));
        assert_eq!(small.multipliers, die.multipliers);
    }

    #[test]
    fn parts_are_named_as_lattice_and_nextpnr_name_them() {
        let names: Vec<String> = Device::ALL.iter().map(|d| format!("{d} {}", d.nextpnr_flag())).collect();
        assert_eq!(names, ["LFE5U-12F --12k", "LFE5U-25F --25k", "LFE5U-45F --45k", "LFE5U-85F --85k"]);
        assert_eq!(Device::Lfe5u85f.resources().multipliers, 156);
    }
}

//! # hdl-cores
//!
//! Reusable hardware cores built with [`hdl_dsl`]. Each is a function that takes its
//! parameters and returns a [`hdl_dsl::Component`] (or a module) with a typed interface.
//!
//! - [`video_timing`]: display modes and the timing generator.
//! - [`tmds`]: the DVI TMDS encoder.
//! - [`dvi`]: the DVI transmitter for the ECP5 (TMDS, 10:1 serialization, `ODDRX1F`).
//! - [`test_pattern`]: colour bars and a moving box.
//! - [`cdc`]: clock-domain crossing: synchronizers and an asynchronous FIFO.
//! - [`pll`]: the ECP5 PLL, its dividers planned as `ecppll` plans them.
//! - [`sccb`]: the SCCB master that configures OmniVision cameras.
//! - [`ov7670`]: OV7670 register tables, configurator and capture.
//! - [`pixel`]: pixel formats (RGB565, RGB888) as layouts.
//! - [`frame_buffer`]: a double-buffered frame store in block RAM.
//! - [`line_buffer`]: a window generator with zero padding, and a row store read K rows at
//!   a time.
//! - [`button`]: a debounced push button.
//! - [`block_ram`]: one `DP16KD` read through its output register.
//! - [`block_rom`]: read-only memory in `DP16KD` block RAM.
//! - [`mac_array`]: lanes of `MULT18X18D` multiply-accumulate with coefficient ROMs, an
//!   adder tree and requantisation.

#![warn(missing_docs)]

pub mod block_ram;
pub mod block_rom;
pub mod button;
pub mod cdc;
pub mod dvi;
pub mod frame_buffer;
pub mod line_buffer;
pub mod mac_array;
pub mod ov7670;
pub mod pixel;
pub mod pll;
pub mod sccb;
pub mod test_pattern;
pub mod tmds;
pub mod video_timing;

//! # hdl-designs
//!
//! Whole designs for the ULX3S, built from [`hdl_cores`] and turned into bitstreams with
//! [`hdl_boards`].
//!
//! - [`blinky`]: the LEDs count; the first design to build for a board.
//! - [`camera_wiring`]: which ULX3S pin carries each camera signal, from a TOML file.
//! - [`dvi_test_pattern`]: colour bars and a moving box over HDMI.
//! - [`sr_engine`]: the super-resolution engine's sizing for a model, a mode and a device.
//! - [`timing`]: a build's paths between clocks, checked with the netlist's synchronizers.
//! - [`ulx3s_sr`]: the whole design: camera, frame buffer, engine and HDMI on the ULX3S.

#![warn(missing_docs)]

pub mod blinky;
pub mod camera_wiring;
pub mod dvi_test_pattern;
pub mod sr_engine;
pub mod timing;
pub mod ulx3s_sr;

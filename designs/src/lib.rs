//! # hdl-designs
//!
//! Whole designs for the ULX3S, built from [`hdl_cores`] and turned into bitstreams with
//! [`hdl_boards`].
//!
//! - [`blinky`]: the LEDs count; the first design to build for a board.
//! - [`dvi_test_pattern`]: colour bars and a moving box over HDMI.
//! - [`sr_engine`]: the super-resolution engine's sizing for a model, a mode and a device.

#![warn(missing_docs)]

pub mod blinky;
pub mod dvi_test_pattern;
pub mod sr_engine;

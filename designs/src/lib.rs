//! # hdl-designs
//!
//! Whole designs for the ULX3S, built from [`hdl_cores`] and turned into bitstreams with
//! [`hdl_boards`].
//!
//! - [`dvi_test_pattern`]: colour bars and a moving box over HDMI.

#![warn(missing_docs)]

pub mod dvi_test_pattern;

//! # hdl-cores
//!
//! Reusable hardware cores built with [`hdl_dsl`]. Each is a function that takes its
//! parameters and returns a [`hdl_dsl::Component`] (or a module) with a typed interface.
//!
//! - [`video_timing`]: display modes and the timing generator.
//! - [`tmds`]: the DVI TMDS encoder.

#![warn(missing_docs)]

pub mod tmds;
pub mod video_timing;

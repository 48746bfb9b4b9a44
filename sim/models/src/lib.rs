//! # hdl-models
//!
//! Devices beside a simulated design, run by [`hdl_sim::Simulator`] as models: the
//! [`ov7670`] camera (an SCCB slave with its register file, and a pixel source playing
//! pictures with the timing its registers set) and a DVI/HDMI receiver ([`hdmi`]) that
//! decodes TMDS symbols or serial bits back into frames and their timing.

#![warn(missing_docs)]

pub mod hdmi;
pub mod ov7670;

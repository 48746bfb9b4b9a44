//! Shared by the co-simulation tests.

pub mod cosim;
pub mod random_design;

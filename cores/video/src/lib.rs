//! # hdl-video
//!
//! Pictures and video timing as plain data, shared by the hardware cores, the device
//! models, the model compiler and the designs: an 8-bit RGB [`Picture`] with PNG
//! reading and writing, the camera's [`rgb565`] pixels, and display modes
//! ([`VideoMode`], each axis an [`Axis`]). Nothing here knows about hardware or
//! simulation.

#![warn(missing_docs)]

mod picture;
pub mod rgb565;
mod timing;

pub use picture::{psnr_db, Picture, PictureError};
pub use timing::{Axis, VideoMode, HD_1280X720_60, SVGA_800X600_60, VGA_640X480_60};

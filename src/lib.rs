//! Live 4x super-resolution from an OV7670 camera to HDMI on a ULX3S; see the README.

//! Pixel formats as layouts: how the camera's pixels and the display's are laid out in a
//! signal's bits.

use hdl_dsl::{unsigned, Layout};

/// A 16-bit RGB565 pixel: red in the top five bits, as the OV7670 sends it
/// (`hdl_video::rgb565` converts it in software).
pub fn rgb565() -> Layout {
    Layout::structure([("b", unsigned(5)), ("g", unsigned(6)), ("r", unsigned(5))])
}

/// A 24-bit RGB888 pixel: red in the top byte.
pub fn rgb888() -> Layout {
    Layout::structure([("b", unsigned(8)), ("g", unsigned(8)), ("r", unsigned(8))])
}

//! RGB565, the OV7670's 16-bit pixel: red in the top five bits, green in the middle six,
//! blue in the low five.

/// An 8-bit RGB colour quantised to RGB565: the top bits of each channel.
pub fn pack([r, g, b]: [u8; 3]) -> u16 {
    (r as u16 >> 3) << 11 | (g as u16 >> 2) << 5 | b as u16 >> 3
}

/// RGB565 to 8 bits per channel by bit replication: each channel's top bits repeat into
/// the bits it lacks, so black stays 0 and white becomes 255.
pub fn expand(p: u16) -> [u8; 3] {
    let (r, g, b) = ((p >> 11) as u8 & 31, (p >> 5) as u8 & 63, p as u8 & 31);
    [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)]
}

/// An 8-bit colour as the camera delivers it: packed to RGB565 and expanded back.
pub fn as_camera(rgb: [u8; 3]) -> [u8; 3] {
    expand(pack(rgb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_the_top_bits_and_expanding_replicates_them() {
        assert_eq!(pack([0xff, 0xff, 0xff]), 0xffff);
        assert_eq!(pack([0x80, 0x40, 0x08]), (16 << 11 | 16 << 5 | 1));
        assert_eq!(expand(0xffff), [255, 255, 255]);
        assert_eq!(expand(0), [0, 0, 0]);
        assert_eq!(expand(16 << 11 | 16 << 5 | 1), [0x84, 0x41, 0x08]);
        assert_eq!(as_camera([0x87, 0x43, 0x0f]), [0x84, 0x41, 0x08]);
    }
}

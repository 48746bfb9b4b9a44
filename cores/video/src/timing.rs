//! Display modes: a line is `active` pixels, then the front porch, the sync pulse and
//! the back porch; a frame is the same in lines. Pixel `(0, 0)` is the first active
//! pixel of a frame.

/// One axis of a mode: pixels of a line, or lines of a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Axis {
    /// Visible pixels (or lines).
    pub active: u32,
    /// Blank after the active part, before sync.
    pub front_porch: u32,
    /// The sync pulse.
    pub sync: u32,
    /// Blank after sync, before the next active part.
    pub back_porch: u32,
    /// Whether sync is high during the pulse (else low).
    pub sync_positive: bool,
}

impl Axis {
    /// Pixels (or lines) in all.
    pub const fn total(&self) -> u32 {
        self.active + self.front_porch + self.sync + self.back_porch
    }

    /// The first position of the sync pulse.
    pub const fn sync_start(&self) -> u32 {
        self.active + self.front_porch
    }
}

/// A display mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VideoMode {
    /// A short name, like `640x480@60`.
    pub name: &'static str,
    /// The nominal pixel clock.
    pub pixel_hz: u64,
    /// Pixels of a line.
    pub h: Axis,
    /// Lines of a frame.
    pub v: Axis,
}

// The three modes below are from the VESA Display Monitor Timing standard (DMT) and
// CEA-861 (1280x720), as tabulated in this project's hardware facts.

/// VESA 640x480 at 60 Hz: 800x525 in all, 25.175 MHz nominal (25 MHz gives 59.5 Hz,
/// which monitors accept), both syncs negative.
pub const VGA_640X480_60: VideoMode = VideoMode {
    name: "640x480@60",
    pixel_hz: 25_175_000,
    h: Axis {
        active: 640,
        front_porch: 16,
        sync: 96,
        back_porch: 48,
        sync_positive: false,
    },
    v: Axis {
        active: 480,
        front_porch: 10,
        sync: 2,
        back_porch: 33,
        sync_positive: false,
    },
};

/// VESA 800x600 at 60 Hz: 1056x628 in all, 40 MHz, both syncs positive.
pub const SVGA_800X600_60: VideoMode = VideoMode {
    name: "800x600@60",
    pixel_hz: 40_000_000,
    h: Axis {
        active: 800,
        front_porch: 40,
        sync: 128,
        back_porch: 88,
        sync_positive: true,
    },
    v: Axis {
        active: 600,
        front_porch: 1,
        sync: 4,
        back_porch: 23,
        sync_positive: true,
    },
};

/// 1280x720 at 60 Hz: 1650x750 in all, 74.25 MHz, both syncs positive.
pub const HD_1280X720_60: VideoMode = VideoMode {
    name: "1280x720@60",
    pixel_hz: 74_250_000,
    h: Axis {
        active: 1280,
        front_porch: 110,
        sync: 40,
        back_porch: 220,
        sync_positive: true,
    },
    v: Axis {
        active: 720,
        front_porch: 5,
        sync: 5,
        back_porch: 20,
        sync_positive: true,
    },
};

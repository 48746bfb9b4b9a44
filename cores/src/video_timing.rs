//! Video timing: the counters and sync pulses of a display mode.
//!
//! A line is `active` pixels, then the front porch, the sync pulse and the back porch;
//! a frame is the same in lines. Pixel `(0, 0)` is the first active pixel of a frame.

use hdl_dsl::{address_width, unsigned, Builder, Component, Signature, Value};

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

/// The outputs of a timing generator, for the pixel of the current cycle.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Horizontal sync, at the mode's polarity.
    pub hsync: Value,
    /// Vertical sync, at the mode's polarity.
    pub vsync: Value,
    /// Data enable: high on active pixels.
    pub de: Value,
    /// The column, counting through the blanking too.
    pub x: Value,
    /// The line, counting through the blanking too.
    pub y: Value,
    /// High for the first active pixel of each frame.
    pub frame_start: Value,
}

/// The signature of [`Timing`] for a mode: every member an output.
#[derive(Clone, Debug)]
pub struct TimingSignature {
    mode: VideoMode,
}

impl TimingSignature {
    /// The timing outputs of `mode`.
    pub fn new(mode: &VideoMode) -> TimingSignature {
        TimingSignature { mode: *mode }
    }
}

impl Signature for TimingSignature {
    type Interface = Timing;

    fn build(&self, b: &mut Builder) -> Timing {
        Timing {
            hsync: b.output("hsync", unsigned(1)),
            vsync: b.output("vsync", unsigned(1)),
            de: b.output("de", unsigned(1)),
            x: b.output("x", unsigned(address_width(self.mode.h.total()))),
            y: b.output("y", unsigned(address_width(self.mode.v.total()))),
            frame_start: b.output("frame_start", unsigned(1)),
        }
    }
}

/// A timing generator for `mode` in the `sync` domain (the pixel clock): `x` and `y`
/// are registers; the other outputs are decoded from them in the same cycle.
pub fn timing_generator(mode: &VideoMode) -> Component<TimingSignature> {
    let mode = *mode;
    Component::build("video_timing", TimingSignature::new(&mode), move |m, t| {
        let (h, v) = (mode.h, mode.v);
        let line_end = t.x.is_eq(h.total() - 1);
        m.if_(&line_end, |m| {
            m.sync(t.x.eq(0u8));
            m.if_(t.y.is_eq(v.total() - 1), |m| m.sync(t.y.eq(0u8)))
                .else_(|m| m.sync(t.y.eq(t.y.wrapping_add(1u8))));
        })
        .else_(|m| m.sync(t.x.eq(t.x.wrapping_add(1u8))));
        let pulse = |pos: &Value, axis: Axis| {
            let inside = pos.ge(axis.sync_start()) & pos.lt(axis.sync_start() + axis.sync);
            if axis.sync_positive {
                inside
            } else {
                !inside
            }
        };
        m.comb([
            t.hsync.eq(pulse(&t.x, h)),
            t.vsync.eq(pulse(&t.y, v)),
            t.de.eq(t.x.lt(h.active) & t.y.lt(v.active)),
            t.frame_start.eq(t.x.is_eq(0u8) & t.y.is_eq(0u8)),
        ]);
    })
}

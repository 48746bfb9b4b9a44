//! Video timing: the counters and sync pulses of a display mode.
//!
//! A line is `active` pixels, then the front porch, the sync pulse and the back porch;
//! a frame is the same in lines. Pixel `(0, 0)` is the first active pixel of a frame.

use hdl_dsl::{address_width, unsigned, Builder, Component, Signature, Value};
pub use hdl_video::{Axis, VideoMode, HD_1280X720_60, SVGA_800X600_60, VGA_640X480_60};

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

//! A test picture for a display: eight colour bars and a box that moves every frame.

use hdl_dsl::{constant, mux, unsigned, Builder, Component, Signature, Value};

use crate::video_timing::VideoMode;

/// The bars' colours, left to right, as `[r, g, b]`: the classic order of decreasing
/// luminance.
pub const BARS: [[u8; 3]; 8] = [
    [255, 255, 255],
    [255, 255, 0],
    [0, 255, 255],
    [0, 255, 0],
    [255, 0, 255],
    [255, 0, 0],
    [0, 0, 255],
    [0, 0, 0],
];

/// The moving box: its side in pixels, its colour, and how far it moves per frame.
pub const BOX_SIDE: u32 = 64;
/// The box's colour.
pub const BOX_COLOUR: [u8; 3] = [255, 128, 0];
/// Pixels the box moves right and down each frame; it wraps around the screen.
pub const BOX_STEP: (u32, u32) = (8, 4);

/// The ports of a test pattern generator.
#[derive(Clone, Debug)]
pub struct PatternPorts {
    /// The column of the current pixel (from the timing generator).
    pub x: Value,
    /// The line of the current pixel.
    pub y: Value,
    /// Red.
    pub r: Value,
    /// Green.
    pub g: Value,
    /// Blue.
    pub b: Value,
}

/// The signature of [`PatternPorts`] for position counters of the given widths.
#[derive(Clone, Copy, Debug)]
pub struct PatternSignature {
    x_width: u32,
    y_width: u32,
}

impl Signature for PatternSignature {
    type Interface = PatternPorts;

    fn build(&self, b: &mut Builder) -> PatternPorts {
        PatternPorts {
            x: b.input("x", unsigned(self.x_width)),
            y: b.input("y", unsigned(self.y_width)),
            r: b.output("r", unsigned(8)),
            g: b.output("g", unsigned(8)),
            b: b.output("b", unsigned(8)),
        }
    }
}

/// Where the box's top-left corner is in frame `n` (frame 0 is the first after reset).
pub fn box_position(mode: &VideoMode, n: u64) -> (u32, u32) {
    let (w, h) = (mode.h.active - BOX_SIDE, mode.v.active - BOX_SIDE);
    ((n * BOX_STEP.0 as u64 % w as u64) as u32, (n * BOX_STEP.1 as u64 % h as u64) as u32)
}

/// The colour of pixel `(x, y)` of frame `n`, as `[r, g, b]`.
pub fn colour(mode: &VideoMode, n: u64, x: u32, y: u32) -> [u8; 3] {
    let (bx, by) = box_position(mode, n);
    if (bx..bx + BOX_SIDE).contains(&x) && (by..by + BOX_SIDE).contains(&y) {
        BOX_COLOUR
    } else {
        BARS[(x * 8 / mode.h.active) as usize]
    }
}

/// The active picture of frame `n`, line by line, as `[r, g, b]`: what a receiver of
/// the pattern must see.
pub fn frame(mode: &VideoMode, n: u64) -> Vec<[u8; 3]> {
    (0..mode.v.active)
        .flat_map(|y| (0..mode.h.active).map(move |x| colour(mode, n, x, y)))
        .collect()
}

/// The pattern generator for `mode`, in the `sync` domain: colour bars, and a box that
/// moves by [`BOX_STEP`] at the end of each frame's active video.
pub fn test_pattern(mode: &VideoMode) -> Component<PatternSignature> {
    let mode = *mode;
    let sig = PatternSignature {
        x_width: hdl_dsl::address_width(mode.h.total()),
        y_width: hdl_dsl::address_width(mode.v.total()),
    };
    Component::build("test_pattern", sig, move |m, p| {
        let (limit_x, limit_y) = (mode.h.active - BOX_SIDE, mode.v.active - BOX_SIDE);
        let bx = m.signal("box_x", unsigned(sig.x_width));
        let by = m.signal("box_y", unsigned(sig.y_width));
        // Move once per frame, on the first pixel after the active lines.
        m.if_(p.x.is_eq(0u8) & p.y.is_eq(mode.v.active), |m| {
            let step = |pos: &Value, step: u32, limit: u32| {
                let next = pos + step;
                mux(next.ge(limit), (&next - limit).trunc(pos.width()), next.trunc(pos.width()))
            };
            m.sync([bx.eq(step(&bx, BOX_STEP.0, limit_x)), by.eq(step(&by, BOX_STEP.1, limit_y))]);
        });
        let inside = p.x.ge(&bx) & p.x.lt(&bx + BOX_SIDE) & p.y.ge(&by) & p.y.lt(&by + BOX_SIDE);
        // The bar index: eight equal bars over the active width.
        let bar_width = mode.h.active / 8;
        let mut colour = BARS[0].map(|c| constant(c as i128, unsigned(8)));
        for (i, rgb) in BARS.iter().enumerate().skip(1) {
            let here = p.x.ge(i as u32 * bar_width);
            for c in 0..3 {
                colour[c] = mux(&here, rgb[c], colour[c].clone());
            }
        }
        let [r, g, b] = colour;
        m.comb([
            p.r.eq(mux(&inside, BOX_COLOUR[0], r)),
            p.g.eq(mux(&inside, BOX_COLOUR[1], g)),
            p.b.eq(mux(&inside, BOX_COLOUR[2], b)),
        ]);
    })
}

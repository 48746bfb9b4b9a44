//! A DVI transmitter for the ECP5: three TMDS channels and the clock channel, each
//! serialized ten bits per pixel through an `ODDRX1F` DDR output at five times the pixel
//! clock, onto the four differential pairs of an HDMI connector.

use hdl_dsl::{cat, constant, unsigned, Builder, Component, ResetKind, Signature, Value};

use crate::tmds::tmds_encoder;

/// The clock channel's symbol: five ones then five zeros, bit 0 sent first.
pub const CLOCK_SYMBOL: u16 = 0b00000_11111;

/// The ports of a DVI transmitter: a pixel in, four serial pairs out.
#[derive(Clone, Debug)]
pub struct DviPorts {
    /// Red, green and blue of the pixel (ignored while `de` is low).
    pub r: Value,
    /// Green.
    pub g: Value,
    /// Blue.
    pub b: Value,
    /// Horizontal sync, sent on the blue channel's C0.
    pub hsync: Value,
    /// Vertical sync, sent on the blue channel's C1.
    pub vsync: Value,
    /// Data enable: high on active pixels.
    pub de: Value,
    /// The bit clock: five times the pixel clock, from the same PLL, edges aligned.
    pub shift_clk: Value,
    /// The positive pins of the four pairs: 0 blue, 1 green, 2 red, 3 clock. On the
    /// ULX3S they are `gpdi_dp[3:0]`, with `IO_TYPE=LVCMOS33D` driving the negative pins.
    pub gpdi_dp: Value,
}

/// The signature of [`DviPorts`].
#[derive(Clone, Copy, Debug)]
pub struct DviSignature;

impl Signature for DviSignature {
    type Interface = DviPorts;

    fn build(&self, b: &mut Builder) -> DviPorts {
        DviPorts {
            r: b.input("r", unsigned(8)),
            g: b.input("g", unsigned(8)),
            b: b.input("b", unsigned(8)),
            hsync: b.input("hsync", unsigned(1)),
            vsync: b.input("vsync", unsigned(1)),
            de: b.input("de", unsigned(1)),
            shift_clk: b.input("shift_clk", unsigned(1)),
            gpdi_dp: b.output("gpdi_dp", unsigned(4)),
        }
    }
}

/// A DVI transmitter. The pixel clock is the `sync` domain (`clk`, `rst`); `shift_clk`
/// clocks the serializers. Each pixel's
/// symbols are loaded into shift registers once every five shift clocks and leave two
/// bits per clock, bit 0 first, through one `ODDRX1F` per pair (`D0` on the rising edge,
/// `D1` on the falling). `ddr_d0` and `ddr_d1` hold what each pair is given, for a
/// receiver model to read. Two pixel clocks of latency.
pub fn dvi_transmitter() -> Component<DviSignature> {
    Component::build("dvi_transmitter", DviSignature, |m, p| {
        m.domain("shift", &p.shift_clk, ResetKind::None, None);

        // TMDS in the pixel domain: blue carries the syncs.
        let mut symbols = Vec::new();
        for (name, data, c0, c1) in [
            ("blue", &p.b, p.hsync.clone(), p.vsync.clone()),
            ("green", &p.g, Value::from(false), Value::from(false)),
            ("red", &p.r, Value::from(false), Value::from(false)),
        ] {
            let enc = m.add(name, tmds_encoder());
            m.comb([enc.de.eq(&p.de), enc.data.eq(data), enc.c0.eq(c0), enc.c1.eq(c1)]);
            symbols.push(enc.q.clone());
        }
        symbols.push(constant(CLOCK_SYMBOL as i128, unsigned(10)));

        // Serialization in the shift domain: load every fifth clock, else shift by two.
        let phase = m.signal("phase", unsigned(3));
        let load = phase.is_eq(4u8);
        m.if_(&load, |m| m.sync_in("shift", phase.eq(0u8)))
            .else_(|m| m.sync_in("shift", phase.eq(phase.wrapping_add(1u8))));
        let mut first = Vec::new();
        let mut second = Vec::new();
        for (lane, symbol) in symbols.iter().enumerate() {
            let shifter = m.signal(format!("shift{lane}"), unsigned(10));
            m.if_(&load, |m| m.sync_in("shift", shifter.eq(symbol)))
                .else_(|m| m.sync_in("shift", shifter.eq(shifter.shr(2))));
            first.push(shifter.bit(0));
            second.push(shifter.bit(1));
        }
        let ddr_d0 = m.signal("ddr_d0", unsigned(4));
        let ddr_d1 = m.signal("ddr_d1", unsigned(4));
        m.comb([ddr_d0.eq(cat(first)), ddr_d1.eq(cat(second))]);
        for lane in 0..4 {
            m.instance("ODDRX1F", &format!("ddr{lane}"))
                .input("SCLK", &p.shift_clk)
                .input("RST", 0u8)
                .input("D0", ddr_d0.bit(lane))
                .input("D1", ddr_d1.bit(lane))
                .output("Q", &p.gpdi_dp.bit(lane));
        }
    })
}

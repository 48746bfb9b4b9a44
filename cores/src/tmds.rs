//! The TMDS encoder of DVI 1.0 (section 3.3): eight data bits become ten, with few
//! transitions and a running DC balance; during blanking, one of four control tokens.

use hdl_dsl::{cat, constant, mux, signed, unsigned, Builder, Component, Signature, Value};

/// The control tokens for `{C1, C0}` = 00, 01, 10, 11 (DVI 1.0, section 3.3.2), bit 0
/// sent first.
pub const CONTROL_TOKENS: [u16; 4] = [0b11_0101_0100, 0b00_1010_1011, 0b01_0101_0100, 0b10_1010_1011];

/// The ports of a TMDS encoder.
#[derive(Clone, Debug)]
pub struct TmdsPorts {
    /// Data enable: encode `data` when high, a control token when low.
    pub de: Value,
    /// The pixel's eight bits for this channel.
    pub data: Value,
    /// Control bit 0 (hsync on the blue channel).
    pub c0: Value,
    /// Control bit 1 (vsync on the blue channel).
    pub c1: Value,
    /// The ten-bit symbol, registered; bit 0 is sent first.
    pub q: Value,
}

/// The signature of [`TmdsPorts`].
#[derive(Clone, Copy, Debug)]
pub struct TmdsSignature;

impl Signature for TmdsSignature {
    type Interface = TmdsPorts;

    fn build(&self, b: &mut Builder) -> TmdsPorts {
        TmdsPorts {
            de: b.input("de", unsigned(1)),
            data: b.input("data", unsigned(8)),
            c0: b.input("c0", unsigned(1)),
            c1: b.input("c1", unsigned(1)),
            q: b.output("q", unsigned(10)),
        }
    }
}

/// The number of ones in `v`, added as a tree so the sum is no wider than it needs.
fn ones(v: &Value) -> Value {
    let mut level: Vec<Value> = (0..v.width()).map(|i| v.bit(i)).collect();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| if let [a, b] = p { a + b } else { p[0].clone() }).collect();
    }
    level.remove(0)
}

/// A TMDS encoder in the `sync` domain (the pixel clock): one symbol per cycle, out of a
/// register. Module `tmds_encoder`, ports `clk`, `rst`, `de`, `data`, `c0`, `c1`, `q`.
pub fn tmds_encoder() -> Component<TmdsSignature> {
    Component::build("tmds_encoder", TmdsSignature, |m, p| {
        // Stage 1: transition minimisation by an XOR or XNOR chain.
        let n1_data = ones(&p.data);
        let xnor = n1_data.gt(4u8) | (n1_data.is_eq(4u8) & !p.data.bit(0));
        let mut chain = vec![p.data.bit(0)];
        for i in 1..8 {
            let next = chain[i - 1].clone() ^ p.data.bit(i as u32) ^ &xnor;
            chain.push(next);
        }
        let qm_data = m.signal("qm_data", unsigned(8));
        let qm8 = m.signal("qm8", unsigned(1));
        m.comb([qm_data.eq(cat(chain)), qm8.eq(!&xnor)]);

        // Stage 2: DC balance. `cnt` is the running disparity (ones minus zeros) of the
        // symbols sent since blanking; `diff` that of q_m[7:0].
        let cnt = m.signal("cnt", signed(5));
        let n1 = ones(&qm_data);
        let diff = m.signal("diff", signed(5));
        m.comb(diff.eq((n1.shl(1).zext(6).as_signed() - constant(8, signed(5))).trunc(5)));
        let two_qm8 = cat([constant(0, unsigned(1)), qm8.clone()]).zext(5).as_signed();
        let two_not_qm8 = cat([constant(0, unsigned(1)), !&qm8]).zext(5).as_signed();
        let inverted = !&qm_data;

        m.if_(!&p.de, |m| {
            let token = mux(
                &p.c1,
                mux(&p.c0, CONTROL_TOKENS[3], CONTROL_TOKENS[2]),
                mux(&p.c0, CONTROL_TOKENS[1], CONTROL_TOKENS[0]),
            );
            m.sync([p.q.eq(token), cnt.eq(0u8)]);
        })
        .elif(cnt.is_eq(0u8) | diff.is_eq(0u8), |m| {
            m.sync(p.q.eq(cat([mux(&qm8, &qm_data, &inverted), qm8.clone(), !&qm8])));
            m.sync(cnt.eq(mux(&qm8, cnt.wrapping_add(&diff), cnt.wrapping_sub(&diff))));
        })
        .elif((cnt.gt(0u8) & diff.gt(0u8)) | (cnt.lt(0u8) & diff.lt(0u8)), |m| {
            m.sync(p.q.eq(cat([inverted.clone(), qm8.clone(), constant(1, unsigned(1))])));
            m.sync(cnt.eq(cnt.wrapping_add(&two_qm8).wrapping_sub(&diff)));
        })
        .else_(|m| {
            m.sync(p.q.eq(cat([qm_data.clone(), qm8.clone(), constant(0, unsigned(1))])));
            m.sync(cnt.eq(cnt.wrapping_sub(&two_not_qm8).wrapping_add(&diff)));
        });
    })
}

//! A double-buffered frame store: frames come in as a pixel stream in the `write`
//! domain, and a reader in the `read` domain takes the newest complete frame when it
//! starts one. No torn picture reaches the reader: the writer only ever writes the bank
//! the reader is not on, a frame only counts when every line had its width and every
//! line came, and once a frame is complete the writer drops frames until the reader
//! has taken it.

use hdl_dsl::stream::Stream;
use hdl_dsl::{address_width, mux, unsigned, Builder, Component, Interface, ResetKind, Shape, Signature, Value};

use crate::block_rom::BLOCK_WORDS;
use crate::cdc::synchronize;
use crate::ov7670::pixel_stream;

/// The ports of a frame buffer.
#[derive(Clone, Debug)]
pub struct FrameBufferPorts {
    /// Pixels in (`first` starts a frame, `last` ends a line), in `write`.
    pub i: Interface<Stream>,
    /// A one-cycle pulse in `write` when a frame is complete and kept.
    pub stored: Value,
    /// A one-cycle pulse in `write` when a frame ends unkept: damaged, or no bank free.
    pub dropped: Value,
    /// In `read`: a pulse that takes the newest complete frame for reading.
    pub take: Value,
    /// In `read`: whether a frame has been taken (before, `rdata` is meaningless).
    pub taken: Value,
    /// In `read`: the pixel to read, `y * width + x`.
    pub raddr: Value,
    /// In `read`: the pixel at `raddr` [`FRAME_BUFFER_LATENCY`] cycles before.
    pub rdata: Value,
}

/// The signature of [`FrameBufferPorts`] for `pixels` pixels a frame.
#[derive(Clone, Copy, Debug)]
pub struct FrameBufferSignature {
    pixels: u32,
}

impl Signature for FrameBufferSignature {
    type Interface = FrameBufferPorts;

    fn build(&self, b: &mut Builder) -> FrameBufferPorts {
        FrameBufferPorts {
            i: b.nest("i", &pixel_stream().flip()),
            stored: b.output("stored", unsigned(1)),
            dropped: b.output("dropped", unsigned(1)),
            take: b.input("take", unsigned(1)),
            taken: b.output("taken", unsigned(1)),
            raddr: b.input("raddr", unsigned(address_width(self.pixels))),
            rdata: b.output("rdata", unsigned(16)),
        }
    }
}

/// Cycles from the frame buffer's `raddr` to its `rdata`: the block RAM's read, a
/// register after each block, a register after the blocks' multiplexer.
pub const FRAME_BUFFER_LATENCY: u32 = 3;

/// A frame buffer of two `width` x `height` RGB565 banks in block RAM (a 160x120 pair
/// takes 38 DP16KD). Domains `write` and `read` enter through ports.
pub fn frame_buffer(width: u32, height: u32) -> Component<FrameBufferSignature> {
    let pixels = width * height;
    Component::build("frame_buffer", FrameBufferSignature { pixels }, move |m, p| {
        m.domain_from_ports("write", ResetKind::Sync);
        m.domain_from_ports("read", ResetKind::Sync);
        // Blocks of a DP16KD's 1024 words, each read through a register of its own before
        // the blocks' multiplexer (a block RAM's own output is slow), and a register
        // after it.
        let aw = address_width(2 * pixels);
        let low = address_width(BLOCK_WORDS).min(aw);
        let blocks = (2 * pixels).div_ceil(1 << low);
        let mems: Vec<_> = (0..blocks)
            .map(|k| m.memory(&format!("block{k}"), unsigned(16), 1 << low))
            .collect();
        // The block an address is in (always 0 when one block holds both banks).
        let block_of = move |a: &Value| if aw > low { a.slice(low..aw) } else { Value::from(false) };
        let block_bits = (aw - low).max(1);
        let at = |bank: &Value, index: &Value| mux(bank, (index + pixels).trunc(aw), index.zext(aw));

        // Bank handover: the reader's bank crosses to the writer, the newest complete
        // bank (and whether there is one) to the reader.
        let rbank = m.signal("rbank", unsigned(1));
        let (latest, have) = (m.signal("latest", unsigned(1)), m.signal("have", unsigned(1)));
        let reader_bank = synchronize(m, "rbank_w", "write", &rbank);
        let handover = synchronize(m, "latest_r", "read", &hdl_dsl::cat([latest.clone(), have.clone()]));

        // Write side: where this pixel goes, counting from a frame's first pixel.
        let i = &p.i;
        let (x, y) = (
            m.signal("x", Shape::for_unsigned(width as u128)),
            m.signal("y", Shape::for_unsigned(height as u128)),
        );
        let (good, wbank, pending) = (
            m.signal("good", unsigned(1)),
            m.signal("wbank", unsigned(1)),
            m.signal("pending", unsigned(1)),
        );
        let first = i.first.clone().expect("pixels have first");
        let last = i.last.clone().expect("pixels have last");
        let starting = &i.valid & &first;
        // A frame is written only if a bank is free when it starts: the one the reader
        // is not on.
        let bank_now = mux(&starting, !&reader_bank, &wbank);
        let good_now = mux(&starting, !&pending, &good);
        let x_now = mux(&starting, 0u8, &x);
        let y_now = mux(&starting, 0u8, &y);
        let inside = x_now.lt(width) & y_now.lt(height);
        // The pixel's index, counted rather than computed from x and y (no multiplier).
        let count = m.signal("count", unsigned(address_width(pixels)));
        let index = mux(&starting, 0u8, &count).trunc(count.width());
        m.if_(&i.valid & &inside, |m| m.sync_in("write", count.eq(index.wrapping_add(1u8))));
        let waddr = at(&bank_now, &index);
        m.comb(i.ready.eq(1u8));
        for (k, &mem) in mems.iter().enumerate() {
            let write = m.write_port(mem, "write");
            let here = block_of(&waddr).is_eq(k as u64);
            m.comb([
                write.en.eq(&i.valid & &good_now & &inside & here),
                write.addr.eq(waddr.slice(0..low)),
                write.data.eq(i.payload.value()),
            ]);
        }
        // The reader has taken the newest frame: its old bank is free again.
        m.if_(&pending & reader_bank.is_eq(&latest), |m| m.sync_in("write", pending.eq(0u8)));
        let (stored, dropped) = (p.stored.clone(), p.dropped.clone());
        m.if_(&i.valid, |m| {
            // A frame cut short by the next one is dropped.
            m.if_(&starting & &good, |m| m.comb(dropped.eq(1u8)));
            m.sync_in("write", wbank.eq(&bank_now));
            let line_ok = x_now.is_eq(width - 1);
            m.if_(&last, |m| {
                m.sync_in("write", [x.eq(0u8), y.eq((&y_now + 1u8).trunc(y.width()))]);
                m.if_(y_now.is_eq(height - 1), |m| {
                    m.if_(&good_now & &line_ok, |m| {
                        m.comb(stored.eq(1u8));
                        m.sync_in("write", [latest.eq(&bank_now), have.eq(1u8), pending.eq(1u8)]);
                    })
                    .else_(|m| m.comb(dropped.eq(1u8)));
                    m.sync_in("write", good.eq(0u8));
                })
                .else_(|m| m.sync_in("write", good.eq(&good_now & &line_ok)));
            })
            .else_(|m| {
                m.sync_in(
                    "write",
                    [
                        x.eq((&x_now + 1u8).trunc(x.width())),
                        y.eq(&y_now),
                        good.eq(&good_now & x_now.lt(width - 1)),
                    ],
                );
            });
        });

        // Read side.
        m.if_(&p.take & handover.bit(1), |m| {
            m.sync_in("read", [rbank.eq(handover.bit(0)), p.taken.eq(1u8)])
        });
        let raddr = at(&rbank, &p.raddr);
        let outs: Vec<Value> = mems
            .iter()
            .enumerate()
            .map(|(k, &mem)| {
                let read = m.read_port(mem, "read");
                m.comb([read.en.eq(1u8), read.addr.eq(raddr.slice(0..low))]);
                let out = m.signal(format!("block{k}_out"), unsigned(16));
                m.sync_in("read", out.eq(&read.data));
                out
            })
            .collect();
        let block = m.signal("read_block", unsigned(block_bits));
        let block_out = m.signal("read_block_out", unsigned(block_bits));
        m.sync_in("read", [block.eq(block_of(&raddr)), block_out.eq(&block)]);
        let rdata = m.signal("rdata_out", unsigned(16));
        m.sync_in("read", rdata.eq(hdl_dsl::cat(outs).word_select(&block_out, 16)));
        m.comb(p.rdata.eq(&rdata));
    })
}

//! A double-buffered frame store: frames come in as a pixel stream in the `write`
//! domain, and a reader in the `read` domain takes the newest complete frame when it
//! starts one. No torn picture reaches the reader: the writer only ever writes the bank
//! the reader is not on, a frame only counts when every line had its width and every
//! line came, and once a frame is complete the writer drops frames until the reader
//! has taken it.

use hdl_dsl::stream::Stream;
use hdl_dsl::{address_width, mux, unsigned, Builder, Component, Interface, Module, ResetKind, Shape, Signature, Value};

use crate::block_ram::{block_ram, BlockRead, BlockWrite, BLOCK_READ_LATENCY, BLOCK_WORDS};
use crate::cdc::synchronize;
use crate::ov7670::pixel_stream;

/// The ports of a frame buffer.
#[derive(Clone, Debug)]
pub struct FrameBufferPorts {
    /// The `write` domain's clock (the block RAMs' write clock pins need the signal).
    pub write_clk: Value,
    /// The `write` domain's synchronous reset.
    pub write_rst: Value,
    /// The `read` domain's clock.
    pub read_clk: Value,
    /// The `read` domain's synchronous reset.
    pub read_rst: Value,
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
            write_clk: b.input("write_clk", unsigned(1)),
            write_rst: b.input("write_rst", unsigned(1)),
            read_clk: b.input("read_clk", unsigned(1)),
            read_rst: b.input("read_rst", unsigned(1)),
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

/// Cycles from the frame buffer's `raddr` to its `rdata`: the address's register in its
/// bank, the block RAM's read through its output register, a register after each block,
/// one after each group of [`GROUP_BLOCKS`] blocks' multiplexer, one after the groups'.
pub const FRAME_BUFFER_LATENCY: u32 = BLOCK_READ_LATENCY + 4;

/// Blocks a read's first multiplexer picks among (a 38-block multiplexer in one cycle
/// is too slow at 137 MHz).
pub const GROUP_BLOCKS: u32 = 8;

/// A frame buffer of two `width` x `height` RGB565 banks in block RAM (a 160x120 pair
/// takes 38 DP16KD), written in domain `write` and read in `read`, whose clocks and
/// resets are ports.
pub fn frame_buffer(width: u32, height: u32) -> Component<FrameBufferSignature> {
    let pixels = width * height;
    Component::build("frame_buffer", FrameBufferSignature { pixels }, move |m, p| {
        m.domain("write", &p.write_clk, ResetKind::Sync, Some(&p.write_rst));
        m.domain("read", &p.read_clk, ResetKind::Sync, Some(&p.read_rst));
        // Blocks of a DP16KD's 1024 words, each read through a register of its own, then
        // picked in groups and among the groups, a register after each (nextpnr places
        // block RAMs far from their readers).
        let aw = address_width(2 * pixels);
        let low = address_width(BLOCK_WORDS).min(aw);
        let blocks = (2 * pixels).div_ceil(1 << low);
        // The block an address is in (always 0 when one block holds both banks).
        let block_of = move |a: &Value| if aw > low { a.slice(low..aw) } else { Value::from(false) };
        let block_bits = (aw - low).max(1);
        let at = |bank: &Value, index: &Value| mux(bank, (index + pixels).trunc(aw), index.zext(aw));

        // Bank handover: the reader's bank crosses to the writer, the newest complete
        // bank (and whether there is one) to the reader.
        let rbank = m.signal("rbank", unsigned(1));
        let (latest, have) = (m.signal("latest", unsigned(1)), m.signal("have", unsigned(1)));
        let reader_bank = synchronize(m, "rbank_w", "write", &rbank);
        // The reader learns of a frame once its last write has landed (the writes'
        // two registers below).
        let mut shown = hdl_dsl::cat([latest.clone(), have.clone()]);
        for stage in 0..2 {
            let next = m.signal(format!("shown{stage}"), unsigned(2));
            m.sync_in("write", next.eq(&shown));
            shown = next;
        }
        let handover = synchronize(m, "latest_r", "read", &shown);

        // Write side: the stream registered as it comes in (its source may be far), then
        // where each pixel goes, counting from a frame's first pixel.
        let i = &p.i;
        m.comb(i.ready.eq(1u8));
        let input = |m: &mut Module, name: &str, v: &Value| {
            let r = m.signal(format!("in_{name}"), unsigned(v.width()));
            m.sync_in("write", r.eq(v));
            r
        };
        let valid = input(m, "valid", &i.valid);
        let first = input(m, "first", i.first.as_ref().expect("pixels have first"));
        let last = input(m, "last", i.last.as_ref().expect("pixels have last"));
        let pixel = input(m, "pixel", &i.payload.value());
        let (x, y) = (
            m.signal("x", Shape::for_unsigned(width as u128)),
            m.signal("y", Shape::for_unsigned(height as u128)),
        );
        let (good, wbank, pending) = (
            m.signal("good", unsigned(1)),
            m.signal("wbank", unsigned(1)),
            m.signal("pending", unsigned(1)),
        );
        let starting = &valid & &first;
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
        m.if_(&valid & &inside, |m| m.sync_in("write", count.eq(index.wrapping_add(1u8))));
        // Each write goes through two registers: its address, then its block's enable
        // (the blocks lie far apart).
        let (write_ok, write_at) = (m.signal("write_ok", unsigned(1)), m.signal("write_at", unsigned(aw)));
        let (write_addr, write_data) = (m.signal("write_addr", unsigned(low)), m.signal("write_data", unsigned(16)));
        let write_pixel = m.signal("write_pixel", unsigned(16));
        m.sync_in(
            "write",
            [
                write_ok.eq(&valid & &good_now & &inside),
                write_at.eq(at(&bank_now, &index)),
                write_pixel.eq(&pixel),
                write_addr.eq(write_at.slice(0..low)),
                write_data.eq(&write_pixel),
            ],
        );
        let writes: Vec<BlockWrite> = (0..blocks)
            .map(|k| {
                let en = m.signal(format!("block{k}_write"), unsigned(1));
                m.sync_in("write", en.eq(&write_ok & block_of(&write_at).is_eq(u64::from(k))));
                BlockWrite {
                    clk: p.write_clk.clone(),
                    en,
                    addr: write_addr.clone(),
                    data: write_data.clone(),
                }
            })
            .collect();
        // The reader has taken the newest frame: its old bank is free again.
        m.if_(&pending & reader_bank.is_eq(&latest), |m| m.sync_in("write", pending.eq(0u8)));
        let (stored, dropped) = (p.stored.clone(), p.dropped.clone());
        m.if_(&valid, |m| {
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
        let raddr = m.signal("raddr_in_bank", unsigned(aw));
        m.sync_in("read", raddr.eq(at(&rbank, &p.raddr)));
        let read = BlockRead {
            clk: p.read_clk.clone(),
            addr: raddr.slice(0..low),
        };
        let outs: Vec<Value> = writes
            .iter()
            .enumerate()
            .map(|(k, write)| {
                let data = block_ram(m, &format!("block{k}"), 16, &read, Some(write), &[]);
                let out = m.signal(format!("block{k}_out"), unsigned(16));
                m.sync_in("read", out.eq(data));
                out
            })
            .collect();
        // The block a read is from, delayed to its word: its low bits pick within a
        // group of blocks, registered, its high bits among the groups.
        let mut block_at = block_of(&raddr);
        for stage in 0..=BLOCK_READ_LATENCY {
            let next = m.signal(format!("read_block{stage}"), unsigned(block_bits));
            m.sync_in("read", next.eq(&block_at));
            block_at = next;
        }
        let low_bits = GROUP_BLOCKS.trailing_zeros().min(block_bits);
        let groups: Vec<Value> = outs
            .chunks(GROUP_BLOCKS as usize)
            .enumerate()
            .map(|(g, blocks)| {
                let picked = m.signal(format!("group{g}_out"), unsigned(16));
                m.sync_in(
                    "read",
                    picked.eq(hdl_dsl::cat(blocks.to_vec()).word_select(block_at.slice(0..low_bits), 16)),
                );
                picked
            })
            .collect();
        let rdata = m.signal("rdata_out", unsigned(16));
        let group = if block_bits > low_bits {
            let group = m.signal("read_group", unsigned(block_bits - low_bits));
            m.sync_in("read", group.eq(block_at.slice(low_bits..block_bits)));
            group
        } else {
            Value::from(false)
        };
        m.sync_in("read", rdata.eq(hdl_dsl::cat(groups).word_select(group, 16)));
        m.comb(p.rdata.eq(&rdata));
    })
}

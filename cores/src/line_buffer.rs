//! Line buffers: the last lines of a picture kept in memory, for cores that look at a
//! neighbourhood of each pixel.
//!
//! - [`window_generator`]: a raster pixel stream in, a K x K window around every pixel
//!   out, in raster order, with zeros beyond the picture's edges. It makes the padding
//!   itself: after each line it takes K/2 columns of zeros, after each frame K/2 lines,
//!   holding the input back while it does.
//! - [`row_store`]: rows written at random and read K at a time, one column of K
//!   consecutive rows per read, for a consumer that reads each line many times (an
//!   upscaler reads each input line for several output lines).

use hdl_dsl::stream::{Pipe, StreamSignature};
use hdl_dsl::{address_width, cat, mux, signed, unsigned, Builder, Component, ResetKind, Shape, Signature, Value};

use crate::block_ram::{block_ram, BlockRead, BlockWrite, BLOCK_READ_LATENCY, BLOCK_WIDTH, BLOCK_WORDS};

/// A window generator's geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Pixels a line.
    pub width: u32,
    /// Lines a frame.
    pub height: u32,
    /// The window's side.
    pub k: u32,
    /// Bits a pixel (every channel together).
    pub pixel_bits: u32,
}

impl Window {
    /// Lines and columns of the window before its centre: `(k - 1) / 2`.
    pub fn before(&self) -> u32 {
        (self.k - 1) / 2
    }

    /// Lines and columns after it.
    pub fn after(&self) -> u32 {
        self.k - 1 - self.before()
    }

    /// The output stream: windows of `k * k` pixels, row by row from the top left, pixel
    /// `(dy, dx)` at bits `(dy * k + dx) * pixel_bits`; `first` on a frame's first
    /// window, `last` on each line's last.
    pub fn output(&self) -> StreamSignature {
        StreamSignature::new(unsigned(self.k * self.k * self.pixel_bits))
            .with_first()
            .with_last()
    }
}

/// A window generator: pixels in raster order in (`width * height` a frame, no
/// markers), a window around each out, in `sync`. Positions outside the picture read
/// zero. `k - 1` lines of `width` pixels are kept in memories (block RAM when they are
/// large).
pub fn window_generator(window: Window) -> Component<Pipe> {
    let Window {
        width,
        height,
        k,
        pixel_bits,
    } = window;
    let pipe = Pipe {
        i: StreamSignature::new(unsigned(pixel_bits)),
        o: window.output(),
    };
    Component::build("window_generator", pipe, move |m, p| {
        let (i, o) = (&p.i, &p.o);
        let after = window.after();
        // The grid of positions: the picture, plus `after` columns and lines of zeros.
        let (grid_w, grid_h) = (width + after, height + after);
        let px = m.signal("px", Shape::for_unsigned(u128::from(grid_w)));
        let py = m.signal("py", Shape::for_unsigned(u128::from(grid_h)));
        let real = px.lt(width) & py.lt(height);

        // Stage A issues a position (taking a pixel if it is in the picture), stage B
        // shifts the window; nothing moves while the window waits for the sink.
        let o_first = o.first.clone().expect("windows have first");
        let o_last = o.last.clone().expect("windows have last");
        let stall = &o.valid & !&o.ready;
        let issue = !&stall & (!&real | &i.valid);
        m.comb(i.ready.eq(!&stall & &real));
        m.if_(&issue, |m| {
            let end_of_line = px.is_eq(u64::from(grid_w - 1));
            m.if_(&end_of_line, |m| {
                m.sync(px.eq(0u8));
                m.if_(py.is_eq(u64::from(grid_h - 1)), |m| m.sync(py.eq(0u8)))
                    .else_(|m| m.sync(py.eq(py.wrapping_add(1u8))));
            })
            .else_(|m| m.sync(px.eq(px.wrapping_add(1u8))));
        });

        // Stage B's position and pixel.
        let b_valid = m.signal("b_valid", unsigned(1));
        let (bx, by) = (m.signal("bx", px.shape()), m.signal("by", py.shape()));
        let b_pixel = m.signal("b_pixel", unsigned(pixel_bits));
        m.if_(!&stall, |m| {
            m.sync([
                b_valid.eq(&issue),
                bx.eq(&px),
                by.eq(&py),
                b_pixel.eq(mux(&real, i.payload.value(), 0u8)),
            ])
        });

        // The lines above: memory `j` holds line `y - 1 - j` of the column being read.
        let cw = address_width(width);
        let mut column = vec![b_pixel.clone()];
        let mut previous = b_pixel.clone();
        for j in 0..k - 1 {
            let mem = m.memory(&format!("line{j}"), unsigned(pixel_bits), width);
            let read = m.read_port(mem, "sync");
            m.comb([read.addr.eq(px.trunc(cw.min(px.width())).zext(cw)), read.en.eq(!&stall)]);
            let write = m.write_port(mem, "sync");
            m.comb([
                write.en.eq(&b_valid & !&stall & bx.lt(width)),
                write.addr.eq(bx.trunc(cw.min(bx.width())).zext(cw)),
                write.data.eq(&previous),
            ]);
            // Zero above the picture and right of it.
            let inside = by.gt(j) & bx.lt(width);
            let above = mux(&inside, &read.data, 0u8).trunc(pixel_bits);
            column.push(above.clone());
            previous = above;
        }
        // `column[0]` is the bottom row; the window's rows run from the top.
        column.reverse();

        // The window: shift in the new column on the right; at a line's start the
        // columns left of the picture are zero.
        let cells: Vec<Vec<Value>> = (0..k)
            .map(|dy| (0..k).map(|dx| m.signal(format!("w{dy}_{dx}"), unsigned(pixel_bits))).collect())
            .collect();
        let line_start = bx.is_eq(0u8);
        m.if_(&b_valid & !&stall, |m| {
            for dy in 0..k as usize {
                for dx in 0..k as usize {
                    let next = if dx + 1 == k as usize {
                        column[dy].clone()
                    } else {
                        mux(&line_start, 0u8, &cells[dy][dx + 1]).trunc(pixel_bits)
                    };
                    m.sync(cells[dy][dx].eq(next));
                }
            }
        });
        let emit = &b_valid & bx.ge(after) & by.ge(after);
        m.if_(!&stall, |m| {
            m.sync([
                o.valid.eq(&emit),
                o_first.eq(bx.is_eq(u64::from(after)) & by.is_eq(u64::from(after))),
                o_last.eq(bx.is_eq(u64::from(grid_w - 1))),
            ])
        });
        m.comb(o.payload.value().eq(cat(cells.into_iter().flatten())));
    })
}

/// A row store's geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowStore {
    /// Pixels a row.
    pub width: u32,
    /// Rows in the picture: rows at or beyond it read zero.
    pub height: u32,
    /// Bits a pixel.
    pub pixel_bits: u32,
    /// Rows read together.
    pub ports: u32,
    /// Rows kept: a power of two, at least `ports`; row `r` lives in slot `r mod rows`.
    pub rows: u32,
}

impl RowStore {
    /// The `DP16KD` blocks it takes: per slot, one per 1024 columns and 18 bits of a
    /// pixel.
    pub fn block_rams(&self) -> u32 {
        self.rows * self.width.div_ceil(BLOCK_WORDS) * self.pixel_bits.div_ceil(BLOCK_WIDTH)
    }
}

/// Cycles from a row store's read address to its data: the address's register (nextpnr
/// places block RAMs far from what drives them), the block RAM's read through its output
/// register, a register after each slot, the register after the slots' multiplexer.
pub const ROW_STORE_LATENCY: u32 = BLOCK_READ_LATENCY + 3;

/// The ports of a row store, in `sync`.
#[derive(Clone, Debug)]
pub struct RowStorePorts {
    /// The clock of `sync` (the block RAMs' clock pins need the signal itself).
    pub clk: Value,
    /// Write `w_data` at column `w_col` of slot `w_slot`; a read given a cycle later or
    /// more sees it.
    pub w_en: Value,
    /// The slot written: the row's number modulo `rows`.
    pub w_slot: Value,
    /// The column written.
    pub w_col: Value,
    /// The pixel written.
    pub w_data: Value,
    /// The first row read: signed, may lie above the picture.
    pub r_top: Value,
    /// The column read: signed, may lie left or right of the picture.
    pub r_col: Value,
    /// Column `r_col` of rows `r_top` to `r_top + ports - 1`, row `r_top` in the low
    /// bits, zero where outside the picture, [`ROW_STORE_LATENCY`] cycles after.
    pub r_data: Value,
}

impl Signature for RowStore {
    type Interface = RowStorePorts;

    fn build(&self, b: &mut Builder) -> RowStorePorts {
        let rw = Shape::for_unsigned(u128::from(self.height)).width;
        let cw = Shape::for_unsigned(u128::from(self.width)).width;
        RowStorePorts {
            clk: b.input("clk", unsigned(1)),
            w_en: b.input("w_en", unsigned(1)),
            w_slot: b.input("w_slot", unsigned(self.rows.trailing_zeros().max(1))),
            w_col: b.input("w_col", unsigned(address_width(self.width))),
            w_data: b.input("w_data", unsigned(self.pixel_bits)),
            r_top: b.input("r_top", signed(rw + 1)),
            r_col: b.input("r_col", signed(cw + 1)),
            r_data: b.output("r_data", unsigned(self.ports * self.pixel_bits)),
        }
    }
}

/// A row store: `rows` memories of `width` pixels, one per slot, each read through the
/// port whose row it holds; a slot is a [`block_ram`] per 1024 columns and 18 bits of a
/// pixel.
///
/// # Panics
/// When `rows` is not a power of two at least `ports`: the geometry is the caller's to
/// choose, not the user's.
pub fn row_store(store: RowStore) -> Component<RowStore> {
    assert!(
        store.rows.is_power_of_two() && store.rows >= store.ports && store.ports > 0,
        "a row store keeps a power of two of rows, at least as many as it reads: {store:?}"
    );
    Component::build("row_store", store, move |m, p| {
        let RowStore {
            width,
            height,
            pixel_bits,
            ports,
            rows,
        } = store;
        m.domain("sync", &p.clk, ResetKind::None, None);
        let slot_bits = rows.trailing_zeros();
        let cw = address_width(width);
        let (r_top, r_col) = (m.delayed("r_top_at", &p.r_top, 1), m.delayed("r_col_at", &p.r_col, 1));
        let col = r_col.trunc(cw.min(r_col.width())).as_unsigned().zext(cw);
        let col_inside = r_col.ge(0u8) & r_col.lt(width);
        let low = cw.min(address_width(BLOCK_WORDS));
        let (chunks, lanes) = (width.div_ceil(BLOCK_WORDS), pixel_bits.div_ceil(BLOCK_WIDTH));
        debug_assert_eq!(rows * chunks * lanes, store.block_rams());
        let chunk_of = |c: &Value| if cw > low { c.slice(low..cw) } else { Value::from(false) };
        let read = BlockRead {
            clk: p.clk.clone(),
            addr: col.slice(0..low),
        };
        // The chunk of columns a read is from, known when its word is.
        let chunk_read = (chunks > 1).then(|| m.delayed("chunk_at", &chunk_of(&col), BLOCK_READ_LATENCY));
        // Writes are registered before the block RAMs too, and land a cycle later.
        let (w_col, w_data) = (m.delayed("w_col_at", &p.w_col, 1), m.delayed("w_data_at", &p.w_data, 1));
        let mut slots = Vec::with_capacity(rows as usize);
        for s in 0..rows {
            let slot_of_write = if slot_bits == 0 {
                Value::from(true)
            } else {
                p.w_slot.is_eq(u64::from(s))
            };
            let words: Vec<Value> = (0..chunks)
                .map(|c| {
                    let lanes = (0..lanes).map(|l| {
                        let bits = l * BLOCK_WIDTH..(pixel_bits.min((l + 1) * BLOCK_WIDTH));
                        let name = format!("slot{s}_{c}_{l}");
                        let en = &p.w_en & &slot_of_write & chunk_of(&p.w_col).is_eq(u64::from(c));
                        let write = BlockWrite {
                            clk: p.clk.clone(),
                            en: m.delayed(&format!("{name}_write"), &en, 1),
                            addr: w_col.trunc(low),
                            data: w_data.slice(bits.clone()),
                        };
                        block_ram(m, &name, bits.len() as u32, &read, Some(&write), &[])
                    });
                    cat(lanes.collect::<Vec<_>>())
                })
                .collect();
            let last = words.len() - 1;
            let word = words[..last].iter().enumerate().rev().fold(words[last].clone(), |rest, (c, w)| {
                mux(chunk_read.as_ref().expect("several chunks").is_eq(c as u64), w, rest)
            });
            slots.push(m.delayed(&format!("slot{s}_out"), &word, 1));
        }
        let mut out = Vec::with_capacity(ports as usize);
        for j in 0..ports {
            let row = (&r_top + j).trunc(r_top.width() + 1);
            let inside = row.ge(0u8) & row.lt(height) & &col_inside;
            let (slot, keep) = (
                m.signal(format!("slot_of{j}"), unsigned(slot_bits.max(1))),
                m.signal(format!("inside{j}"), unsigned(1)),
            );
            m.sync([slot.eq(row.as_unsigned().trunc(slot_bits.max(1))), keep.eq(inside)]);
            let (slot, keep) = (
                m.delayed(&format!("slot_of{j}_out"), &slot, BLOCK_READ_LATENCY),
                m.delayed(&format!("inside{j}_out"), &keep, BLOCK_READ_LATENCY),
            );
            let last = slots.len() - 1;
            let picked = slots[..last]
                .iter()
                .enumerate()
                .rev()
                .fold(slots[last].clone(), |rest, (s, data)| mux(slot.is_eq(s as u64), data, rest));
            let data = m.signal(format!("data{j}"), unsigned(pixel_bits));
            m.sync(data.eq(mux(&keep, picked, 0u8).trunc(pixel_bits)));
            out.push(data);
        }
        m.comb(p.r_data.eq(cat(out)));
    })
}

//! The OV7670 camera: register tables, the configurator that plays them over SCCB, and
//! the capture that turns its byte stream into RGB565 pixels. The sampling domain of the
//! clocked capture is called `write` (it feeds an asynchronous FIFO's write side).

use hdl_dsl::stream::{Stream, StreamSignature};
use hdl_dsl::{address_width, cat, mux, unsigned, Builder, Component, Module, ResetKind, Shape, Signature, Value};

use crate::cdc::{async_fifo, synchronizer};
use crate::pixel::rgb565;
use crate::sccb::sccb_master;

/// One step of a register table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    /// Write `value` to `register`, and read it back when verifying.
    Write(u8, u8),
    /// Write without reading back (a register that changes by itself, such as the
    /// reset bit of COM7).
    WriteOnly(u8, u8),
    /// Wait this many milliseconds.
    DelayMs(u16),
}

// Register values below are from the OV7670 datasheet's register table and the widely
// used register lists of the ComputerNerd and LiveOV7670 projects (as collected in this
// project's hardware facts); the Linux driver (drivers/media/i2c/ov7670.c) has the same
// window settings.

/// Reset, then RGB565 output with full range and PCLK held during horizontal blank.
const RGB565_COMMON: [Step; 5] = [
    Step::WriteOnly(0x12, 0x80), // COM7: reset every register
    Step::DelayMs(2),            // the reset needs at least 1 ms
    Step::Write(0x12, 0x04),     // COM7: RGB output
    Step::Write(0x40, 0xd0),     // COM15: RGB565, output range 00-FF
    Step::Write(0x15, 0x00),     // COM10: PCLK free-running (a PCLK clock domain needs it)
];

/// RGB565 at VGA (640x480): the sensor's full window, no scaling.
pub const VGA_RGB565: &[Step] = &RGB565_COMMON;

/// RGB565 at QVGA (320x240): scaling enabled, PCLK divided by 2, window set to match.
pub const QVGA_RGB565: &[Step] = &downscaled(0x19, 0x11, 0xf1, 0x24);

/// RGB565 at QQVGA (160x120): as QVGA, downsampled by 4.
pub const QQVGA_RGB565: &[Step] = &downscaled(0x1a, 0x22, 0xf2, 0xa4);

/// The common steps, then downsampling with these COM14, SCALING_DCWCTR,
/// SCALING_PCLK_DIV and HREF values and the window the two scaled modes share.
const fn downscaled(com14: u8, dcwctr: u8, pclk_div: u8, href: u8) -> [Step; 15] {
    let c = RGB565_COMMON;
    [
        c[0],
        c[1],
        c[2],
        c[3],
        c[4],
        Step::Write(0x0c, 0x04),     // COM3: scaling enabled
        Step::Write(0x3e, com14),    // COM14: PCLK divider, manual scaling
        Step::Write(0x72, dcwctr),   // SCALING_DCWCTR: downsampling both ways
        Step::Write(0x73, pclk_div), // SCALING_PCLK_DIV
        Step::Write(0x17, 0x16),     // HSTART
        Step::Write(0x18, 0x04),     // HSTOP
        Step::Write(0x32, href),     // HREF edge offsets
        Step::Write(0x19, 0x02),     // VSTART
        Step::Write(0x1a, 0x7a),     // VSTOP
        Step::Write(0x03, 0x0a),     // VREF
    ]
}

/// The picture settings of the Linux driver's default register table
/// (`drivers/media/i2c/ov7670.c`, `ov7670_default_regs`, unchanged from v4 to v6.8):
/// window, gamma curve, automatic exposure, gain and white balance with their limits,
/// black level, de-noise, edge enhancement and the banding filter, in the driver's order
/// (its COM7 reset comes first in [`tuned_rgb565`]). Registers written twice keep their
/// last value.
pub const LINUX_DEFAULTS: [(u8, u8); 156] = [
    (0x11, 0x01),
    (0x3a, 0x04),
    (0x12, 0x00),
    (0x17, 0x13),
    (0x18, 0x01),
    (0x32, 0xb6),
    (0x19, 0x02),
    (0x1a, 0x7a),
    (0x03, 0x0a),
    (0x0c, 0x00),
    (0x3e, 0x00),
    (0x70, 0x3a),
    (0x71, 0x35),
    (0x72, 0x11),
    (0x73, 0xf0),
    (0xa2, 0x02),
    (0x15, 0x00),
    (0x7a, 0x20),
    (0x7b, 0x10),
    (0x7c, 0x1e),
    (0x7d, 0x35),
    (0x7e, 0x5a),
    (0x7f, 0x69),
    (0x80, 0x76),
    (0x81, 0x80),
    (0x82, 0x88),
    (0x83, 0x8f),
    (0x84, 0x96),
    (0x85, 0xa3),
    (0x86, 0xaf),
    (0x87, 0xc4),
    (0x88, 0xd7),
    (0x89, 0xe8),
    (0x13, 0xe0),
    (0x00, 0x00),
    (0x10, 0x00),
    (0x0d, 0x40),
    (0x14, 0x18),
    (0xa5, 0x05),
    (0xab, 0x07),
    (0x24, 0x95),
    (0x25, 0x33),
    (0x26, 0xe3),
    (0x9f, 0x78),
    (0xa0, 0x68),
    (0xa1, 0x03),
    (0xa6, 0xd8),
    (0xa7, 0xd8),
    (0xa8, 0xf0),
    (0xa9, 0x90),
    (0xaa, 0x94),
    (0x13, 0xe5),
    (0x0e, 0x61),
    (0x0f, 0x4b),
    (0x16, 0x02),
    (0x1e, 0x07),
    (0x21, 0x02),
    (0x22, 0x91),
    (0x29, 0x07),
    (0x33, 0x0b),
    (0x35, 0x0b),
    (0x37, 0x1d),
    (0x38, 0x71),
    (0x39, 0x2a),
    (0x3c, 0x78),
    (0x4d, 0x40),
    (0x4e, 0x20),
    (0x69, 0x00),
    (0x6b, 0x4a),
    (0x74, 0x10),
    (0x8d, 0x4f),
    (0x8e, 0x00),
    (0x8f, 0x00),
    (0x90, 0x00),
    (0x91, 0x00),
    (0x96, 0x00),
    (0x9a, 0x00),
    (0xb0, 0x84),
    (0xb1, 0x0c),
    (0xb2, 0x0e),
    (0xb3, 0x82),
    (0xb8, 0x0a),
    (0x43, 0x0a),
    (0x44, 0xf0),
    (0x45, 0x34),
    (0x46, 0x58),
    (0x47, 0x28),
    (0x48, 0x3a),
    (0x59, 0x88),
    (0x5a, 0x88),
    (0x5b, 0x44),
    (0x5c, 0x67),
    (0x5d, 0x49),
    (0x5e, 0x0e),
    (0x6c, 0x0a),
    (0x6d, 0x55),
    (0x6e, 0x11),
    (0x6f, 0x9f),
    (0x6a, 0x40),
    (0x01, 0x40),
    (0x02, 0x60),
    (0x13, 0xe7),
    (0x4f, 0x80),
    (0x50, 0x80),
    (0x51, 0x00),
    (0x52, 0x22),
    (0x53, 0x5e),
    (0x54, 0x80),
    (0x58, 0x9e),
    (0x41, 0x08),
    (0x3f, 0x00),
    (0x75, 0x05),
    (0x76, 0xe1),
    (0x4c, 0x00),
    (0x77, 0x01),
    (0x3d, 0xc3),
    (0x4b, 0x09),
    (0xc9, 0x60),
    (0x41, 0x38),
    (0x56, 0x40),
    (0x34, 0x11),
    (0x3b, 0x12),
    (0xa4, 0x88),
    (0x96, 0x00),
    (0x97, 0x30),
    (0x98, 0x20),
    (0x99, 0x30),
    (0x9a, 0x84),
    (0x9b, 0x29),
    (0x9c, 0x03),
    (0x9d, 0x4c),
    (0x9e, 0x3f),
    (0x78, 0x04),
    (0x79, 0x01),
    (0xc8, 0xf0),
    (0x79, 0x0f),
    (0xc8, 0x00),
    (0x79, 0x10),
    (0xc8, 0x7e),
    (0x79, 0x0a),
    (0xc8, 0x80),
    (0x79, 0x0b),
    (0xc8, 0x01),
    (0x79, 0x0c),
    (0xc8, 0x0f),
    (0x79, 0x0d),
    (0xc8, 0x20),
    (0x79, 0x09),
    (0xc8, 0x80),
    (0x79, 0x02),
    (0xc8, 0xc0),
    (0x79, 0x03),
    (0xc8, 0x40),
    (0x79, 0x05),
    (0xc8, 0x30),
    (0x79, 0x26),
];

/// RGB565 as the Linux driver sets it (`ov7670_fmt_rgb565` and its colour matrix, the
/// signs in MTXS 0x58 over the default table's top bits), but with the full output range
/// 00-FF (COM15 0xD0 instead of 0x10), which the fixed-point model's input assumes.
pub const RGB565_FORMAT: [(u8, u8); 13] = [
    (0x12, 0x04), // COM7: RGB
    (0x8c, 0x00), // RGB444 off
    (0x04, 0x00), // COM1
    (0x40, 0xd0), // COM15: RGB565, 00-FF
    (0x14, 0x38), // COM9: gain ceiling 16x
    (0x4f, 0xb3), // MTX1..MTX6: 179, -179, 0, -61, -176, 228
    (0x50, 0xb3),
    (0x51, 0x00),
    (0x52, 0x3d),
    (0x53, 0xb0),
    (0x54, 0xe4),
    (0x58, 0x9a), // MTXS: MTX2, MTX4 and MTX5 negative
    (0x3d, 0xc0), // COM13: gamma, UV saturation automatic
];

/// The sensor's clock for a 25 MHz XCLK: internal clock = XCLK (CLKRC 0x00) and the
/// PLL bypassed (DBLV 0x0A), 30 frames a second. The driver's 0x01 and 0x4A assume its
/// own XCLK; at 25 MHz they would run the sensor at 50 MHz.
pub const CLOCK_25MHZ: [(u8, u8); 2] = [(0x11, 0x00), (0x6b, 0x0a)];

/// Registers the camera changes by itself, which a read-back cannot check: the gains
/// and exposure under automatic control (GAIN, BLUE, RED, VREF's gain bits, AECH, COM1's
/// exposure bits, GGAIN) and the indirect pair 0x79/0xC8.
pub const SELF_CHANGING: [u8; 9] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x6a, 0x79, 0xc8];

/// A table that gives a good picture on a real camera: COM7 reset and the driver's 5 ms,
/// the Linux driver's picture settings ([`LINUX_DEFAULTS`]), the sensor clock for a
/// 25 MHz XCLK, RGB565 with the driver's colour matrix, then the format and window
/// writes of `window` (one of [`VGA_RGB565`], [`QVGA_RGB565`], [`QQVGA_RGB565`], whose
/// own reset is left out). Only the last write of each register is read back, and none
/// of those the camera changes by itself ([`SELF_CHANGING`]).
pub fn tuned_rgb565(window: &[Step]) -> Vec<Step> {
    let reset = [Step::WriteOnly(0x12, 0x80), Step::DelayMs(5)];
    let writes = LINUX_DEFAULTS
        .iter()
        .chain(&CLOCK_25MHZ)
        .chain(&RGB565_FORMAT)
        .map(|&(r, v)| Step::Write(r, v));
    let own = window
        .iter()
        .copied()
        .filter(|s| !matches!(s, Step::WriteOnly(0x12, _) | Step::DelayMs(_)));
    let table: Vec<Step> = reset.into_iter().chain(writes).chain(own).collect();
    let last_write = |r: u8| {
        table
            .iter()
            .rposition(|s| matches!(s, Step::Write(reg, _) | Step::WriteOnly(reg, _) if *reg == r))
    };
    table
        .iter()
        .enumerate()
        .map(|(i, &s)| match s {
            Step::Write(r, v) if SELF_CHANGING.contains(&r) || last_write(r) != Some(i) => Step::WriteOnly(r, v),
            s => s,
        })
        .collect()
}

/// The camera's control pins and the configurator's verdict.
#[derive(Clone, Debug)]
pub struct ConfigPorts {
    /// SIO_C.
    pub sio_c: Value,
    /// Pull SIO_D low.
    pub sio_d_oe: Value,
    /// The SIO_D line.
    pub sio_d_i: Value,
    /// High once the table has been played (and verified).
    pub done: Value,
    /// High (with `done`) if the camera did not acknowledge, or a register read back
    /// differs from what was written.
    pub error: Value,
}

/// The signature of [`ConfigPorts`].
#[derive(Clone, Copy, Debug)]
pub struct ConfigSignature;

impl Signature for ConfigSignature {
    type Interface = ConfigPorts;

    fn build(&self, b: &mut Builder) -> ConfigPorts {
        ConfigPorts {
            sio_c: b.output("sio_c", unsigned(1)),
            sio_d_oe: b.output("sio_d_oe", unsigned(1)),
            sio_d_i: b.input("sio_d_i", unsigned(1)),
            done: b.output("done", unsigned(1)),
            error: b.output("error", unsigned(1)),
        }
    }
}

/// How the configurator plays a table.
#[derive(Clone, Copy, Debug)]
pub struct ConfigOptions {
    /// The system clock.
    pub clk_hz: u64,
    /// The SIO_C rate.
    pub scl_hz: u64,
    /// A pause after every write, in microseconds.
    pub write_gap_us: u32,
    /// Read every [`Step::Write`] back afterwards and compare.
    pub verify: bool,
}

impl ConfigOptions {
    /// 100 kHz SCCB, a 10 µs pause after each write, verification on.
    pub fn new(clk_hz: u64) -> ConfigOptions {
        ConfigOptions {
            clk_hz,
            scl_hz: 100_000,
            write_gap_us: 10,
            verify: true,
        }
    }
}

/// A configurator in the `sync` domain: after reset it plays `table` from a ROM through
/// an SCCB master, then (if asked) reads every written register back.
pub fn configurator(table: &[Step], options: ConfigOptions) -> Component<ConfigSignature> {
    // ROM words: {kind, register, value}; kind 0 write-and-verify, 1 write only,
    // 2 delay (value = register:value as milliseconds).
    let words: Vec<i128> = table
        .iter()
        .map(|s| match *s {
            Step::Write(r, v) => (r as i128) << 8 | v as i128,
            Step::WriteOnly(r, v) => 1 << 16 | (r as i128) << 8 | v as i128,
            Step::DelayMs(ms) => 2 << 16 | ms as i128,
        })
        .collect();
    let len = words.len().max(1) as u32;
    let cycles_per_ms = options.clk_hz / 1000;
    let gap = options.clk_hz * options.write_gap_us as u64 / 1_000_000;
    Component::build("ov7670_config", ConfigSignature, move |m, p| {
        let rom = m.memory_init("steps", unsigned(18), len, words.clone());
        let entry = m.async_read_port(rom);
        let index = m.signal("index", Shape::for_unsigned(len as u128));
        m.comb(entry.addr.eq(index.trunc(address_width(len))));
        let (kind, reg, value) = (entry.data.slice(16..18), entry.data.slice(8..16), entry.data.slice(0..8));

        let sccb = m.add("sccb", sccb_master(options.clk_hz, options.scl_hz));
        m.comb([p.sio_c.eq(&sccb.sio_c), p.sio_d_oe.eq(&sccb.sio_d_oe), sccb.sio_d_i.eq(&p.sio_d_i)]);
        m.comb([sccb.address.eq(&reg), sccb.data.eq(&value)]);
        let verifying = m.signal("verifying", unsigned(1));
        m.comb(sccb.read.eq(&verifying));
        let wait = m.signal("countdown", unsigned(40));
        let (done, error) = (p.done.clone(), p.error.clone());

        let fsm = m.fsm("player");
        m.state(fsm, "NEXT", |m| {
            m.if_(index.is_eq(len), |m| {
                m.if_(hdl_dsl::Value::from(options.verify) & !&verifying, |m| {
                    m.sync([verifying.eq(1u8), index.eq(0u8)]);
                })
                .else_(|m| m.next(fsm, "DONE"));
            })
            .elif(kind.is_eq(2u8), |m| {
                m.if_(!&verifying, |m| {
                    m.sync(wait.eq(cat([value.clone(), reg.clone()]) * cycles_per_ms));
                    m.next(fsm, "WAIT");
                })
                .else_(|m| m.sync(index.eq(index.wrapping_add(1u8))));
            })
            .elif(&verifying & kind.is_eq(1u8), |m| m.sync(index.eq(index.wrapping_add(1u8))))
            .else_(|m| m.next(fsm, "SEND"));
        });
        // The master ignores a start while busy: wait for it to be idle.
        m.state(fsm, "SEND", |m| {
            m.if_(!&sccb.busy, |m| {
                m.comb(sccb.start.eq(1u8));
                m.next(fsm, "BUSY");
            });
        });
        m.state(fsm, "BUSY", |m| {
            m.if_(&sccb.done, |m| {
                m.if_(&sccb.nack | (&verifying & sccb.rdata.is_ne(&value)), |m| m.sync(error.eq(1u8)));
                m.sync([index.eq(index.wrapping_add(1u8)), wait.eq(gap)]);
                m.next(fsm, "WAIT");
            });
        });
        m.state(fsm, "WAIT", |m| {
            m.if_(wait.is_eq(0u8), |m| m.next(fsm, "NEXT"))
                .else_(|m| m.sync(wait.eq(wait.wrapping_sub(1u8))));
        });
        m.state(fsm, "DONE", |m| m.sync(done.eq(1u8)));
        // A delay entry moves on once its wait is over.
        m.if_(fsm.ongoing("WAIT") & wait.is_eq(0u8) & kind.is_eq(2u8) & !&verifying, |m| {
            m.sync(index.eq(index.wrapping_add(1u8)))
        });
    })
}

/// The camera's pixel pins.
#[derive(Clone, Debug)]
pub struct CameraPins {
    /// PCLK: a clock for [`capture_clocked`], data for [`capture_oversampled`].
    pub pclk: Value,
    /// VSYNC: high during vertical sync.
    pub vsync: Value,
    /// HREF: high while a line's bytes come.
    pub href: Value,
    /// D\[7:0\].
    pub d: Value,
}

/// The pins of a capture and its RGB565 pixel stream in the `sync` domain: `first` marks
/// the first pixel of a frame, `last` the last of a line.
#[derive(Clone, Debug)]
pub struct CapturePorts {
    /// The pins.
    pub pins: CameraPins,
    /// The pixels.
    pub o: hdl_dsl::Interface<Stream>,
    /// High for one cycle when a pixel had to be dropped because `o` was not ready.
    pub overflow: Value,
    /// The column of the pixel on `o`, counted from the frame's first pixel.
    pub x: Value,
    /// The row of the pixel on `o`.
    pub y: Value,
}

/// The signature of [`CapturePorts`].
#[derive(Clone, Copy, Debug)]
pub struct CaptureSignature;

/// The pixel stream a capture makes: RGB565 with frame and line markers.
pub fn pixel_stream() -> StreamSignature {
    StreamSignature::new(rgb565()).with_first().with_last()
}

impl Signature for CaptureSignature {
    type Interface = CapturePorts;

    fn build(&self, b: &mut Builder) -> CapturePorts {
        CapturePorts {
            pins: CameraPins {
                pclk: b.input("pclk", unsigned(1)),
                vsync: b.input("vsync", unsigned(1)),
                href: b.input("href", unsigned(1)),
                d: b.input("d", unsigned(8)),
            },
            o: b.nest("o", &pixel_stream()),
            overflow: b.output("overflow", unsigned(1)),
            x: b.output("x", unsigned(10)),
            y: b.output("y", unsigned(9)),
        }
    }
}

/// The camera's pins as seen in the capturing domain: `strobe` marks the cycles that
/// carry a PCLK rising edge.
struct Sampled {
    strobe: Value,
    vsync: Value,
    href: Value,
    d: Value,
}

/// Pixels from bytes. Waits for a VSYNC before the first frame, pairs bytes (first
/// R4..0 G5..3, then G2..0 B4..0), holds each pixel until it knows whether the line goes
/// on, so the line's last pixel is marked, and drops a half pixel at a line's end.
fn assemble(m: &mut Module, domain: &str, pins: &Sampled, o: &Stream, overflow: &Value) {
    let Sampled { strobe, vsync, href, d } = pins;
    let reg = |m: &mut Module, name: &str, w: u32| m.signal(name, unsigned(w));
    let (synced, first_pending, half, byte0) = (
        reg(m, "synced", 1),
        reg(m, "first_pending", 1),
        reg(m, "half", 1),
        reg(m, "byte0", 8),
    );
    let (held, held_valid, held_first, prev_href) = (
        reg(m, "held", 16),
        reg(m, "held_valid", 1),
        reg(m, "held_first", 1),
        reg(m, "prev_href", 1),
    );
    let emit = m.signal("emit", unsigned(1));
    let emit_last = m.signal("emit_last", unsigned(1));
    let sync = |m: &mut Module, s: Vec<hdl_dsl::Statement>| m.sync_in(domain, s);
    // VSYNC and the end of a line are seen whether or not PCLK pulses, so a PCLK that
    // stops in the horizontal blank (COM10 bit 5) is fine when PCLK is data.
    sync(m, vec![prev_href.eq(href)]);
    m.if_(vsync, |m| {
        sync(m, vec![synced.eq(1u8), first_pending.eq(1u8), half.eq(0u8), held_valid.eq(0u8)]);
    })
    .elif(href, |m| {
        m.if_(strobe, |m| {
            m.if_(&half, |m| {
                m.comb([emit.eq(&held_valid), emit_last.eq(0u8)]);
                sync(
                    m,
                    vec![
                        held.eq(cat([d.clone(), byte0.clone()])),
                        held_valid.eq(&synced),
                        held_first.eq(&first_pending),
                    ],
                );
                m.if_(&synced, |m| sync(m, vec![first_pending.eq(0u8)]));
            })
            .else_(|m| sync(m, vec![byte0.eq(d)]));
            sync(m, vec![half.eq(!&half)]);
        });
    })
    .elif(&prev_href, |m| {
        m.comb([emit.eq(&held_valid), emit_last.eq(1u8)]);
        sync(m, vec![held_valid.eq(0u8), half.eq(0u8)]);
    });
    // The output register: a pixel waits there until taken; one that finds it still
    // waiting is dropped.
    m.comb(overflow.eq(&emit & &o.valid & !&o.ready));
    m.if_(&emit & !(&o.valid & !&o.ready), |m| {
        let pix = rgb565().view(&held);
        let mut s = o.payload.eq(&pix);
        s.push(o.valid.eq(1u8));
        s.push(o.first.as_ref().expect("the pixel stream has first").eq(&held_first));
        s.push(o.last.as_ref().expect("the pixel stream has last").eq(&emit_last));
        sync(m, s);
    })
    .elif(o.transfer(), |m| sync(m, vec![o.valid.eq(0u8)]));
}

/// The position of the pixel on `o` (in `domain`, where `o` is): 0, 0 at a frame's first
/// pixel, the next row after a line's last.
fn count_position(m: &mut Module, domain: &str, o: &Stream, x: &Value, y: &Value) {
    let (first, last) = (
        o.first.clone().expect("the pixel stream has first"),
        o.last.clone().expect("the pixel stream has last"),
    );
    let (next_x, next_y) = (m.signal("next_x", x.shape()), m.signal("next_y", y.shape()));
    m.comb([x.eq(mux(&first, 0u8, &next_x)), y.eq(mux(&first, 0u8, &next_y))]);
    m.if_(o.transfer(), |m| {
        m.if_(&last, |m| m.sync_in(domain, [next_x.eq(0u8), next_y.eq(y.wrapping_add(1u8))]))
            .else_(|m| m.sync_in(domain, [next_x.eq(x.wrapping_add(1u8)), next_y.eq(y)]));
    });
}

/// Captures with PCLK as a clock: the pins are sampled in a `write` domain clocked by
/// the `pclk` input, and an asynchronous FIFO of `fifo_depth` pixels carries them into
/// the `read` domain (ports `read_clk`, `read_rst`: the system clock), where `o` is. Use
/// it when PCLK enters on a clock-capable pin. PCLK must run through the horizontal blank
/// (COM10 bit 5 clear, as the shipped tables leave it): a line's end is seen on a PCLK
/// edge.
pub fn capture_clocked(fifo_depth: u32) -> Component<CaptureSignature> {
    Component::build("ov7670_capture", CaptureSignature, move |m, p| {
        m.domain_from_ports("read", ResetKind::Sync);
        m.domain("write", &p.pins.pclk, ResetKind::None, None);
        let stream = m.interface_signals("captured", &pixel_stream());
        let pins = Sampled {
            strobe: Value::from(true),
            vsync: p.pins.vsync.clone(),
            href: p.pins.href.clone(),
            d: p.pins.d.clone(),
        };
        assemble(m, "write", &pins, &stream, &p.overflow);
        let fifo = m.add("fifo", async_fifo(&pixel_stream(), fifo_depth));
        m.connect(&stream, &fifo.i);
        m.connect(&fifo.o, &p.o.flipped());
        count_position(m, "read", &p.o, &p.x, &p.y);
    })
}

/// Captures with PCLK as data: every pin passes two synchronizer registers in `sync`, and
/// a rising PCLK seen there samples the others, which arrive just as late. The system
/// clock must run at least four times PCLK. Use it when PCLK is not on a clock pin. PCLK
/// may stop while HREF is low (COM10 bit 5).
pub fn capture_oversampled() -> Component<CaptureSignature> {
    Component::build("ov7670_capture_oversampled", CaptureSignature, |m, p| {
        let pins = cat([p.pins.pclk.clone(), p.pins.vsync.clone(), p.pins.href.clone(), p.pins.d.clone()]);
        let sync = m.add("pins_sync", synchronizer(pins.width()));
        m.comb(sync.i.eq(&pins));
        let s = sync.o.clone();
        let (pclk, vsync, href, d) = (s.bit(0), s.bit(1), s.bit(2), s.slice(3..11));
        let last_pclk = m.signal("last_pclk", unsigned(1));
        m.sync(last_pclk.eq(&pclk));
        let pins = Sampled {
            strobe: &pclk & !&last_pclk,
            vsync,
            href,
            d,
        };
        assemble(m, "sync", &pins, &p.o, &p.overflow);
        count_position(m, "sync", &p.o, &p.x, &p.y);
    })
}

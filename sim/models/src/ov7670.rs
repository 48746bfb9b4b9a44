//! An OV7670 camera beside a design: an SCCB slave with the camera's register file, and
//! a pixel source that plays an image with the camera's RGB565 timing.
//!
//! **Control.** The slave watches the SIO_C pin and the SIO_D pad each system clock and
//! pulls SIO_D low through the pad as the camera does (the pad is the wired AND of the
//! design's drive, the camera's and the pull-up): it acknowledges every phase (the OV7670 drives the ninth
//! bit low), records every write, answers reads, and resets its registers on a COM7
//! reset. It also measures the bus: the shortest SIO_C period and the shortest start
//! hold and stop set-up times.
//!
//! **Pixels.** Each frame is VSYNC high for some lines, blank lines, then one HREF pulse
//! per row carrying two bytes per pixel (R4..0 G5..3, then G2..0 B4..0), then blank
//! lines. The window follows the register file: 640x480, divided by the downsampling
//! rates of SCALING_DCWCTR (0x72) when COM3 (0x0C) enables it. COM10 (0x15) bit 5 stops
//! PCLK while HREF is low when the camera makes PCLK from XCLK ([`Pclk::Xclk`]; a PCLK
//! the testbench times cannot be stopped); the polarity bits of COM10 are not modelled. Real timing uses the datasheet's VGA line of 784 pixel times (1568 PCLK) and 510
//! lines (3 of VSYNC, 17 before the rows, 10 after); [`Timing::Compressed`] keeps the
//! order of events with short blanks, for fast simulation. Bytes change on PCLK's falling
//! edge when the camera makes PCLK, after its rising edge when the testbench does, so
//! they are stable at the next rising edge.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use hdl_sim::SimError;
use hdl_sim::{Domain, Model, Pad, Signal, Simulator};
use hdl_video::{rgb565, Picture};

/// The blanking the pixel source uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Timing {
    /// The datasheet's VGA frame: 1568 PCLK a line, 510 lines.
    Real,
    /// 16 PCLK of blank a line, 1 line of VSYNC, 2 blank lines before and after.
    Compressed,
}

/// A fault to inject.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    /// Frame `frame` ends (VSYNC comes) after `rows` rows.
    TruncateFrame {
        /// Which frame (0 is the first).
        frame: u64,
        /// Rows sent.
        rows: u32,
    },
    /// In frame `frame`, after row `row`, HREF pulses for four PCLK in the blank.
    HrefGlitch {
        /// Which frame.
        frame: u64,
        /// After which row.
        row: u32,
    },
    /// Writes to `register` are not acknowledged.
    Nack {
        /// The register.
        register: u8,
    },
    /// PCLK stops for `periods` periods after `after_pclks` (only when PCLK is data).
    PclkStop {
        /// PCLK periods before it stops.
        after_pclks: u64,
        /// How long it stops.
        periods: u64,
    },
}

/// An image in RGB565, row by row.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Image {
    /// Pixels a row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Pixels, RGB565.
    pub pixels: Vec<u16>,
}

impl Image {
    /// An 8-bit RGB PNG quantised to RGB565 (the top bits of each channel).
    pub fn from_png(path: &Path) -> Result<Image, SimError> {
        let picture = Picture::read_png(path).map_err(|e| SimError::Io {
            path: e.path,
            message: format!("cannot read the camera's picture: {}", e.message),
        })?;
        Ok(Image::from_picture(&picture))
    }

    /// A picture quantised to RGB565 (the top bits of each channel).
    pub fn from_picture(picture: &Picture) -> Image {
        Image {
            width: picture.width as u32,
            height: picture.height as u32,
            pixels: picture.pixels.iter().map(|&p| rgb565::pack(p)).collect(),
        }
    }
}

/// The OV7670's registers after power-on or a COM7 reset (datasheet register table);
/// only those with a non-zero default that a reader may check are listed.
fn default_registers() -> [u8; 256] {
    let mut r = [0u8; 256];
    for (reg, value) in [
        (0x0a, 0x76),
        (0x0b, 0x73),
        (0x1c, 0x7f),
        (0x1d, 0xa2),
        (0x11, 0x80),
        (0x3e, 0x00),
        (0x72, 0x11),
        (0x73, 0x00),
    ] {
        r[reg] = value;
    }
    r
}

/// What the bus looked like: the shortest times seen, in picoseconds.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BusTiming {
    /// Shortest time between two rising edges of SIO_C.
    pub min_clock_period_ps: u64,
    /// Shortest time from SIO_D falling (start) to SIO_C falling.
    pub min_start_hold_ps: u64,
    /// Shortest time from SIO_C rising to SIO_D rising (stop).
    pub min_stop_setup_ps: u64,
    /// Starts seen.
    pub starts: u64,
}

/// The camera's state shared with the testbench.
struct Camera {
    registers: [u8; 256],
    writes: Vec<(u8, u8)>,
    faults: Vec<Fault>,
    timing: BusTiming,
    frames: u64,
}

/// A handle on the camera for the testbench.
#[derive(Clone)]
pub struct CameraHandle {
    camera: Rc<RefCell<Camera>>,
}

impl CameraHandle {
    /// The register file.
    pub fn registers(&self) -> [u8; 256] {
        self.camera.borrow().registers
    }

    /// Every register write, in order.
    pub fn writes(&self) -> Vec<(u8, u8)> {
        self.camera.borrow().writes.clone()
    }

    /// The bus timing measured so far.
    pub fn bus_timing(&self) -> BusTiming {
        self.camera.borrow().timing
    }

    /// How many frames the pixel source has finished.
    pub fn frames_sent(&self) -> u64 {
        self.camera.borrow().frames
    }

    /// Adds a fault.
    pub fn inject(&self, fault: Fault) {
        self.camera.borrow_mut().faults.push(fault);
    }
}

/// The SCCB slave half.
struct Slave {
    camera: Rc<RefCell<Camera>>,
    sio_c: Signal,
    sio_d: Pad,
    last_c: bool,
    last_line: bool,
    /// Pulling SIO_D low ourselves.
    pull: bool,
    /// In a transmission: bits shifted in, bit count in the phase, phases done.
    active: bool,
    shift: u8,
    bit: u32,
    phases: Vec<u8>,
    /// The register address set by the last 2-phase write.
    address: u8,
    /// In a read transmission, the byte being sent.
    sending: Option<u8>,
    last_rise: Option<u64>,
    start_at: Option<u64>,
}

impl Slave {
    fn ack(&self) -> bool {
        // Acknowledge unless the phase just received is the data of a write to a
        // register that must not be acknowledged.
        let c = self.camera.borrow();
        let nacked = |r: u8| c.faults.contains(&Fault::Nack { register: r });
        !(self.phases.len() == 3 && self.phases[0] == 0x42 && nacked(self.phases[1]))
    }

    fn stop(&mut self) {
        let mut c = self.camera.borrow_mut();
        match self.phases.as_slice() {
            [0x42, reg, value] => {
                c.writes.push((*reg, *value));
                if *reg == 0x12 && value & 0x80 != 0 {
                    c.registers = default_registers();
                } else {
                    c.registers[*reg as usize] = *value;
                }
            }
            [0x42, reg] => self.address = *reg,
            _ => {}
        }
        self.active = false;
        self.sending = None;
    }
}

impl Model for Slave {
    fn tick(&mut self, sim: &mut Simulator) {
        let now = sim.time_ps();
        let c = sim.get(self.sio_c) == 1;
        let line = sim.get(self.sio_d.line) == 1;
        if c && self.last_c && self.last_line && !line {
            // Start.
            self.active = true;
            self.shift = 0;
            self.bit = 0;
            self.phases.clear();
            self.sending = None;
            self.start_at = Some(now);
            self.camera.borrow_mut().timing.starts += 1;
        } else if c && self.last_c && !self.last_line && line {
            // Stop: the time since SIO_C rose is its set-up.
            if let Some(rise) = self.last_rise {
                let mut cam = self.camera.borrow_mut();
                let t = &mut cam.timing.min_stop_setup_ps;
                *t = if *t == 0 { now - rise } else { (*t).min(now - rise) };
            }
            self.stop();
        } else if c && !self.last_c {
            if let Some(prev) = self.last_rise {
                let mut cam = self.camera.borrow_mut();
                let t = &mut cam.timing.min_clock_period_ps;
                *t = if *t == 0 { now - prev } else { (*t).min(now - prev) };
            }
            self.last_rise = Some(now);
            if self.active && self.bit < 8 {
                self.shift = self.shift << 1 | line as u8;
            }
        } else if !c && self.last_c && self.active {
            if let Some(start) = self.start_at.take() {
                let mut cam = self.camera.borrow_mut();
                let t = &mut cam.timing.min_start_hold_ps;
                *t = if *t == 0 { now - start } else { (*t).min(now - start) };
            } else {
                // A bit has ended: decide what the slave drives next.
                self.bit += 1;
                if self.bit == 8 {
                    let byte = match self.sending {
                        Some(_) => None,
                        None => Some(self.shift),
                    };
                    if let Some(b) = byte {
                        self.phases.push(b);
                    }
                    // Our ninth bit: acknowledge a received phase; after a sent byte the
                    // master answers.
                    self.pull = byte.is_some() && self.ack();
                } else if self.bit == 9 {
                    self.bit = 0;
                    self.shift = 0;
                    self.pull = false;
                    if self.phases == [0x43] && self.sending.is_none() {
                        let value = self.camera.borrow().registers[self.address as usize];
                        self.sending = Some(value);
                    } else if self.sending.is_some() {
                        self.sending = Some(0xff);
                    }
                }
                if let (Some(v), true) = (self.sending, self.bit < 8) {
                    self.pull = (v >> (7 - self.bit)) & 1 == 0;
                }
            }
        }
        self.last_c = c;
        sim.set(self.sio_d.outside, !self.pull as u64)
            .expect("a pad's outside drive is settable");
        self.last_line = sim.get(self.sio_d.line) == 1;
    }
}

/// Where the pixel source is in its frame.
struct Source {
    camera: Rc<RefCell<Camera>>,
    /// The pictures, played in turn, one a frame.
    images: Vec<Image>,
    timing: Timing,
    vsync: Signal,
    href: Signal,
    d: Signal,
    line: u32,
    col: u32,
    frame: u64,
    glitch_at: Option<u32>,
    /// The HREF being driven.
    href_now: bool,
}

impl Source {
    /// The picture size: VGA, downsampled as COM3 and SCALING_DCWCTR say (datasheet:
    /// COM3 bit 2 enables downsampling; DCWCTR bits 1:0 and 5:4 are the horizontal and
    /// vertical rates, 1, 2, 4 or 8).
    fn window(&self) -> (u32, u32) {
        let registers = &self.camera.borrow().registers;
        if registers[0x0c] & 0x04 == 0 {
            return (640, 480);
        }
        let dcw = registers[0x72];
        (640 >> (dcw & 3), 480 >> ((dcw >> 4) & 3))
    }

    /// Lines of VSYNC, blank lines before the rows, after them, and PCLKs a line.
    fn blanking(&self, width: u32) -> (u32, u32, u32, u32) {
        match self.timing {
            Timing::Real => (3, 17, 10, 1568),
            Timing::Compressed => (1, 2, 2, 2 * width + 16),
        }
    }

    /// The pins for the next PCLK period, and the move to the one after.
    fn advance(&mut self) -> (bool, bool, u8) {
        let (width, height) = self.window();
        let (vs, before, after, line_len) = self.blanking(width);
        // Borrowed, not cloned: this runs every PCLK.
        let rows = self
            .camera
            .borrow()
            .faults
            .iter()
            .find_map(|f| match *f {
                Fault::TruncateFrame { frame, rows } if frame == self.frame => Some(rows.min(height)),
                _ => None,
            })
            .unwrap_or(height);
        let total = vs + before + rows + after;
        let vsync = self.line < vs;
        let row = self.line.checked_sub(vs + before).filter(|&r| r < rows);
        let (mut href, mut d) = (false, 0u8);
        if let Some(r) = row {
            if self.col < 2 * width {
                href = true;
                let (x, y) = (self.col / 2, r);
                let image = &self.images[(self.frame % self.images.len() as u64) as usize];
                let pixel = if x < image.width && y < image.height {
                    image.pixels[(y * image.width + x) as usize]
                } else {
                    0
                };
                d = if self.col.is_multiple_of(2) {
                    (pixel >> 8) as u8
                } else {
                    pixel as u8
                };
            } else if self.glitch_at == Some(r) && (2 * width + 4..2 * width + 8).contains(&self.col) {
                // Four bytes of HREF where there should be none: two stray pixels.
                href = true;
                d = 0x5a;
            }
        }
        // `>=`: a window made smaller by a register write ends the line or frame under way.
        self.col += 1;
        if self.col >= line_len {
            self.col = 0;
            self.line += 1;
            if self.line >= total {
                self.line = 0;
                self.frame += 1;
                let mut camera = self.camera.borrow_mut();
                camera.frames += 1;
                self.glitch_at = camera.faults.iter().find_map(|f| match *f {
                    Fault::HrefGlitch { frame, row } if frame == self.frame => Some(row),
                    _ => None,
                });
            }
        }
        (vsync, href, d)
    }

    fn drive(&mut self, sim: &mut Simulator) {
        let (vsync, href, d) = self.advance();
        self.href_now = href;
        for (s, v) in [(self.vsync, vsync as u64), (self.href, href as u64), (self.d, d as u64)] {
            sim.set(s, v).expect("camera pins are inputs of the design");
        }
    }
}

/// The pixel source with PCLK as the clock of a domain.
struct ClockedSource(Source);

impl Model for ClockedSource {
    fn tick(&mut self, sim: &mut Simulator) {
        self.0.drive(sim);
    }
}

/// The pixel source on XCLK, making PCLK on an input of the design.
struct XclkSource {
    source: Source,
    pclk: Signal,
    /// XCLK edges since PCLK last changed.
    count: u64,
    level: bool,
    pclks: u64,
}

impl Model for XclkSource {
    fn tick(&mut self, sim: &mut Simulator) {
        self.count += 1;
        if self.count < xclks_per_half_pclk(&self.source.camera.borrow().registers) {
            return;
        }
        self.count = 0;
        let stopped = self.source.camera.borrow().faults.iter().any(|f| match *f {
            Fault::PclkStop { after_pclks, periods } => (after_pclks..after_pclks + periods).contains(&self.pclks),
            _ => false,
        });
        if stopped {
            if !self.level {
                self.pclks += 1;
            }
            self.level = !self.level;
            return;
        }
        self.level = !self.level;
        // COM10 bit 5: no PCLK pulses while HREF is low.
        let gated = self.source.camera.borrow().registers[0x15] & 0x20 != 0 && !self.source.href_now;
        sim.set(self.pclk, (self.level && !gated) as u64)
            .expect("PCLK is an input of the design");
        if !self.level {
            // Falling edge: the next byte.
            self.pclks += 1;
            self.source.drive(sim);
        }
    }
}

/// The camera's control pins on the top module, by name.
#[derive(Clone, Copy, Debug)]
pub struct SccbPins<'a> {
    /// SIO_C: an output of the top.
    pub sio_c: &'a str,
    /// SIO_D: an inout port of the top on a `BB` pad (see [`Simulator::pad`]). The
    /// camera pulls it low through the pad to acknowledge and to send the bits of a
    /// read; the pull-up holds it high otherwise.
    pub sio_d: &'a str,
}

/// The camera's pixel pins in the design, by name (all design inputs).
#[derive(Clone, Copy, Debug)]
pub struct PixelPins<'a> {
    /// VSYNC.
    pub vsync: &'a str,
    /// HREF.
    pub href: &'a str,
    /// D\[7:0\].
    pub d: &'a str,
}

/// How the camera is clocked, and how its PCLK reaches the design.
#[derive(Clone, Copy, Debug)]
pub enum Pclk<'a> {
    /// As the clock of this domain, at the period the testbench sets: a PCLK that has
    /// no phase relation to any clock of the design.
    Domain(Domain),
    /// From the pins, as on the board: the camera runs on the clock the design puts on
    /// its output `xclk` (a clock input passed through, or a PLL's output) and drives
    /// PCLK on the design's input `pclk`, which may clock a domain or be sampled as data.
    /// PCLK toggles on rising edges of XCLK, every CLKRC\[5:0\]+1 of them (every one
    /// when CLKRC bit 6 selects the external clock directly), so PCLK runs at XCLK /
    /// (2 (CLKRC\[5:0\]+1)): half of what the data sheet's formula gives for the
    /// internal clock, as the part measures (a 12 MHz XCLK at the power-on CLKRC gives
    /// a 6 MHz PCLK). The DBLV PLL is not modelled. The data pins change on PCLK's
    /// falling edge, half a period before the edge that samples them.
    Xclk {
        /// The XCLK output of the design.
        xclk: &'a str,
        /// The PCLK input of the design.
        pclk: &'a str,
    },
}

/// XCLK rising edges per half period of PCLK, as CLKRC (0x11) sets it.
fn xclks_per_half_pclk(registers: &[u8; 256]) -> u64 {
    let clkrc = registers[0x11];
    if clkrc & 0x40 != 0 {
        1
    } else {
        u64::from(clkrc & 0x3f) + 1
    }
}

impl CameraHandle {
    /// A camera with its registers at their power-on values.
    pub fn new() -> CameraHandle {
        CameraHandle {
            camera: Rc::new(RefCell::new(Camera {
                registers: default_registers(),
                writes: Vec::new(),
                faults: Vec::new(),
                timing: BusTiming::default(),
                frames: 0,
            })),
        }
    }

    /// Sets a register directly, as if written over SCCB (without recording a write).
    pub fn set_register(&self, register: u8, value: u8) {
        self.camera.borrow_mut().registers[register as usize] = value;
    }

    /// Connects the SCCB slave to the top's SIO_C and SIO_D pins, watching them every
    /// cycle of `system` (the domain clocking the master).
    pub fn attach_sccb(&self, sim: &mut Simulator, system: Domain, pins: SccbPins) -> Result<(), SimError> {
        let slave = Slave {
            camera: self.camera.clone(),
            sio_c: sim.signal(pins.sio_c)?,
            sio_d: sim.pad(pins.sio_d)?,
            last_c: true,
            last_line: true,
            pull: false,
            active: false,
            shift: 0,
            bit: 0,
            phases: Vec::new(),
            address: 0,
            sending: None,
            last_rise: None,
            start_at: None,
        };
        sim.add_model(system, slave);
        Ok(())
    }

    /// Plays `images` on the design's pixel pins, one a frame, in turn, with PCLK as
    /// `pclk` says.
    pub fn attach_pixels(
        &self,
        sim: &mut Simulator,
        pins: PixelPins,
        pclk: Pclk,
        images: Vec<Image>,
        timing: Timing,
    ) -> Result<(), SimError> {
        if images.is_empty() {
            return Err(SimError::Io {
                path: "(camera images)".into(),
                message: "the camera needs at least one picture to play".into(),
            });
        }
        let source = Source {
            camera: self.camera.clone(),
            images,
            timing,
            vsync: sim.signal(pins.vsync)?,
            href: sim.signal(pins.href)?,
            d: sim.signal(pins.d)?,
            line: 0,
            col: 0,
            frame: 0,
            glitch_at: None,
            href_now: false,
        };
        match pclk {
            Pclk::Domain(d) => sim.add_model(d, ClockedSource(source)),
            Pclk::Xclk { xclk, pclk } => {
                let xclk = sim.clock(sim.signal(xclk)?)?;
                let pclk = sim.signal(pclk)?;
                // A PCLK that clocks a domain is the camera's to drive, not the testbench's.
                if let Ok(clock) = sim.clock(pclk) {
                    sim.take_clock(clock)?;
                }
                sim.add_model(
                    xclk,
                    XclkSource {
                        source,
                        pclk,
                        count: 0,
                        level: false,
                        pclks: 0,
                    },
                );
            }
        }
        Ok(())
    }
}

impl Default for CameraHandle {
    fn default() -> CameraHandle {
        CameraHandle::new()
    }
}

//! The engine as its tests and benchmarks simulate it: behind the frame buffer, with
//! the clocks as inputs, in hdl-sim or, for whole frames, under Verilator with the C++
//! testbench here.

use hdl_cores::frame_buffer::frame_buffer;
use hdl_cores::ov7670::pixel_stream;
use hdl_dsl::{unsigned, Module, Signature};

use super::{engine, read_frame_buffer, EngineError, EngineRequest};

/// The engine behind a frame buffer, with the clocks and resets as inputs: ports
/// `compute_clk`, `compute_rst`, `pixel_clk`, `pixel_rst`, `nearest`, the pixel stream
/// `i` (written into the frame buffer on the compute clock), and the engine's outputs
/// `de`, `hsync`, `vsync`, `r`, `g`, `b` and `late`.
pub fn top(request: &EngineRequest) -> Result<Module, EngineError> {
    let (_, component) = engine(request)?;
    let input = request.input;
    let mut m = Module::new("engine_top");
    let [cclk, crst, pclk, prst, nearest] =
        ["compute_clk", "compute_rst", "pixel_clk", "pixel_rst", "nearest"].map(|n| m.input(n, unsigned(1)));
    let i = m.interface("i", &pixel_stream().flip());
    let fb = m.add("fb", frame_buffer(input.0, input.1));
    m.comb([
        fb.write_clk.eq(&cclk),
        fb.write_rst.eq(&crst),
        fb.read_clk.eq(&cclk),
        fb.read_rst.eq(&crst),
    ]);
    let (first, last) = (i.first.as_ref().unwrap(), i.last.as_ref().unwrap());
    m.comb([
        fb.i.valid.eq(&i.valid),
        fb.i.payload.value().eq(i.payload.value()),
        fb.i.first.as_ref().unwrap().eq(first),
        fb.i.last.as_ref().unwrap().eq(last),
        i.ready.eq(&fb.i.ready),
    ]);
    let e = m.add("engine", component);
    m.comb([
        e.compute_clk.eq(&cclk),
        e.compute_rst.eq(&crst),
        e.pixel_clk.eq(&pclk),
        e.pixel_rst.eq(&prst),
        e.nearest.eq(&nearest),
    ]);
    read_frame_buffer(&mut m, &e, &fb);
    for (name, v) in [
        ("de", &e.de),
        ("hsync", &e.hsync),
        ("vsync", &e.vsync),
        ("r", &e.r),
        ("g", &e.g),
        ("b", &e.b),
        ("late", &e.late),
    ] {
        let out = m.output(name, v.shape());
        m.comb(out.eq(v));
    }
    Ok(m)
}

/// A clock's period in picoseconds, to the nearest: 9600 for 104.17 MHz.
pub fn period_ps(hz: u64) -> u64 {
    (1e12 / hz as f64).round() as u64
}

/// A C++ `main` for `hdl_testkit::verilator::Harness` driving [`top`]'s Verilog, run as
/// `main PICTURE NEAREST PIXEL_CLOCKS OUT COMPUTE_PS PIXEL_PS`: it reads the picture
/// ([`verilator_picture`]), holds `nearest` at NEAREST, runs the two clocks by their
/// periods in picoseconds ([`period_ps`]; both rise first at half their period) for
/// PIXEL_CLOCKS pixel clocks, offering the picture a pixel per compute cycle, and writes into OUT
/// four bytes per pixel clock, the outputs just before its rising edge
/// (`de | hsync << 1 | vsync << 2`, r, g, b), then `late`.
pub const VERILATOR_MAIN: &str = r#"// The super-resolution engine's testbench (hdl_designs::sr_engine::testbench).
#include "Vcosim_top.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    FILE* in = fopen(argv[1], "rb");
    uint32_t size[2];
    if (!in || fread(size, 4, 2, in) != 2) return 2;
    uint64_t pixels = uint64_t(size[0]) * size[1];
    std::vector<uint16_t> picture(pixels);
    if (fread(picture.data(), 2, pixels, in) != pixels) return 2;
    fclose(in);
    uint64_t pixel_clocks = strtoull(argv[3], 0, 10);
    Vcosim_top* top = new Vcosim_top;
    top->d0_nearest = atoi(argv[2]);
    top->d0_compute_rst = 0;
    top->d0_pixel_rst = 0;
    auto offer = [&](uint64_t k) {
        top->d0_i_valid = k < pixels;
        uint16_t p = k < pixels ? picture[k] : 0;
        top->d0_i_payload_b = p & 31;
        top->d0_i_payload_g = (p >> 5) & 63;
        top->d0_i_payload_r = p >> 11;
        top->d0_i_first = k == 0;
        top->d0_i_last = k % size[0] == size[0] - 1;
    };
    offer(0);
    top->d0_compute_clk = 0;
    top->d0_pixel_clk = 0;
    top->eval();
    std::vector<uint8_t> out;
    out.reserve(pixel_clocks * 4 + 1);
    uint64_t compute_half = strtoull(argv[5], 0, 10) / 2, pixel_half = strtoull(argv[6], 0, 10) / 2;
    uint64_t next_compute = compute_half, next_pixel = pixel_half;
    bool compute = false, pixel = false;
    uint64_t compute_edges = 0, pixel_edges = 0;
    while (pixel_edges < pixel_clocks) {
        uint64_t now = next_compute < next_pixel ? next_compute : next_pixel;
        bool compute_toggles = next_compute == now, pixel_toggles = next_pixel == now;
        if (compute_toggles) {
            compute = !compute;
            next_compute += compute_half;
        }
        if (pixel_toggles) {
            pixel = !pixel;
            next_pixel += pixel_half;
        }
        bool compute_rises = compute_toggles && compute, pixel_rises = pixel_toggles && pixel;
        if (pixel_rises) {
            out.push_back(top->d0_de | top->d0_hsync << 1 | top->d0_vsync << 2);
            out.push_back(top->d0_r);
            out.push_back(top->d0_g);
            out.push_back(top->d0_b);
            pixel_edges++;
        }
        top->d0_compute_clk = compute;
        top->d0_pixel_clk = pixel;
        top->eval();
        if (compute_rises) {
            compute_edges++;
            offer(compute_edges);
            top->eval();
        }
    }
    out.push_back(top->d0_late);
    FILE* o = fopen(argv[4], "wb");
    if (!o || fwrite(out.data(), 1, out.size(), o) != out.size()) return 2;
    fclose(o);
    delete top;
    return 0;
}
"#;

/// The input file of [`VERILATOR_MAIN`]: width and height, then the RGB565 pixels in
/// raster order, all little-endian.
pub fn verilator_picture(width: u32, height: u32, rgb565: impl IntoIterator<Item = u16>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for v in [width, height] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for p in rgb565 {
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    bytes
}

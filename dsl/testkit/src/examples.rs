//! Small example designs: documentation by example, and the designs whose Verilog is
//! locked in snapshots and checked by Verilator, Icarus Verilog and yosys.

use hdl_cores::pixel::{rgb565, rgb888};
use hdl_dsl::stream::{self, Pipe, StreamSignature};
use hdl_dsl::{cat, mux, signed, unsigned, Component, Design, Module, ResetKind, Value, SYNC};

/// Every example, by name.
pub fn all() -> Vec<(&'static str, Module)> {
    vec![
        ("blinky", blinky()),
        ("counter", counter(8)),
        ("traffic_light", traffic_light()),
        ("ram", ram()),
        ("signed_mac", signed_mac()),
        ("hierarchy", hierarchy()),
        ("wide_logic", wide_logic()),
        ("ddr_output", ddr_output()),
        ("reset_domains", reset_domains()),
        ("stream_pipeline", stream_pipeline()),
    ]
}

/// The example called `name`, elaborated; `None` if there is no such example.
///
/// # Panics
/// If the example fails to elaborate: the examples are part of this crate and always should.
pub fn design(name: &str) -> Option<Design> {
    let (_, module) = all().into_iter().find(|(n, _)| *n == name)?;
    Some(Design::elaborate(module).unwrap_or_else(|e| panic!("example {name}: {e}")))
}

/// The eight LEDs show the top bits of a free-running 28-bit counter.
pub fn blinky() -> Module {
    let mut m = Module::new("blinky");
    let led = m.output("led", unsigned(8));
    let count = m.signal("count", unsigned(28));
    m.sync(count.eq(count.wrapping_add(1u32)));
    m.comb(led.eq(count.slice(20..28)));
    m
}

/// A `width`-bit counter that counts while `en` is high and wraps to zero; `wrap` is
/// high in the cycle the count is at its maximum while counting.
pub fn counter(width: u32) -> Module {
    counter_in("counter", SYNC, width)
}

/// [`counter`] as module `name`, counting in clock domain `domain`.
pub fn counter_in(name: &str, domain: &str, width: u32) -> Module {
    let mut m = Module::new(name);
    let en = m.input("en", unsigned(1));
    let count = m.output("count", unsigned(width));
    let wrap = m.output("wrap", unsigned(1));
    m.if_(&en, |m| m.sync_in(domain, count.eq(count.wrapping_add(1u32))));
    m.comb(wrap.eq(&en & count.all()));
    m
}

/// A traffic light: green for 4 cycles, yellow for 1, red for 3; a pedestrian request
/// during green cuts it short. Shows a state machine with a timer.
pub fn traffic_light() -> Module {
    let mut m = Module::new("traffic_light");
    let request = m.input("request", unsigned(1));
    let lights = m.output("lights", unsigned(3)); // {red, yellow, green}
    let timer = m.signal("timer", unsigned(3));
    let fsm = m.fsm("light");
    m.state(fsm, "GREEN", |m| {
        m.comb(lights.eq(0b001u8));
        m.sync(timer.eq(timer.wrapping_add(1u32)));
        m.if_(timer.is_eq(3u8) | &request, |m| {
            m.sync(timer.eq(0u8));
            m.next(fsm, "YELLOW");
        });
    });
    m.state(fsm, "YELLOW", |m| {
        m.comb(lights.eq(0b010u8));
        m.next(fsm, "RED");
    });
    m.state(fsm, "RED", |m| {
        m.comb(lights.eq(0b100u8));
        m.sync(timer.eq(timer.wrapping_add(1u32)));
        m.if_(timer.is_eq(2u8), |m| {
            m.sync(timer.eq(0u8));
            m.next(fsm, "GREEN");
        });
    });
    m
}

/// A 1024 x 16 RAM with one write port and one synchronous read port: yosys maps it to
/// one ECP5 DP16KD block RAM. Word `i` starts as `i * 3`.
pub fn ram() -> Module {
    let mut m = Module::new("ram");
    let we = m.input("we", unsigned(1));
    let waddr = m.input("waddr", unsigned(10));
    let wdata = m.input("wdata", unsigned(16));
    let raddr = m.input("raddr", unsigned(10));
    let rdata = m.output("rdata", unsigned(16));
    let mem = m.memory_init("mem", unsigned(16), 1024, (0..1024i64).map(|i| i * 3));
    let w = m.write_port(mem, SYNC);
    let r = m.read_port(mem, SYNC);
    m.comb([w.en.eq(&we), w.addr.eq(&waddr), w.data.eq(&wdata), r.addr.eq(&raddr)]);
    m.comb(rdata.eq(&r.data));
    m
}

/// A signed multiply-accumulate: `acc += a * b` each cycle (or `acc = a * b` when
/// `clear`), with a saturated 8-bit view, the sign, and an arithmetic shift.
pub fn signed_mac() -> Module {
    let mut m = Module::new("signed_mac");
    let a = m.input("a", signed(8));
    let b = m.input("b", signed(8));
    let clear = m.input("clear", unsigned(1));
    let acc = m.output("acc", signed(24));
    let negative = m.output("negative", unsigned(1));
    let scaled = m.output("scaled", signed(24));
    let clamped = m.output("clamped", signed(8));
    let product = &a * &b; // signed(16)
    m.if_(&clear, |m| m.sync(acc.eq(&product)))
        .else_(|m| m.sync(acc.eq((&acc + &product).trunc(24))));
    m.comb(negative.eq(acc.lt(0i8)));
    m.comb(scaled.eq(acc.shr_var(b.slice(0..3))));
    let hi = acc.gt(127u8);
    let lo = acc.lt(-128i16);
    m.comb(clamped.eq(mux(&hi, 127u8, mux(&lo, -128i16, acc.trunc(8))).trunc(8)));
    m
}

/// A top module with two counter instances in a second clock domain, a decoder with
/// don't-care patterns, and a small asynchronous-read lookup table.
pub fn hierarchy() -> Module {
    let mut m = Module::new("hierarchy");
    let fast_clk = m.input("fast_clk", unsigned(1));
    let sel = m.input("sel", unsigned(4));
    let out = m.output("out", unsigned(8));
    let hit = m.output("hit", unsigned(1));
    m.domain("fast", &fast_clk, ResetKind::None, None);

    let slow = m.submodule("slow", counter(8));
    m.comb(slow.port("en").eq(1u8));
    let fast = m.submodule("fast", counter_in("fast_counter", "fast", 8));
    m.comb(fast.port("en").eq(sel.bit(0)));

    let lut = m.memory_init("lut", unsigned(8), 16, (0..16u8).map(|i| i.wrapping_mul(37)));
    let rd = m.async_read_port(lut);
    m.comb(rd.addr.eq(&sel));

    m.switch(&sel, |s| {
        s.case("1--0", |m| m.comb(out.eq(slow.port("count"))));
        s.case("1--1", |m| m.comb(out.eq(fast.port("count"))));
        s.cases_for([3u8.into(), 5u8.into()], |m| {
            m.comb(out.eq(slow.port("count") ^ fast.port("count")))
        });
        s.default(|m| m.comb(out.eq(&rd.data)));
    });
    m.comb(hit.eq(slow.port("wrap") | fast.port("wrap")));
    m
}

/// Logic on 130-bit values: wider than any machine word.
pub fn wide_logic() -> Module {
    let mut m = Module::new("wide_logic");
    let a = m.input("a", unsigned(130));
    let b = m.input("b", signed(130));
    let sum = m.output("sum", signed(132));
    let less = m.output("less", unsigned(1));
    let mixed = m.output("mixed", unsigned(130));
    let reg = m.signal_init("acc", unsigned(130), 1u8);
    m.comb(sum.eq(&a + &b));
    m.comb(less.eq(b.lt(&a)));
    m.sync(reg.eq(cat([reg.slice(129..130), reg.slice(0..129)]) ^ &a));
    m.comb(mixed.eq(&reg ^ a.shl_var(b.slice(0..2)).trunc(130)));
    m
}

/// Two bits a clock out of one pin, through the ECP5 `ODDRX1F` primitive.
pub fn ddr_output() -> Module {
    let mut m = Module::new("ddr_output");
    let d = m.input("d", unsigned(2));
    let clk = m.input("fast_clk", unsigned(1));
    let pin = m.output("pin", unsigned(1));
    m.instance("ODDRX1F", "oddr")
        .input("SCLK", &clk)
        .input("RST", Value::from(false))
        .input("D0", d.bit(0))
        .input("D1", d.bit(1))
        .output("Q", &pin);
    m
}

/// Three clock domains with three kinds of reset: `sync` with its default synchronous
/// reset, `io` entering through ports with an asynchronous reset, and `free` with none;
/// and a priority encoder written with `if_` / `elif` / `else_`.
pub fn reset_domains() -> Module {
    let mut m = Module::new("reset_domains");
    m.domain_from_ports("io", ResetKind::Async);
    let free_clk = m.input("free_clk", unsigned(1));
    m.domain("free", &free_clk, ResetKind::None, None);
    let req = m.input("req", unsigned(4));
    let grant = m.output("grant", unsigned(2));
    let seen = m.output_init("seen", unsigned(4), 0b1010u8);
    let ticks = m.output("ticks", unsigned(8));
    let age = m.output("age", unsigned(8));
    m.if_(req.bit(3), |m| m.comb(grant.eq(3u8)))
        .elif(req.bit(2), |m| m.comb(grant.eq(2u8)))
        .elif(req.bit(1), |m| m.comb(grant.eq(1u8)))
        .else_(|m| m.comb(grant.eq(0u8)));
    m.sync_in("io", seen.eq(&seen | &req));
    m.sync_in("free", ticks.eq(ticks.wrapping_add(1u8)));
    m.sync(age.eq(age.wrapping_add(req.any())));
    m
}

/// A stream stage from RGB565 to RGB888 pixels, with line markers: each channel's top
/// bits repeat into the bits it lacks, so black stays 0 and white becomes 255.
pub fn rgb565_to_rgb888() -> Component<Pipe> {
    let i = StreamSignature::new(rgb565()).with_last();
    let o = StreamSignature::new(rgb888()).with_last();
    stream::map("rgb565_to_rgb888", &i, &o, |_, p| {
        let widen = |c: Value, w: u32| cat([c.slice(c.width() - (8 - w)..c.width()), c]);
        rgb888().pack([
            ("r", widen(p.field("r").value(), 5)),
            ("g", widen(p.field("g").value(), 6)),
            ("b", widen(p.field("b").value(), 5)),
        ])
    })
}

/// A pipeline built only from streams: RGB565 pixels in, through a skid buffer and an
/// 8-deep FIFO, converted to RGB888, out. Ports are named after the interface members
/// (`i_payload_r`, `i_valid`, `o_ready`, ...).
pub fn stream_pipeline() -> Module {
    let pixels = StreamSignature::new(rgb565()).with_last();
    let pipe = Pipe {
        i: pixels.clone(),
        o: StreamSignature::new(rgb888()).with_last(),
    };
    Component::build("stream_pipeline", pipe, |m, io| {
        let skid = m.add("skid", stream::skid_buffer(&pixels));
        let fifo = m.add("fifo", stream::fifo(&pixels, 8));
        let convert = m.add("convert", rgb565_to_rgb888());
        m.connect(&io.i.flipped(), &skid.i);
        m.connect(&skid.o, &fifo.i);
        m.connect(&fifo.o, &convert.i);
        m.connect(&convert.o, &io.o.flipped());
    })
    .into_module()
}

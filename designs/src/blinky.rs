//! The hello-world of the ULX3S: the eight LEDs count in binary, `led[0]` changing about
//! six times a second. A counter on the board's 25 MHz oscillator, nothing else: the
//! design to copy first.

use hdl_dsl::{unsigned, Module, ResetKind};

/// The counter bit shown on `led[0]`: it changes every 2^22 cycles of 25 MHz (0.17 s).
pub const LED0_BIT: u32 = 22;

/// The top module, its ports the ULX3S pins `clk_25mhz` and `led`.
pub fn top() -> Module {
    let mut m = Module::new("top");
    let clk = m.input("clk_25mhz", unsigned(1));
    let led = m.output("led", unsigned(8));
    // No reset: the counter starts from zero when the bitstream loads.
    m.domain("sync", &clk, ResetKind::None, None);
    let count = m.signal("count", unsigned(LED0_BIT + 8));
    m.sync(count.eq(count.wrapping_add(1u8)));
    m.comb(led.eq(count.slice(LED0_BIT..LED0_BIT + 8)));
    m
}

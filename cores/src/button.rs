//! A push button, debounced: the pin is synchronized, and a change counts only once the
//! pin has held its new level for the settling time, so a bouncing contact gives one
//! press.

use hdl_dsl::{unsigned, Builder, Component, Shape, Signature, Value};

use crate::cdc::synchronizer;

/// The ports of a [`debouncer`].
#[derive(Clone, Debug)]
pub struct ButtonPorts {
    /// The button's pin, high while pressed, from no clock domain.
    pub pin: Value,
    /// The debounced level: high while the button is held.
    pub held: Value,
    /// A one-cycle pulse in `sync` when a press is recognised.
    pub pressed: Value,
}

/// The signature of [`ButtonPorts`].
#[derive(Clone, Copy, Debug)]
pub struct ButtonSignature;

impl Signature for ButtonSignature {
    type Interface = ButtonPorts;

    fn build(&self, b: &mut Builder) -> ButtonPorts {
        ButtonPorts {
            pin: b.input("pin", unsigned(1)),
            held: b.output("held", unsigned(1)),
            pressed: b.output("pressed", unsigned(1)),
        }
    }
}

/// A debouncer in the `sync` domain, clocked at `clk_hz`: `held` follows the pin once it
/// has kept a level for `settle_us` microseconds (push buttons bounce for a few
/// milliseconds; 10 000 is a safe choice).
pub fn debouncer(clk_hz: u64, settle_us: u64) -> Component<ButtonSignature> {
    let settle = (clk_hz * settle_us / 1_000_000).max(1);
    Component::build("debouncer", ButtonSignature, move |m, p| {
        let sync = m.add("pin_sync", synchronizer(1));
        m.comb(sync.i.eq(&p.pin));
        let count = m.signal("steady", Shape::for_unsigned(u128::from(settle)));
        let held = p.held.clone();
        m.if_(sync.o.is_eq(&held), |m| m.sync(count.eq(0u8)))
            .elif(count.is_eq(settle - 1), |m| m.sync([held.eq(&sync.o), count.eq(0u8)]))
            .else_(|m| m.sync(count.eq(count.wrapping_add(1u8))));
        m.comb(p.pressed.eq(sync.o.is_ne(&held) & count.is_eq(settle - 1) & &sync.o));
    })
}

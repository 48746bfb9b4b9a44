//! Interfaces, layouts and streams as a user meets them: ports named after members,
//! connections that check names, directions and shapes, and the messages for mistakes.

use hdl_dsl::stream::{self, StreamSignature};
use hdl_dsl::*;

/// The errors of elaborating `m`, which must fail.
fn errors(m: Module) -> Vec<Error> {
    Design::elaborate(m).expect_err("elaboration should fail").0
}

/// The one error of elaborating `m`, of `kind`, at `line` of this file.
fn one_error(m: Module, kind: ErrorKind, line: u32) -> String {
    let errors = errors(m);
    assert_eq!(errors.len(), 1, "expected one error, got: {errors:#?}");
    let e = &errors[0];
    assert_eq!((e.kind, e.location.file, e.location.line), (kind, file!(), line), "{e}");
    e.message.clone()
}

fn bytes() -> StreamSignature {
    StreamSignature::new(unsigned(8))
}

#[test]
fn interface_ports_are_named_after_their_members() {
    let pixels = StreamSignature::new(hdl_cores::pixel::rgb565()).with_first().with_last();
    let c = Component::build(
        "passthrough",
        stream::Pipe {
            i: pixels.clone(),
            o: pixels,
        },
        |m, io| {
            m.connect(&io.i.flipped(), &io.o.flipped());
        },
    );
    let v = Design::elaborate(c.into_module()).unwrap().verilog();
    for port in [
        "input  wire [4:0]   i_payload_b,",
        "input  wire [5:0]   i_payload_g,",
        "input  wire [4:0]   i_payload_r,",
        "input  wire         i_valid,",
        "output wire         i_ready,",
        "input  wire         i_first,",
        "input  wire         i_last,",
        "output wire [4:0]   o_payload_b,",
        "output wire         o_valid,",
        "input  wire         o_ready,",
    ] {
        assert!(v.contains(port), "missing `{port}` in:\n{v}");
    }
    assert!(v.contains("assign i_ready = o_ready;"), "{v}");
    assert!(v.contains("assign o_payload_g = i_payload_g;"), "{v}");
}

#[test]
fn connecting_two_outputs_is_an_error_naming_both() {
    let mut m = Module::new("top");
    let a = m.add("a", stream::skid_buffer(&bytes()));
    let b = m.add("b", stream::skid_buffer(&bytes()));
    let line = line!() + 1;
    m.connect(&a.o, &b.o);
    let messages: Vec<String> = errors(m)
        .into_iter()
        .inspect(|e| assert_eq!((e.kind, e.location.line), (ErrorKind::InterfaceMismatch, line), "{e}"))
        .map(|e| e.message)
        .collect();
    assert_eq!(
        messages,
        [
            "cannot connect `a_o_payload` and `b_o_payload`: both flow out (both would drive it); connect an output to an input",
            "cannot connect `a_o_valid` and `b_o_valid`: both flow out (both would drive it); connect an output to an input",
            "cannot connect `a_o_ready` and `b_o_ready`: both flow in (nothing would drive it); connect an output to an input",
        ]
    );
}

#[test]
fn connecting_members_of_different_shapes_is_an_error() {
    let mut m = Module::new("top");
    let a = m.add("a", stream::skid_buffer(&bytes()));
    let b = m.add("b", stream::fifo(&StreamSignature::new(unsigned(9)), 4));
    let line = line!() + 1;
    m.connect(&a.o, &b.i);
    assert_eq!(
        one_error(m, ErrorKind::InterfaceMismatch, line),
        "cannot connect `a_o_payload` (unsigned(8)) and `b_i_payload` (unsigned(9)): the shapes differ"
    );
}

#[test]
fn connecting_interfaces_with_different_members_is_an_error() {
    let mut m = Module::new("top");
    let a = m.add("a", stream::skid_buffer(&bytes().with_last()));
    let b = m.add("b", stream::skid_buffer(&bytes()));
    let line = line!() + 1;
    m.connect(&a.o, &b.i);
    assert_eq!(
        one_error(m, ErrorKind::InterfaceMismatch, line),
        "cannot connect `a_o` and `b_i`: `b_i` has no member `last` to match `a_o_last`"
    );
}

#[test]
fn an_always_ready_source_cannot_feed_a_sink_that_stalls() {
    let mut m = Module::new("top");
    let out = m.interface("out", &bytes().always_ready());
    let count = m.signal("count", unsigned(8));
    m.sync(count.eq(count.wrapping_add(1u8)));
    m.comb([out.valid.eq(1u8)]);
    m.comb(out.payload.eq(&count.clone().into()));
    let fifo = m.add("fifo", stream::fifo(&bytes(), 4));
    let line = line!() + 1;
    m.connect(&out.flipped().flipped(), &fifo.i);
    assert_eq!(
        one_error(m, ErrorKind::InterfaceMismatch, line),
        "cannot connect `fifo_i_ready` to `out_ready`: `out_ready` is held at 1'h1, so `fifo_i_ready` must be held at the same constant"
    );
}

#[test]
fn an_always_valid_source_feeds_any_sink() {
    let mut m = Module::new("top");
    let c = m.add(
        "counter",
        Component::build("counting", bytes().always_valid(), |m, o| {
            let count = m.signal("count", unsigned(8));
            m.if_(&o.ready, |m| m.sync(count.eq(count.wrapping_add(1u8))));
            m.comb(o.payload.eq(&count.clone().into()));
        }),
    );
    let fifo = m.add("fifo", stream::fifo(&bytes(), 4));
    m.connect(&c, &fifo.i);
    let v = Design::elaborate(m).unwrap().verilog();
    assert!(v.contains("assign fifo_i_valid = 1'h1;"), "{v}");
}

#[test]
fn an_instance_port_of_the_wrong_direction_or_shape_is_an_error() {
    let mut m = Module::new("top");
    let sub = m.submodule("skid", stream::skid_buffer(&bytes()).into_module());
    let line = line!() + 1;
    let wrong = sub.interface("o", &bytes().flip());
    m.comb(wrong.ready.eq(1u8));
    let e = errors(m);
    assert_eq!(e[0].kind, ErrorKind::InterfaceMismatch, "{e:#?}");
    assert_eq!(e[0].location.line, line);
    assert_eq!(
        e[0].message,
        "port `o_ready` of submodule `skid` is an input but the interface expects an output"
    );

    let mut m = Module::new("top");
    let sub = m.submodule("skid", stream::skid_buffer(&bytes()).into_module());
    let line = line!() + 1;
    let wide = sub.interface("i", &StreamSignature::new(unsigned(16)).flip());
    m.comb(wide.payload.eq(&constant(5, unsigned(16)).into()));
    let e = errors(m);
    assert_eq!((e[0].kind, e[0].location.line), (ErrorKind::InterfaceMismatch, line));
    assert_eq!(
        e[0].message,
        "port `i_payload` of submodule `skid` has shape unsigned(8) but the interface expects unsigned(16)"
    );
}

#[test]
fn a_layout_field_that_does_not_exist_is_an_error_listing_the_fields() {
    let mut m = Module::new("top");
    let pix = m.input("pix", hdl_cores::pixel::rgb565().shape());
    let y = m.output("y", unsigned(5));
    let line = line!() + 1;
    m.comb(y.eq(hdl_cores::pixel::rgb565().view(&pix).field("red")));
    assert_eq!(
        one_error(m, ErrorKind::Invalid, line),
        "{b: unsigned(5), g: unsigned(6), r: unsigned(5)} has no field `red`; its fields are: b, g, r"
    );
}

#[test]
fn pack_checks_every_field() {
    let rgb = hdl_cores::pixel::rgb565();
    let mut m = Module::new("top");
    let a = m.input("a", unsigned(8));
    let y = m.output("y", rgb.shape());
    let line = line!() + 1;
    m.comb(y.eq(rgb.pack([("r", a.slice(0..5)), ("g", a.slice(0..6))])));
    assert_eq!(one_error(m, ErrorKind::Invalid, line), format!("field `b` of {rgb} is not given"));

    let mut m = Module::new("top");
    let a = m.input("a", unsigned(8));
    let y = m.output("y", rgb.shape());
    let line = line!() + 1;
    m.comb(y.eq(rgb.pack([("r", a.clone()), ("g", a.slice(0..6)), ("b", a.slice(0..5))])));
    assert_eq!(
        one_error(m, ErrorKind::Invalid, line),
        format!("field `r` of {rgb} has 5 bits; a value of 8 bits does not fit (`.trunc(5)` drops bits on purpose)")
    );
}

#[test]
fn fields_and_arrays_lower_to_slices() {
    // Four signed 8-bit coefficients in one 32-bit word, and an RGB565 memory.
    let coefficients = Layout::array(signed(8), 4);
    let mut m = Module::new("top");
    let word = m.input("word", coefficients.shape());
    let sum = m.output("sum", signed(11));
    let v = coefficients.view(&word);
    m.comb(sum.eq(v.index(0).value() + v.index(1).value() + v.index(2).value() + v.index(3).value()));
    let mem = m.memory("pixels", hdl_cores::pixel::rgb565().shape(), 16);
    let rd = m.async_read_port(mem);
    let addr = m.input("addr", unsigned(4));
    let green = m.output("green", unsigned(6));
    m.comb([rd.addr.eq(&addr), green.eq(hdl_cores::pixel::rgb565().view(&rd.data).field("g"))]);
    let v = Design::elaborate(m).unwrap().verilog();
    // Element 3 is the top byte, read as signed (sign-extended into the sum).
    assert!(v.contains("_t_5 = word[31:24];"), "{v}");
    assert!(v.contains("{{3{_t_5[7]}}, _t_5}"), "{v}");
    assert!(v.contains("assign green = pixels_r0_data[10:5];"), "{v}");
}

#[test]
fn signals_with_a_layout_are_one_signal_per_field() {
    let mut m = Module::new("top");
    let pix = m.signal_layout("pix", &hdl_cores::pixel::rgb565());
    let a = m.input("a", unsigned(16));
    let y = m.output("y", unsigned(6));
    m.sync(pix.eq(&hdl_cores::pixel::rgb565().view(&a)));
    m.comb(y.eq(pix.field("g")));
    let v = Design::elaborate(m).unwrap().verilog();
    assert!(v.contains("reg  [5:0]   pix_g = 6'h00;"), "{v}");
    assert!(v.contains("pix_g <= a[10:5];"), "{v}");
    assert!(v.contains("assign y = pix_g;"), "{v}");
}

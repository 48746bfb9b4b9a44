fn main() {
    use hdl_cores::ov7670::*;
    for m in [
        configurator(QQVGA_RGB565, ConfigOptions::new(25_000_000)).into_module(),
        capture_clocked(16).into_module(),
        capture_oversampled().into_module(),
    ] {
        match hdl_dsl::Design::elaborate(m) {
            Ok(d) => println!("ok {}", d.verilog().len()),
            Err(e) => println!("{e}"),
        }
    }
}

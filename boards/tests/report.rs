//! Reading nextpnr's log for the paths between clocks, which its pass/fail does not cover.

use hdl_boards::{crossings, CrossingReport};

#[test]
fn the_routed_paths_between_two_clocks_are_read_and_unclocked_ends_left_out() {
    // Lines as nextpnr-ecp5 0.11 writes them after placement, then after routing.
    let log = "\
Info: Max delay posedge $glbnet$engine.pixel_clk -> posedge $glbnet$camera.clk: 1.72 ns
Info: Max frequency for clock       '$glbnet$camera.clk': 141.58 MHz (PASS at 125.00 MHz)

Info: Max delay <async>                          -> <async>                   : 6.14 ns
Info: Max delay <async>                          -> posedge $glbnet$camera.clk: 4.51 ns
Info: Max delay posedge $glbnet$camera.clk       -> <async>                   : 2.83 ns
Info: Max delay posedge $glbnet$engine.pixel_clk -> posedge $glbnet$camera.clk: 1.87 ns
Info: Max delay negedge clk_a -> posedge clk_b: 0.50 ns
";
    assert_eq!(
        crossings(log),
        vec![
            CrossingReport {
                from: "$glbnet$engine.pixel_clk".into(),
                to: "$glbnet$camera.clk".into(),
                delay_ns: 1.87,
            },
            CrossingReport {
                from: "clk_a".into(),
                to: "clk_b".into(),
                delay_ns: 0.5,
            },
        ]
    );
}

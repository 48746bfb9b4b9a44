//! Reading nextpnr's log for the paths between clocks, which its pass/fail does not cover.

use hdl_boards::{clock_net_wire, crossings, BuildReport, ClockReport, CrossingCheck, CrossingReport};

fn crossing(from_falling: bool, to_falling: bool) -> CrossingReport {
    CrossingReport {
        from: "a".into(),
        from_falling,
        to: "b".into(),
        to_falling,
        delay_ns: 1.0,
    }
}

#[test]
fn a_path_between_two_clocks_has_the_closest_pair_of_their_edges() {
    let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
    // 25 MHz into 125 MHz and back: the faster period.
    assert!(close(crossing(false, false).window_ns(25.0, 125.0), 8.0));
    assert!(close(crossing(false, false).window_ns(125.0, 25.0), 8.0));
    // 110 and 25 MHz: edges come 1/550 MHz apart at the closest.
    assert!(close(crossing(false, false).window_ns(25.0, 110.0), 1e3 / 550.0));
    // A falling launch on 125 MHz into a rising capture: half a period.
    assert!(close(crossing(true, false).window_ns(125.0, 125.0), 4.0));
    // A falling capture of 25 MHz from 125 MHz: its falling edge at 20 ns comes 4 ns after
    // the 125 MHz edge at 16 ns.
    assert!(close(crossing(false, true).window_ns(125.0, 25.0), 4.0));
}

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
                from_falling: false,
                to: "$glbnet$camera.clk".into(),
                to_falling: false,
                delay_ns: 1.87,
            },
            CrossingReport {
                from: "clk_a".into(),
                from_falling: true,
                to: "clk_b".into(),
                to_falling: false,
                delay_ns: 0.5,
            },
        ]
    );
}

#[test]
fn paths_between_clocks_are_checked_unless_they_meet_only_in_synchronizers() {
    let clock = |name: &str, mhz: f64| ClockReport {
        name: name.into(),
        achieved_mhz: 2.0 * mhz,
        constraint_mhz: mhz,
    };
    let path = |from: &str, to: &str, delay_ns: f64| CrossingReport {
        from: from.into(),
        from_falling: false,
        to: to.into(),
        to_falling: false,
        delay_ns,
    };
    let report = BuildReport {
        bitstream: "top.bit".into(),
        clocks: vec![
            clock("$glbnet$pixel", 25.0),
            clock("$glbnet$bit", 125.0),
            clock("$glbnet$compute", 625.0 / 6.0),
        ],
        crossings: vec![
            path("$glbnet$pixel", "$glbnet$compute", 1.48),
            path("$glbnet$pixel", "$glbnet$bit", 7.5),
            path("$glbnet$pixel", "$glbnet$bit", 2.04),
            path("$glbnet$compute", "$glbnet$elsewhere", 1.0),
        ],
        resources: Vec::new(),
        seconds: Vec::new(),
        tools: String::new(),
        reused: false,
    };
    let synchronized = |from: &str, to: &str| (clock_net_wire(from), clock_net_wire(to)) == ("pixel", "compute");
    let checks: Vec<CrossingCheck> = report.check_crossings(1.1, synchronized).into_iter().map(|(_, c)| c).collect();
    assert_eq!(checks[0], CrossingCheck::Synchronized);
    // 7.5 ns with 10% is 8.25, more than the 8 ns between a 25 and a 125 MHz edge.
    assert!(matches!(checks[1], CrossingCheck::Timed { window_ns, fits: false } if (window_ns - 8.0).abs() < 1e-9));
    assert!(matches!(checks[2], CrossingCheck::Timed { fits: true, .. }));
    assert_eq!(checks[3], CrossingCheck::Unconstrained);
    assert_eq!(
        checks.iter().map(CrossingCheck::passes).collect::<Vec<_>>(),
        [true, false, true, false]
    );
}

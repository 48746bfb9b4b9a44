//! The ULX3S variants as `--board` names them.

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{Board, Device};

#[test]
fn every_variant_is_named_and_found_by_its_name() {
    let names: Vec<String> = Ulx3s::variants().iter().map(Ulx3s::name).collect();
    assert_eq!(names, ["ulx3s-12f", "ulx3s-25f", "ulx3s-45f", "ulx3s-85f"]);
    assert_eq!(Ulx3s::from_name("ulx3s-45f").unwrap().device(), Device::Lfe5u45f);
    assert_eq!(Ulx3s::from_name("ULX3S-12F").unwrap().device().nextpnr_flag(), "--12k");
    assert_eq!(Ulx3s::from_name("ulx3s-85f").unwrap(), Ulx3s::lfe5u_85f());
    // Every variant has the same pins: one board, four parts.
    assert!(Ulx3s::variants().iter().all(|b| b.pins() == Ulx3s::lfe5u_85f().pins()));
}

#[test]
fn an_unknown_board_lists_the_known_ones() {
    let e = Ulx3s::from_name("ulx3s-65f").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown board `ulx3s-65f`; the boards are ulx3s-12f, ulx3s-25f, ulx3s-45f, ulx3s-85f"
    );
}

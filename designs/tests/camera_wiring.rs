//! The camera wiring file: the default as the repository ships it, and every mistake by
//! its message, naming the file, the line, the key and the pin.

use std::path::Path;

use hdl_designs::camera_wiring::{default_file, CameraWiring, SIGNALS};

/// The default file with `line` replaced by `with` (or removed, for an empty `with`).
fn edited(line: &str, with: &str) -> String {
    let text = std::fs::read_to_string(default_file()).unwrap();
    assert!(text.contains(line), "the default file has no line `{line}`");
    text.replace(
        &format!("{line}\n"),
        &if with.is_empty() { String::new() } else { format!("{with}\n") },
    )
}

fn error(text: &str) -> String {
    CameraWiring::parse(text, Path::new("wiring.toml")).unwrap_err().to_string()
}

#[test]
fn the_default_wiring_is_the_straight_cable_one() {
    let wiring = CameraWiring::load(&default_file()).unwrap();
    let pins: Vec<&str> = ["d7", "d6", "d5", "d4", "d3", "d2", "d1", "d0"]
        .iter()
        .map(|s| wiring.pin(s).unwrap())
        .collect();
    assert_eq!(pins, ["gp7", "gn7", "gp8", "gn8", "gp9", "gn9", "gp10", "gn10"]);
    let control: Vec<&str> = ["sioc", "siod", "vsync", "href", "xclk", "pclk", "reset", "pwdn"]
        .iter()
        .map(|s| wiring.pin(s).unwrap())
        .collect();
    assert_eq!(control, ["gp0", "gn0", "gp1", "gn1", "gp2", "gn2", "gp3", "gn3"]);
    assert!(SIGNALS.iter().all(|s| wiring.pin(s).is_some()));
}

#[test]
fn every_mistake_names_the_file_the_line_and_the_pin() {
    assert_eq!(
        error(&edited(r#"d0 = "gn10""#, r#"d0 = "gp28""#)),
        "wiring.toml:20: `d0` = \"gp28\": the ULX3S has no pin `gp28`; a camera signal goes on a header pin, gp0..gp27 or gn0..gn27"
    );
    assert_eq!(
        error(&edited(r#"d0 = "gn10""#, r#"d0 = "gn07""#)),
        "wiring.toml:20: `d0` = \"gn07\": the ULX3S has no pin `gn07`; a camera signal goes on a header pin, gp0..gp27 or gn0..gn27"
    );
    assert_eq!(
        error(&edited(r#"pclk = "gn2""#, r#"pclk = "gpdi_dp[0]""#)),
        "wiring.toml:10: `pclk` = \"gpdi_dp[0]\": `gpdi_dp[0]` is the board's HDMI output, not a header pin; a camera signal goes on a header pin, gp0..gp27 or gn0..gn27"
    );
    assert_eq!(
        error(&edited(r#"reset = "gp3""#, r#"reset = "btn[1]""#)),
        "wiring.toml:11: `reset` = \"btn[1]\": `btn[1]` is the board's button, not a header pin; a camera signal goes on a header pin, gp0..gp27 or gn0..gn27"
    );
    assert_eq!(
        error(&edited(r#"d1 = "gp10""#, r#"d1 = "gp7""#)),
        "wiring.toml:19: `d1` = \"gp7\": `d7` is on that pin already"
    );
    assert_eq!(
        error(&edited(r#"pwdn = "gn3""#, "")),
        "wiring.toml: no pin for pwdn in `[camera]`; every camera signal needs one"
    );
    assert_eq!(
        error(&edited(r#"href = "gn1""#, r#"hsync = "gn1""#)),
        "wiring.toml:8: `hsync` is not a camera signal; the signals are sioc, siod, vsync, href, pclk, xclk, d0, d1, d2, d3, d4, d5, d6, d7, reset, pwdn"
    );
    assert_eq!(
        error(&edited(r#"xclk = "gp2""#, "xclk = 2")),
        "wiring.toml:9: `xclk` must be a pin name in quotes, like \"gp7\""
    );
    assert_eq!(
        error("[camera\nsioc = \"gp0\"\n").split(':').take(2).collect::<Vec<_>>(),
        ["wiring.toml", "1"]
    );
    assert_eq!(
        error("sioc = \"gp0\"\n"),
        "wiring.toml: no `[camera]` table: it names the pin of each camera signal"
    );
    let missing = CameraWiring::load(Path::new("/nonexistent/wiring.toml")).unwrap_err().to_string();
    assert!(missing.starts_with("/nonexistent/wiring.toml: cannot read it: "), "{missing}");
}

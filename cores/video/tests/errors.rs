//! Every way reading or writing a picture fails, by its message, word for word: the file,
//! then what went wrong.

use std::path::{Path, PathBuf};

use hdl_video::{Picture, PictureError};

/// A new empty folder for one test.
fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hdl_video_errors_{label}_{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a 2x2 PNG of `color` and `depth`, all zero.
fn write_png(path: &Path, color: png::ColorType, depth: png::BitDepth) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), 2, 2);
    encoder.set_color(color);
    encoder.set_depth(depth);
    let bytes_per_pixel = color.samples() * if depth == png::BitDepth::Sixteen { 2 } else { 1 };
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&vec![0; 4 * bytes_per_pixel]).unwrap();
}

fn read_error(path: &Path) -> PictureError {
    Picture::read_png(path).unwrap_err()
}

#[test]
fn a_missing_picture_is_named_with_the_reason() {
    let dir = scratch("missing");
    let path = dir.join("absent.png");
    let e = read_error(&path);
    assert_eq!(e.path, path.display().to_string());
    assert_eq!(e.to_string(), format!("{}: No such file or directory (os error 2)", path.display()));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_that_is_not_a_png_is_refused_with_the_decoders_reason() {
    let dir = scratch("not_png");
    let path = dir.join("notes.png");
    std::fs::write(&path, "this is not a picture").unwrap();
    assert_eq!(read_error(&path).to_string(), format!("{}: Invalid PNG signature.", path.display()));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_grey_picture_is_refused_saying_what_is_needed() {
    let dir = scratch("grey");
    let path = dir.join("grey.png");
    write_png(&path, png::ColorType::Grayscale, png::BitDepth::Eight);
    assert_eq!(
        read_error(&path).to_string(),
        format!("{}: an 8-bit RGB or RGBA PNG is needed, not a greyscale one", path.display())
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_16_bit_picture_is_refused_saying_what_is_needed() {
    let dir = scratch("deep");
    let path = dir.join("deep.png");
    write_png(&path, png::ColorType::Rgb, png::BitDepth::Sixteen);
    assert_eq!(
        read_error(&path).to_string(),
        format!("{}: an 8-bit PNG is needed, not a 16-bit one", path.display())
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_picture_written_into_a_missing_folder_is_named_with_the_reason() {
    let dir = scratch("write");
    let path = dir.join("no_such_folder").join("out.png");
    let e = Picture::filled(2, 2, [1, 2, 3]).write_png(&path).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: No such file or directory (os error 2)", path.display()));
    std::fs::remove_dir_all(&dir).ok();
}

//! The keeper's tray icon as the StatusNotifierItem protocol takes it (ARGB32, big-endian),
//! decoded from the app's 32 px PNG here rather than in every keeper at start.

fn main() {
    let source = "../../icons/32x32.png";
    println!("cargo::rerun-if-changed={source}");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    argb::write(source);
}

#[cfg(target_os = "linux")]
mod argb {
    pub fn write(source: &str) {
        let mut decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(source).expect("icons/32x32.png"),
        ));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().expect("a PNG");
        let mut rgba = vec![0; reader.output_buffer_size().expect("a small image")];
        let info = reader.next_frame(&mut rgba).expect("a PNG frame");
        assert_eq!(
            info.color_type,
            png::ColorType::Rgba,
            "the icon has an alpha channel"
        );
        assert_eq!((info.width, info.height), (32, 32));
        let argb: Vec<u8> = rgba[..info.buffer_size()]
            .chunks_exact(4)
            .flat_map(|p| [p[3], p[0], p[1], p[2]])
            .collect();
        let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("tray-32.argb");
        std::fs::write(out, argb).unwrap();
    }
}

#[cfg(not(target_os = "linux"))]
mod argb {
    pub fn write(_: &str) {}
}

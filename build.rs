//! Build script: give the shared library libzmq's SONAME and put the
//! `libzmq.so.5` name beside it, so a program linked with `-lzmq` finds us
//! through `LD_LIBRARY_PATH=target/<profile>` straight after `cargo build`.

use std::path::PathBuf;

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzmq.so.5");
    println!("cargo:rerun-if-changed=build.rs");

    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out: three levels up
    // is the directory where cargo drops libzmq.so.
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Some(profile_dir) = out.ancestors().nth(3) {
        let link = profile_dir.join("libzmq.so.5");
        if std::fs::symlink_metadata(&link).is_err() {
            // A dangling link until the library is linked; harmless if it fails.
            let _ = std::os::unix::fs::symlink("libzmq.so", &link);
        }
    }
}

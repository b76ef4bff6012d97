// What build scripts of -sys crates and version stampers do, without crates from the network:
// compile a C file with the system compiler and archive it (as the `cc` crate does), then stamp
// the git commit into the binary (as `vergen`/`built` do).
use std::env;
use std::path::PathBuf;
use std::process::Command;

fn run(cmd: &mut Command) {
    let status = cmd.status().expect("spawn");
    assert!(status.success(), "{:?} failed", cmd);
}

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let object = out.join("checksum.o");
    run(Command::new("cc").args(["-c", "-O2", "-fPIC", "native/checksum.c", "-o"]).arg(&object));
    run(Command::new("ar").arg("crs").arg(out.join("libchecksum.a")).arg(&object));
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static=checksum");
    println!("cargo:rerun-if-changed=native/checksum.c");

    let commit = Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=GIT_COMMIT={}", commit);
}

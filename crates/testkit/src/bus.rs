//! A D-Bus daemon of a test's own, and a launch as `clickdial` makes it (the method `forward`
//! calls). Shared by the single-instance tests in the services and the keeper's in the app's.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use clickdial_services::instance::bus_name;

/// A bus of the test's own, stopped when dropped.
pub struct Bus {
    pub daemon: Child,
    pub address: String,
}

impl Bus {
    pub fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus-daemon) is installed by scripts/deps.sh");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        Bus {
            daemon,
            address: address.trim().to_string(),
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// `clickdial ARGS…` launched: what the process in charge answers.
pub async fn launch(bus: &Bus, args: &[&str]) -> zbus::Result<String> {
    let connection = zbus::connection::Builder::address(bus.address.as_str())?
        .build()
        .await?;
    let name = bus_name();
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    let argv: Vec<String> = std::iter::once("clickdial")
        .chain(args.iter().copied())
        .map(str::to_string)
        .collect();
    let reply = connection
        .call_method(
            Some(name.as_str()),
            path.as_str(),
            Some("org.SingleInstance.DBus"),
            "TakeOver",
            &(argv, "/"),
        )
        .await?;
    reply.body().deserialize::<String>()
}

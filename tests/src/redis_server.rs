//! A real `redis-server` on a free loopback port, in a temporary directory, for the tests and
//! benches of the Redis-backed state. Stopped (and its directory removed) when dropped.

#![allow(clippy::expect_used, clippy::panic)] // test support: a server that cannot start is a failed test

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

/// How to find the server binary: `REDIS_SERVER`, else `redis-server` on the `PATH`.
fn binary() -> String {
    std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string())
}

impl RedisServer {
    /// Starts a server on a free loopback port. The tests that call this are ignored where the
    /// build found no `redis-server` (see `build.rs`), so a failure here is a real one.
    pub fn start() -> Self {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
        let dir = std::env::temp_dir().join(format!("miniapp-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = RedisServer { child: None, port, dir };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server (`SIGTERM`: it writes its data to disk first, as a stopped server does).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().is_ok_and(|s| s.success());
            if !terminated {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, with the data it had (append-only file).
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new(binary())
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"])
            .args(["--appendfsync", "everysec", "--dir"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "redis-server did not listen within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

//! Generates the connector of every example definition (and test fixture) into `OUT_DIR`, the
//! build-script way, so the end-to-end tests call real generated code.

use std::path::Path;

fn main() {
    find_redis_server();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut generator = miniapp_compiler::Generator::new();
    for dir in [root.join("../examples/definitions"), root.join("fixtures")] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            generator = generator.definition(file);
        }
    }
    if let Err(e) = generator.deny_warnings(true).generate() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

/// The Redis tests need a real `redis-server` (`REDIS_SERVER`, else the one on the `PATH`). Where
/// there is none they are compiled as ignored, so the totals say they were skipped; in CI (`CI`
/// set) a missing server fails the build instead.
fn find_redis_server() {
    println!("cargo::rustc-check-cfg=cfg(redis_server)");
    for var in ["REDIS_SERVER", "PATH", "CI"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string());
    let found = std::process::Command::new(&binary)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        println!("cargo:rustc-cfg=redis_server");
    } else if std::env::var_os("CI").is_some() {
        eprintln!("`{binary}` cannot be run; CI must install it (apt-get install redis-server) or set REDIS_SERVER");
        std::process::exit(1);
    } else {
        println!(
            "cargo:warning=`{binary}` cannot be run: the Redis tests are ignored (apt-get install redis-server, or set REDIS_SERVER; then `cargo clean -p miniapp-tests`)"
        );
    }
}

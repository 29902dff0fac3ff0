//! Generates the Bookwise connector into `OUT_DIR`.

fn main() {
    if let Err(e) = miniapp_compiler::Generator::new().definition("../definitions/bookwise.json").deny_warnings(true).generate() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0509-unknown-secret-key.json");
}

fn main() {}

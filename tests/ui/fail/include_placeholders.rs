mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0301-unknown-stored-key.json");
}

fn main() {}

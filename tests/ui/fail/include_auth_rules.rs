mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0201-api-key-type.json");
}

fn main() {}

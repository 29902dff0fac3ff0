mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0405-unknown-source.json");
}

fn main() {}

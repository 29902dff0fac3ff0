mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0001-trailing-comma.json");
}

fn main() {}

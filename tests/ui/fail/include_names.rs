mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0801-parameter-names-collide.json");
}

fn main() {}

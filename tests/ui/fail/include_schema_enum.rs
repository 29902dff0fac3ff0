mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0105-category.json");
}

fn main() {}

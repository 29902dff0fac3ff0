mod connector {
    miniapp::include_miniapp!("definitions/nowhere.json");
}

fn main() {}

mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0607-handler-without-trigger.json");
}

fn main() {}

mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0309-placeholder-in-port.json");
}

fn main() {}

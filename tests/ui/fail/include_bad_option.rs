mod connector {
    miniapp::include_miniapp!("../../../examples/definitions/chatly.json", deny_warning);
}

fn main() {}

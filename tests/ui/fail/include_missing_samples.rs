mod chatly {
    miniapp::include_miniapp!("../../../examples/definitions/chatly.json", samples = "no/such/samples");
}

fn main() {}

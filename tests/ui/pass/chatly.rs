mod chatly {
    miniapp::include_miniapp!("../../../examples/definitions/chatly.json", deny_warnings);
}

fn main() {
    assert_eq!(chatly::NS, "chatly");
}

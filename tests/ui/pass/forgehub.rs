mod forgehub {
    miniapp::include_miniapp!("../../../examples/definitions/forgehub.json", deny_warnings);
}

fn main() {
    assert_eq!(forgehub::NS, "forgehub");
}

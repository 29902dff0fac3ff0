mod cloudbox {
    miniapp::include_miniapp!("../../../examples/definitions/cloudbox.json", deny_warnings);
}

fn main() {
    assert_eq!(cloudbox::NS, "cloudbox");
}

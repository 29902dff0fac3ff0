mod bookwise {
    miniapp::include_miniapp!("../../../examples/definitions/bookwise.json", deny_warnings);
}

fn main() {
    assert_eq!(bookwise::NS, "bookwise");
}

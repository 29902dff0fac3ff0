mod acme_shop {
    miniapp::include_miniapp!("../../../examples/definitions/acme-shop.json", deny_warnings);
}

fn main() {
    assert_eq!(acme_shop::NS, "acme-shop");
}

//! `Generator` (the build-script front end) reads a definition's samples: the conventional folder,
//! or the one `samples` names for the definition added before it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::path::{Path, PathBuf};

use miniapp_compiler::Generator;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("miniapp-generator-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn samples_type_the_module_a_build_script_writes() {
    let out = out_dir("samples");
    let written = Generator::new()
        .base_dir(repo(""))
        .definition("examples/definitions/chatly.json")
        .samples("tests/ui/samples/chatly")
        .definition("examples/definitions/acme-shop.json")
        .out_dir(&out)
        .generate()
        .unwrap();
    assert_eq!(written.len(), 2);
    let chatly = std::fs::read_to_string(out.join("chatly.rs")).unwrap();
    assert!(chatly.contains("pub post_id: ::std::option::Option<i64>"), "the named folder typed chatly");
    let acme = std::fs::read_to_string(out.join("acme_shop.rs")).unwrap();
    assert!(acme.contains("pub struct OrdersRecordItem"), "acme-shop's own folder, found by convention");
}

#[test]
fn samples_before_any_definition_or_a_missing_folder_is_an_error() {
    let error = Generator::new()
        .samples("x")
        .definition(repo("examples/definitions/chatly.json"))
        .out_dir(out_dir("stray"))
        .generate()
        .unwrap_err();
    assert!(error.to_string().contains("call `definition` first"), "{error}");
    let error = Generator::new()
        .definition(repo("examples/definitions/chatly.json"))
        .samples(repo("no/such/folder"))
        .out_dir(out_dir("missing"))
        .generate()
        .unwrap_err();
    assert!(error.to_string().contains("cannot read the samples folder"), "{error}");
}

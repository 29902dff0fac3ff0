// A definition's warning is a compiler warning at the macro call (not denied here). The error at
// the end only makes this a compile-fail case, so that the snapshot shows the warning.
mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/W0305-stored-key-in-sync-headers.json");
}

fn main() {
    let _ = connector::NS;
    compile_error!("the end of the test: the warning above is what it checks");
}

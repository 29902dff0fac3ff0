//! UI tests of the macros: one compile-fail case per diagnostic family, for the file macro and the
//! inline macro, with `.stderr` snapshots (regenerate with `TRYBUILD=overwrite`), and a case that
//! shows a definition's warning as a compiler warning at the macro call.
//!
//! Only compile-fail cases run here: trybuild then checks (`cargo check`) rather than builds, in
//! a target directory of its own that starts empty. The compile-pass cases are `tests/pass.rs`,
//! compiled with the rest of the workspace.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("fail/*.rs");
}

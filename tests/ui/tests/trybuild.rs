//! UI tests of the macros: one compile-fail case per diagnostic family, for the file macro and the
//! inline macro, with `.stderr` snapshots (regenerate with `TRYBUILD=overwrite`); and a
//! compile-pass case for every example definition.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*.rs");
    t.pass("pass/*.rs");
}

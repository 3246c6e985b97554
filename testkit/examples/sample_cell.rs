//! Lays out the sample Diego cell in the directory given as the first argument (for trying
//! `vcap-collect --root DIR` by hand).
fn main() {
    let dir = std::env::args().nth(1).expect("usage: sample_cell DIR");
    let (vm, secrets) = testkit::sample_cell(&dir);
    eprintln!(
        "sample cell in {} with {} planted secrets",
        vm.root().display(),
        secrets.len()
    );
}

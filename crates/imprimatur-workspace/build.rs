// The demo workspace and the default templates are compiled into the binary with
// include_dir; tell cargo to rebuild when they change.
fn main() {
    for dir in ["../../demo", "../../templates", "../../styleguides"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}

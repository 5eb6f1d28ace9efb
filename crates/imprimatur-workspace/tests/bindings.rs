//! The UI's TypeScript types are generated from the Rust IPC types. This test fails when
//! `ui/src/lib/bindings.ts` no longer matches; `UPDATE_BINDINGS=1 cargo test -p
//! imprimatur-workspace --test bindings` rewrites it.

use std::path::Path;

#[test]
fn typescript_bindings_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
    let generated = imprimatur_workspace::ipc::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings.ts is stale; run `UPDATE_BINDINGS=1 cargo test -p imprimatur-workspace --test bindings` and commit it.\n--- generated ---\n{generated}"
    );
}

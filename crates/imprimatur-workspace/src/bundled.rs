//! Files compiled into the binary: the demo workspace and the default templates and
//! style packs that `init` puts into a new workspace. Shipping them inside the binary
//! means an installed app or CLI needs no resource folder next to it.

use std::path::Path;

use include_dir::{include_dir, Dir};

use crate::error::{io, WorkspaceResult};

pub(crate) static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../demo");
pub(crate) static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../templates");
pub(crate) static STYLEGUIDES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../styleguides");

/// Writes `dir` below `target`, skipping entries for which `skip` says so.
pub(crate) fn extract(
    dir: &Dir<'_>,
    target: &Path,
    skip: &dyn Fn(&Path) -> bool,
) -> WorkspaceResult<()> {
    for file in dir.files() {
        if skip(file.path()) {
            continue;
        }
        let dest = target.join(file.path());
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&dest, file.contents()).map_err(io(&dest))?;
    }
    for sub in dir.dirs() {
        if !skip(sub.path()) {
            extract(sub, target, skip)?;
        }
    }
    Ok(())
}

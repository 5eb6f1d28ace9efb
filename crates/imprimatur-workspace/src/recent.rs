//! The app remembers the workspace it had open last, in a one-line file in its config folder.

use std::path::{Path, PathBuf};

use crate::error::{io, WorkspaceResult};

const FILE: &str = "last-workspace";

/// The last workspace the app opened, if that folder still is a workspace.
pub fn last(config_dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(config_dir.join(FILE)).ok()?;
    let path = PathBuf::from(text.trim());
    path.join("imprimatur.toml").is_file().then_some(path)
}

pub fn remember(config_dir: &Path, workspace: &Path) -> WorkspaceResult<()> {
    std::fs::create_dir_all(config_dir).map_err(io(config_dir))?;
    let file = config_dir.join(FILE);
    std::fs::write(&file, workspace.display().to_string()).map_err(io(&file))
}

/// Opens the demo workspace under `data_dir/demo`, creating it on first use.
pub fn open_or_create_demo(
    data_dir: &Path,
    actor: &str,
    now: imprimatur_store::Timestamp,
) -> WorkspaceResult<crate::Workspace> {
    let dir = data_dir.join("demo");
    if dir.join("imprimatur.toml").is_file() {
        crate::Workspace::open(&dir)
    } else {
        crate::Workspace::create_demo(&dir, actor, now)
    }
}

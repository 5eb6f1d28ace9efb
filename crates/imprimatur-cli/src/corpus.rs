//! `corpus import`: published texts (a site's previous articles, competitor pages) into
//! the duplicates index the check compares drafts with.

use std::io::Write;
use std::path::{Path, PathBuf};

use imprimatur_workspace::{Workspace, WorkspaceError};

use crate::{print_json, Outcome};

#[derive(clap::Subcommand)]
pub(crate) enum CorpusCommand {
    /// Import Markdown, HTML and text files (files or folders, searched recursively) as
    /// a corpus; unchanged files (by content hash) are not indexed again, files that are
    /// not text are skipped and listed, and texts of the corpus whose files are gone are
    /// removed (an import is the whole corpus). Progress on stderr.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The corpus name (default: the name of the first folder or file's folder).
        #[arg(long)]
        name: Option<String>,
    },
}

fn default_name(path: &Path) -> String {
    let folder = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    folder
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "corpus".to_string())
}

pub(crate) fn run(
    cmd: &CorpusCommand,
    workspace: &Path,
    json: bool,
) -> Result<Outcome, WorkspaceError> {
    match cmd {
        CorpusCommand::Import { paths, name } => {
            let ws = Workspace::open(workspace)?;
            let name = name.clone().unwrap_or_else(|| default_name(&paths[0]));
            let mut stderr = std::io::stderr();
            let report = ws.import_corpus(paths, &name, &mut |done, total, file| {
                if done < total {
                    let _ = writeln!(
                        stderr,
                        "[{:>width$}/{total}] {}",
                        done + 1,
                        file.display(),
                        width = total.to_string().len()
                    );
                }
            })?;
            for s in &report.skipped {
                let _ = writeln!(stderr, "skipped {}: {}", s.path, s.reason);
            }
            if json {
                print_json(&report);
            } else {
                println!(
                    "corpus {:?}: {} files, {} added, {} updated, {} removed, {} unchanged, {} skipped; the duplicates index holds {} texts",
                    report.name,
                    report.files,
                    report.added,
                    report.updated,
                    report.removed,
                    report.unchanged,
                    report.skipped.len(),
                    report.indexed
                );
            }
            Ok(Outcome::Done)
        }
    }
}

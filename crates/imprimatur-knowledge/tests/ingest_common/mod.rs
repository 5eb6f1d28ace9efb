//! What the ingestion tests share: the real embedding model (installed once, the same
//! folder the CLI and app use) and a workspace-like temp folder with the demo sources.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use imprimatur_embed::{install_embedder, Embedder, InstallOptions};
use imprimatur_knowledge::pipeline::PassageEmbedder;

pub fn embedder() -> Arc<Embedder> {
    static EMBEDDER: OnceLock<Arc<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            let options = InstallOptions {
                wheels: std::env::var_os("IMPRIMATUR_WHEELS").map(PathBuf::from),
                ..InstallOptions::default()
            };
            let report =
                install_embedder(&options).unwrap_or_else(|e| panic!("installing the model: {e}"));
            Arc::new(
                Embedder::load(&report.target).unwrap_or_else(|e| panic!("loading the model: {e}")),
            )
        })
        .clone()
}

/// The real embedder, counting the passages it is asked to embed: the tests prove
/// unchanged files are never re-embedded.
pub struct Counting {
    pub inner: Arc<Embedder>,
    pub passages: AtomicUsize,
}

impl Counting {
    pub fn new() -> Counting {
        Counting {
            inner: embedder(),
            passages: AtomicUsize::new(0),
        }
    }

    pub fn take(&self) -> usize {
        self.passages.swap(0, Ordering::SeqCst)
    }
}

impl PassageEmbedder for Counting {
    fn dimension(&self) -> usize {
        self.inner.dimension()
    }

    fn embed_passages(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        self.passages.fetch_add(texts.len(), Ordering::SeqCst);
        Ok(self.inner.embed_passages(texts)?)
    }
}

pub fn demo_knowledge() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/knowledge")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

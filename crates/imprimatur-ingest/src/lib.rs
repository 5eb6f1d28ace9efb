//! Knowledge sources to chunks, without any model or index: the part of ingestion that
//! is pure text work.
//!
//! 1. [`extract`] reads a file (Markdown, HTML, plain text, PDF, DOCX) into an
//!    [`Extracted`] text with its blocks (headings and body) and metadata (front matter).
//!    For Markdown and plain text that text *is* the file, so chunk offsets are offsets
//!    into the file and a citation points at the exact bytes.
//! 2. [`chunk()`] cuts it into heading-aware, sentence-bounded [`Chunk`]s with overlap.
//! 3. [`injection::scan`] flags instructions aimed at a model inside a chunk; chunks are
//!    flagged, never dropped, so that the app can show them and prompts quote them.
//!
//! ```
//! # fn main() -> Result<(), imprimatur_ingest::ExtractError> {
//! use std::path::Path;
//! let md = b"---\nlang: de\nproduct: AlbAir 9\n---\n# Preise\n\nDer Arbeitspreis betr\xc3\xa4gt 9,8 ct/kWh.\n";
//! let doc = imprimatur_ingest::extract(Path::new("preise.md"), md)?;
//! let chunks = imprimatur_ingest::chunk(&doc, &imprimatur_ingest::ChunkOptions::default());
//! assert_eq!(chunks[0].heading_path, ["Preise"]);
//! assert_eq!(&doc.text[chunks[0].range.clone()], "Der Arbeitspreis beträgt 9,8 ct/kWh.");
//! assert_eq!(doc.meta.product.as_deref(), Some("AlbAir 9"));
//! # Ok(()) }
//! ```

mod chunk;
mod error;
mod extract;
pub mod injection;
pub mod lang;

pub use chunk::{chunk, Chunk, ChunkOptions};
pub use error::ExtractError;
pub use extract::{extract, extract_file, Block, BlockKind, Extracted, Format, Metadata};
pub use imprimatur_check::Lang;
pub use injection::InjectionFlag;

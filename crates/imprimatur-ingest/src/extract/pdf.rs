//! PDF: the text layer, page by page, with pdf-extract (pure Rust, on lopdf). PDFs carry
//! no reliable headings, so blocks are the paragraphs the extractor separates by blank
//! lines; page starts are kept so a citation can name the page.

use std::path::Path;

use super::{BlockKind, Extracted, Format, Metadata, TextBuilder};
use crate::error::ExtractError;

pub(super) fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let broken = |reason: String| ExtractError::Pdf {
        path: path.to_path_buf(),
        reason,
    };
    if !bytes.starts_with(b"%PDF") {
        return Err(broken("the file does not start with %PDF".into()));
    }
    // pdf-extract panics on some malformed files (index out of range in font tables and
    // the like) instead of returning an error; one bad file must not end the run.
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .map_err(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("the extractor failed");
            broken(format!("malformed content: {what}"))
        })?
        .map_err(|e| broken(e.to_string()))?;
    let mut out = TextBuilder::default();
    let mut starts = Vec::with_capacity(pages.len());
    for page in &pages {
        starts.push(if out.text.is_empty() {
            0
        } else {
            out.text.len() + 2
        });
        for paragraph in page.split("\n\n") {
            // Lines inside a paragraph are layout, not structure.
            let joined: Vec<&str> = paragraph
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            out.push(BlockKind::Body, &joined.join("\n"));
        }
    }
    if out.blocks.is_empty() {
        return Err(ExtractError::PdfWithoutText {
            path: path.to_path_buf(),
        });
    }
    // A page without text starts where the next text does.
    for s in &mut starts {
        *s = (*s).min(out.text.len());
    }
    Ok(Extracted {
        format: Format::Pdf,
        text: out.text,
        blocks: out.blocks,
        meta: Metadata::default(),
        pages: starts,
        warnings: Vec::new(),
    })
}

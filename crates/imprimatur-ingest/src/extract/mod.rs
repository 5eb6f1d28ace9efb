//! Files to text: one [`Extracted`] per source, whatever its format.

mod docx;
mod html;
mod markdown;
mod pdf;
mod plain;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use imprimatur_check::Lang;
use serde::{Deserialize, Serialize};

use crate::error::ExtractError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Markdown,
    Html,
    Text,
    Pdf,
    Docx,
}

impl Format {
    /// The format of a file by its extension (case-insensitive); `None` for files that
    /// are not knowledge sources.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "md" | "markdown" | "mdown" | "mkd" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "txt" | "text" => Format::Text,
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Text => "text",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    /// The inverse of [`Format::as_str`].
    pub fn parse(name: &str) -> Option<Format> {
        [
            Format::Markdown,
            Format::Html,
            Format::Text,
            Format::Pdf,
            Format::Docx,
        ]
        .into_iter()
        .find(|f| f.as_str() == name)
    }

    /// Whether [`Extracted::text`] is the file's own bytes, so that offsets into it are
    /// offsets into the file.
    pub fn text_is_source(self) -> bool {
        matches!(self, Format::Markdown | Format::Text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading with its level (1 = top) and its plain text (no `#`, no markup).
    Heading { level: u8, title: String },
    /// Text to be chunked: a paragraph, list item, table cell or code block.
    Body,
}

/// A leaf block of the extracted text, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte range in [`Extracted::text`].
    pub range: Range<usize>,
}

/// What a source says about itself: Markdown front matter (DESIGN.md keys plus the
/// knowledge keys `product`, `valid_from`, `valid_to`), HTML `<title>` and `lang`, DOCX
/// core properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    pub title: Option<String>,
    /// The declared language; chunks of a document without one are classified one by one.
    pub lang: Option<Lang>,
    pub product: Option<String>,
    /// ISO dates as written (`2026-01-01`); not validated beyond being text.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// Every other front matter key, as JSON.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The text of one source, its blocks and metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub format: Format,
    /// For Markdown and plain text the whole file (front matter included, so offsets are
    /// file offsets); for HTML, PDF and DOCX the visible text, blocks separated by a
    /// blank line.
    pub text: String,
    pub blocks: Vec<Block>,
    pub meta: Metadata,
    /// Byte offsets in `text` where each PDF page starts (empty for other formats).
    pub pages: Vec<usize>,
    /// Problems that did not stop extraction (broken front matter), one line each.
    pub warnings: Vec<String>,
}

impl Extracted {
    /// The 1-based PDF page that byte `offset` of the text is on.
    pub fn page_of(&self, offset: usize) -> Option<u32> {
        if self.pages.is_empty() {
            return None;
        }
        Some(self.pages.partition_point(|&s| s <= offset).max(1) as u32)
    }
}

/// Reads and extracts a file; see [`extract`].
pub fn extract_file(path: &Path) -> Result<Extracted, ExtractError> {
    let bytes = std::fs::read(path).map_err(|source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    extract(path, &bytes)
}

/// Extracts the text of `bytes`, the contents of `path` (whose extension picks the
/// format). Never panics, whatever the bytes: binary or broken files are an error that
/// names the file.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let format = Format::from_path(path).ok_or_else(|| ExtractError::Unsupported {
        path: path.to_path_buf(),
        extension: path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })?;
    match format {
        Format::Markdown => Ok(markdown::extract(text_of(path, bytes, "Markdown")?)),
        Format::Text => Ok(plain::extract(text_of(path, bytes, "plain")?)),
        Format::Html => Ok(html::extract(text_of(path, bytes, "HTML")?)),
        Format::Pdf => pdf::extract(path, bytes),
        Format::Docx => docx::extract(path, bytes),
    }
}

/// The bytes of a text format as UTF-8, or why not. A NUL byte means binary: no text
/// editor writes one, while every binary format has them.
fn text_of<'a>(
    path: &Path,
    bytes: &'a [u8],
    format: &'static str,
) -> Result<&'a str, ExtractError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ExtractError::Binary {
            path: path.to_path_buf(),
            format,
            offset,
        });
    }
    std::str::from_utf8(bytes).map_err(|e| ExtractError::Encoding {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })
}

/// Builds extracted text block by block: blocks are separated by a blank line, so the
/// sentence splitter never joins two of them.
#[derive(Default)]
pub(crate) struct TextBuilder {
    pub text: String,
    pub blocks: Vec<Block>,
}

impl TextBuilder {
    /// Appends a block unless it is blank; surrounding white space is trimmed.
    pub fn push(&mut self, kind: BlockKind, content: &str) {
        let content = content.trim();
        if content.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        let start = self.text.len();
        self.text.push_str(content);
        self.blocks.push(Block {
            kind,
            range: start..self.text.len(),
        });
    }
}

/// Collapses runs of white space (HTML and DOCX line wrapping) into single spaces.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        // ASCII only, as HTML does: a no-break space is meant to stay.
        if c.is_ascii_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

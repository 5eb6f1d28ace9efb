use std::path::PathBuf;

/// Why a file could not be turned into text. Every variant names the file and says what
/// to do about it; ingestion skips the file and goes on with the others.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: `.{extension}` files are not read as knowledge; use Markdown (.md), HTML (.html), text (.txt), PDF or DOCX", path.display())]
    Unsupported { path: PathBuf, extension: String },
    #[error("{}: looks like a binary file (NUL byte at byte {offset}), not {format} text; remove it from knowledge/ or export it as text", path.display())]
    Binary {
        path: PathBuf,
        format: &'static str,
        offset: usize,
    },
    #[error("{}: not valid UTF-8 at byte {offset}; save the file as UTF-8", path.display())]
    Encoding { path: PathBuf, offset: usize },
    #[error("{}: not a readable PDF ({reason}); re-export it from the original application", path.display())]
    Pdf { path: PathBuf, reason: String },
    #[error("{}: the PDF has no text layer (a scan?); run OCR on it or add the text as a .txt file", path.display())]
    PdfWithoutText { path: PathBuf },
    #[error("{}: not a readable DOCX file ({reason}); open and save it again in Word or LibreOffice", path.display())]
    Docx { path: PathBuf, reason: String },
}

impl ExtractError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            ExtractError::Io { path, .. }
            | ExtractError::Unsupported { path, .. }
            | ExtractError::Binary { path, .. }
            | ExtractError::Encoding { path, .. }
            | ExtractError::Pdf { path, .. }
            | ExtractError::PdfWithoutText { path }
            | ExtractError::Docx { path, .. } => path,
        }
    }
}

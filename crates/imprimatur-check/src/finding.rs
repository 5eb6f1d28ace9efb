use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which check produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Style,
    Seo,
    Facts,
    Duplicates,
    /// Problems with the document itself, such as broken front matter.
    Document,
}

/// Most severe first, so sorting puts errors on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Suggestion,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
            Severity::Info => "info",
        }
    }
}

/// A place in the source text: byte offsets (end exclusive) and the 1-based line and
/// column (in characters) of `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

/// A message in the document's language, plus the key and arguments it was made from so
/// the UI can show it in the UI's language instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Message {
    pub key: String,
    pub args: BTreeMap<String, String>,
    pub text: String,
}

impl Message {
    /// A message that needs no localisation key of its own (e.g. a style rule's text).
    pub fn plain(key: impl Into<String>, text: impl Into<String>) -> Self {
        Message {
            key: key.into(),
            args: BTreeMap::new(),
            text: text.into(),
        }
    }
}

/// Replace the bytes `start..end` of the source with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Edit {
    pub start: u32,
    pub end: u32,
    pub replacement: String,
}

/// A safe correction, applied as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Fix {
    /// What the fix does, in the document's language, e.g. "Ersetzen durch „Sie“".
    pub label: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub check: CheckKind,
    /// Stable id, e.g. `Brand.AddressForm`, `seo.keyphrase_density`, `facts.contradicted`.
    pub code: String,
    pub severity: Severity,
    pub message: Message,
    pub span: Span,
    pub fix: Option<Fix>,
    /// Measured values, a source span, the other document of a duplicate...
    #[ts(type = "unknown")]
    pub evidence: Option<serde_json::Value>,
}

/// The findings and per-check scores of one revision, keyed by its content hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckReport {
    pub content_hash: String,
    pub findings: Vec<Finding>,
    pub scores: BTreeMap<String, f64>,
}

impl CheckReport {
    /// Sorts findings by position, then severity, then code, so reports compare and hash stably.
    pub fn normalise(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.span.start, a.severity, &a.code, a.span.end).cmp(&(
                b.span.start,
                b.severity,
                &b.code,
                b.span.end,
            ))
        });
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

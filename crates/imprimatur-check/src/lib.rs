//! What every check shares (see `shared/DESIGN.md`): one [`Finding`] type for style, SEO,
//! fact and duplicate checks, the [`CheckReport`] of one revision, the document's front
//! matter, and a Markdown source map so every finding points at exact bytes, lines and
//! columns of the text the user edits.
//!
//! A check is a pure function `(&Document, &Config) -> Vec<Finding>`.

mod document;
mod finding;
mod front_matter;
mod lines;
pub mod text;

pub use document::{Block, BlockKind, Document, Link, Prose};
pub use finding::{CheckKind, CheckReport, Edit, Finding, Fix, Message, Severity, Span};
pub use front_matter::{FrontMatter, Lang};
pub use lines::LineIndex;

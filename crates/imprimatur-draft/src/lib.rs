//! Brief to grounded draft.
//!
//! # Flow
//! 1. A [`Brief`] (TOML file or YAML front matter, fields of `templates/briefs/`) is
//!    parsed and [`Brief::validate`]d; [`Brief::compile`] turns it into the
//!    [`CheckSettings`] the SEO, style and fact checks use on the draft.
//! 2. [`outline`] asks the model (through `imprimatur_model::Router`) for an
//!    [`Outline`]; the editor may change it.
//! 3. [`write_section`] writes one section: hybrid retrieval for the section (the
//!    caller's [`Retrieval`]), the retrieved chunks handed to the model as numbered,
//!    quoted data, the answer streamed as [`DraftEvent`]s, the `[n]` markers parsed by
//!    [`parse_citations`] into [`Citation`]s that point at source spans, and sentences
//!    with a factual claim but no citation marked. [`write_draft`] does every section.
//! 4. [`Draft::markdown`] is the document: front matter linking the brief, the
//!    sections, and one Markdown link reference definition per cited source span
//!    (`[3]: knowledge/faq.md#bytes=120-480 "FAQ › Förderung"`), so the citations
//!    stay in the text and survive edits ([`references`] reads them back).
//!
//! Prompts are versioned templates ([`prompt`]); the brand voice enters the system
//! prompt as a deterministic summary of the active style packs ([`voice`]).
//! Provenance (which bytes are still AI text) lives in `imprimatur-store`
//! (`Store::provenance`, `Store::ai_share`).

pub mod brief;
pub mod citation;
pub mod claims;
mod error;
pub mod generate;
pub mod prompt;
pub mod save;
pub mod voice;

pub use brief::{
    AddressForm, Brief, BriefProblem, BriefTemplate, CheckSettings, FactSettings, SearchIntent,
    SeoSettings, StyleSettings, TemplateField,
};
pub use citation::{
    parse_citations, references, Citation, CitationProblem, CitationProblemKind, RawCitation,
    Reference, SourceSpan,
};
pub use claims::{uncited_claims, UncitedClaim};
pub use error::{DraftError, RetrievalError};
pub use generate::{
    assemble, attribute, outline, parse_outline, write_draft, write_section, Draft, DraftEvent,
    Generation, Outline, OutlineSection, Passage, Retrieval, RetrievalRequest, SectionDraft,
};
pub use prompt::{PromptTemplate, Prompts};
pub use save::save_brief;
pub use voice::voice_summary;

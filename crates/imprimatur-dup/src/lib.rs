//! Duplicate and overlap detection for a draft against other texts (the workspace's
//! documents, the knowledge base, imported corpora):
//!
//! - **near-duplicate documents**: MinHash over word shingles with LSH ([`DupIndex`]);
//! - **copied passages**: winnowed word-gram fingerprints chained into maximal passages,
//!   with their spans in both texts and the share of the draft they cover;
//! - **same topic**: cosine verdicts over precomputed embeddings ([`topic`]).
//!
//! Text is normalised for German and English first ([`normalise`]). [`check`] turns the
//! results into the shared `Finding`s with codes `dup.near_duplicate`,
//! `dup.copied_passage` and `dup.same_topic`.

pub mod check;
pub mod index;
pub mod minhash;
pub mod normalise;
pub mod passage;
pub mod settings;
pub mod topic;

pub use check::{check, topic_findings, OtherText};
pub use index::{Candidate, DupIndex, Overlap, Passage, TextProfile};
pub use settings::{DupSettings, DupSource};
pub use topic::{same_topic, TopicVectors, TopicVerdict};

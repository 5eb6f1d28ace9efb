//! Thresholds and parameters: the `[duplicates]` section of imprimatur.toml, owned by
//! this crate. Every key has a default; an unknown key is an error.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DupSettings {
    /// Words per shingle for MinHash: 3 keeps near-duplicates similar under synonyms and
    /// still separates texts that only share vocabulary.
    pub shingle_words: usize,
    /// MinHash permutations (signature length).
    pub num_perm: usize,
    /// Jaccard similarity LSH aims at when proposing candidates (below the verdict, so
    /// that the verdict's borderline cases are still proposed).
    pub candidate_jaccard: f64,
    /// Exact shingle Jaccard at or above which a document is a near-duplicate.
    pub near_duplicate_jaccard: f64,
    /// Words per fingerprinted gram for copied passages.
    pub passage_gram_words: usize,
    /// Winnowing window: runs of `passage_gram_words + passage_window - 1` equal words
    /// are always found.
    pub passage_window: usize,
    /// Shortest passage reported, in words.
    pub passage_min_words: usize,
    /// Largest gap (changed, inserted or deleted words) inside one passage.
    pub passage_max_gap: usize,
    /// Fingerprints shared by more documents than this are boilerplate and ignored.
    pub max_postings: u32,
    /// Share of the draft inside copied passages from one document that makes the
    /// passage findings warnings rather than suggestions.
    pub passage_warning_coverage: f64,
    /// Cosine of document embeddings at or above which two documents are on the same
    /// topic. e5 cosines sit high (unrelated texts near 0.75–0.8), hence the level.
    pub same_topic_cosine: f64,
    /// Cosine of title or keyphrase embeddings at or above which two documents target
    /// the same search intent.
    pub same_title_cosine: f64,
    /// What a draft is compared with: `documents` (the workspace's own), `corpus`
    /// (imported published texts, `imprimatur corpus import`), `knowledge` (the files of
    /// knowledge/, to catch sources copied verbatim).
    pub sources: Vec<DupSource>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DupSource {
    Documents,
    Corpus,
    Knowledge,
}

impl DupSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DupSource::Documents => "documents",
            DupSource::Corpus => "corpus",
            DupSource::Knowledge => "knowledge",
        }
    }
}

impl Default for DupSettings {
    fn default() -> Self {
        DupSettings {
            shingle_words: 3,
            num_perm: 128,
            candidate_jaccard: 0.2,
            near_duplicate_jaccard: 0.3,
            passage_gram_words: 5,
            passage_window: 6,
            passage_min_words: 12,
            passage_max_gap: 10,
            max_postings: 2_000,
            passage_warning_coverage: 0.2,
            same_topic_cosine: 0.9,
            same_title_cosine: 0.93,
            sources: vec![
                DupSource::Documents,
                DupSource::Corpus,
                DupSource::Knowledge,
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_section_keeps_the_other_defaults_and_unknown_keys_fail() {
        let s: DupSettings = toml::from_str("near_duplicate_jaccard = 0.5").unwrap();
        assert_eq!(s.near_duplicate_jaccard, 0.5);
        assert_eq!(s.shingle_words, DupSettings::default().shingle_words);
        let err = toml::from_str::<DupSettings>("near_dup = 0.5").unwrap_err();
        assert!(err.to_string().contains("near_dup"), "{err}");
    }
}

//! One index for both lookups: MinHash/LSH for near-duplicate documents and winnowed
//! fingerprints for copied passages, updated one document at a time.

use std::collections::HashMap;
use std::ops::Range;

use crate::minhash::{
    estimate, jaccard, optimal_bands, shingles, word_hashes, LshIndex, MinHasher,
};
use crate::normalise::{tokens, Token};
use crate::passage::{chain, coverage, extend, winnow, FingerprintIndex, WordPassage};
use crate::settings::DupSettings;

/// A text prepared for comparison: tokens with spans, word hashes, shingles, signature.
#[derive(Debug, Clone)]
pub struct TextProfile {
    pub tokens: Vec<Token>,
    pub words: Vec<u64>,
    pub shingles: Vec<u64>,
    pub signature: Vec<u32>,
}

/// A document the index proposes for a draft, before verification against its text.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    /// Jaccard similarity of the shingle sets estimated from the signatures.
    pub estimated_jaccard: f64,
    /// Whether LSH proposed it (else only shared passages did).
    pub by_lsh: bool,
    /// Passages in word positions, before their ends are made exact.
    pub passages: Vec<WordPassage>,
}

/// A passage in byte ranges of the draft and of the other text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub draft: Range<usize>,
    pub other: Range<usize>,
    pub words: usize,
}

/// A candidate checked against the other document's text.
#[derive(Debug, Clone)]
pub struct Overlap {
    pub id: String,
    pub estimated_jaccard: f64,
    pub jaccard: f64,
    pub passages: Vec<Passage>,
    /// Share of the draft's words inside a shared passage.
    pub coverage: f64,
    /// Whether the exact Jaccard reaches the near-duplicate threshold.
    pub near_duplicate: bool,
}

#[derive(Debug)]
pub struct DupIndex {
    settings: DupSettings,
    hasher: MinHasher,
    lsh: LshIndex,
    fingerprints: FingerprintIndex,
    ids: Vec<Option<String>>,
    slots: HashMap<String, u32>,
}

impl DupIndex {
    pub fn new(settings: &DupSettings) -> DupIndex {
        let (bands, rows) = optimal_bands(settings.candidate_jaccard, settings.num_perm);
        DupIndex {
            settings: settings.clone(),
            hasher: MinHasher::new(settings.num_perm, 1),
            lsh: LshIndex::new(bands, rows),
            fingerprints: FingerprintIndex::default(),
            ids: Vec::new(),
            slots: HashMap::new(),
        }
    }

    pub fn settings(&self) -> &DupSettings {
        &self.settings
    }

    pub fn profile(&self, text: &str) -> TextProfile {
        let tokens = tokens(text);
        let words = word_hashes(&tokens);
        let shingles = shingles(&words, self.settings.shingle_words);
        let signature = self.hasher.signature(&shingles);
        TextProfile {
            tokens,
            words,
            shingles,
            signature,
        }
    }

    /// Adds a document, or replaces the one with the same id.
    pub fn upsert(&mut self, id: &str, text: &str) {
        let profile = self.profile(text);
        self.upsert_profile(id, &profile);
    }

    pub fn upsert_profile(&mut self, id: &str, profile: &TextProfile) {
        let fps = self.fingerprints_of(profile);
        self.upsert_indexed(id, &profile.signature, &fps);
    }

    /// The winnowed `(fingerprint, word position)` pairs of a profile: with its
    /// signature, all the index stores of a document, so a persisted index can be
    /// loaded without profiling its texts again.
    pub fn fingerprints_of(&self, profile: &TextProfile) -> Vec<(u64, u32)> {
        winnow(
            &profile.words,
            self.settings.passage_gram_words,
            self.settings.passage_window,
        )
    }

    /// Adds (or replaces) a document from a stored signature and fingerprints, made
    /// earlier with the same settings by [`DupIndex::profile`] and
    /// [`DupIndex::fingerprints_of`].
    pub fn upsert_indexed(&mut self, id: &str, signature: &[u32], fingerprints: &[(u64, u32)]) {
        self.remove(id);
        let slot = self.ids.len() as u32;
        self.ids.push(Some(id.to_string()));
        self.slots.insert(id.to_string(), slot);
        self.lsh.insert(slot, signature);
        self.fingerprints.insert(slot, fingerprints);
    }

    /// Removes a document; returns whether it was there. Its table entries are dropped
    /// lazily: when removed documents reach a third of all slots, the tables are rebuilt.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slots.remove(id) else {
            return false;
        };
        self.ids[slot as usize] = None;
        self.lsh.remove(slot);
        self.fingerprints.remove(slot);
        if self.lsh.dead() * 3 > self.ids.len() && self.ids.len() > 64 {
            self.compact();
        }
        true
    }

    fn compact(&mut self) {
        self.lsh.compact();
        self.fingerprints.compact();
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.slots.contains_key(id)
    }

    /// Documents that may be near-duplicates of the draft or share passages with it,
    /// best first. `exclude` is the draft's own id, if it is indexed.
    pub fn query(&self, draft: &TextProfile, exclude: Option<&str>) -> Vec<Candidate> {
        let s = &self.settings;
        let exclude = exclude.and_then(|id| self.slots.get(id).copied());
        let mut found: HashMap<u32, Candidate> = HashMap::new();
        for slot in self.lsh.candidates(&draft.signature) {
            if Some(slot) == exclude {
                continue;
            }
            let sig = self.lsh.signature(slot).expect("candidates are live");
            found.insert(
                slot,
                self.candidate(slot, estimate(&draft.signature, sig), true),
            );
        }
        let grams = shingles(&draft.words, s.passage_gram_words);
        let k = s.passage_gram_words as u32;
        let min_chain = (s.passage_min_words as u32)
            .saturating_sub(s.passage_window as u32)
            .max(k);
        for (slot, pairs) in self.fingerprints.matches(&grams, s.max_postings) {
            if Some(slot) == exclude {
                continue;
            }
            let passages: Vec<WordPassage> = chain(pairs, k, s.passage_max_gap as u32)
                .into_iter()
                .filter(|p| p.draft.end - p.draft.start >= min_chain)
                .collect();
            if passages.is_empty() {
                continue;
            }
            let c = found.entry(slot).or_insert_with(|| {
                let sig = self.lsh.signature(slot).expect("live slot");
                self.candidate(slot, estimate(&draft.signature, sig), false)
            });
            c.passages = passages;
        }
        let mut out: Vec<Candidate> = found.into_values().collect();
        out.sort_by(|a, b| {
            b.estimated_jaccard
                .total_cmp(&a.estimated_jaccard)
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    fn candidate(&self, slot: u32, estimated_jaccard: f64, by_lsh: bool) -> Candidate {
        Candidate {
            id: self.ids[slot as usize].clone().expect("live slot"),
            estimated_jaccard,
            by_lsh,
            passages: Vec::new(),
        }
    }

    /// Checks a candidate against the other document's text (the same text that was
    /// indexed): the exact Jaccard, passage ends made exact, byte spans in both texts.
    pub fn verify(&self, draft: &TextProfile, candidate: &Candidate, other_text: &str) -> Overlap {
        let other = self.profile(other_text);
        let s = &self.settings;
        let j = jaccard(&draft.shingles, &other.shingles);
        let mut passages = Vec::new();
        let mut word_ranges = Vec::new();
        for p in &candidate.passages {
            let mut p = p.clone();
            extend(&mut p, &draft.words, &other.words);
            let (ds, de) = (
                p.draft.start as usize,
                (p.draft.end as usize).min(draft.tokens.len()),
            );
            let (os, oe) = (
                p.other.start as usize,
                (p.other.end as usize).min(other.tokens.len()),
            );
            if de <= ds || oe <= os || de - ds < s.passage_min_words {
                continue;
            }
            word_ranges.push(p.draft.clone());
            passages.push(Passage {
                draft: draft.tokens[ds].span.start..draft.tokens[de - 1].span.end,
                other: other.tokens[os].span.start..other.tokens[oe - 1].span.end,
                words: de - ds,
            });
        }
        // Overlapping chains (e.g. a repeated sentence) give one passage.
        passages.sort_by_key(|p| (p.draft.start, std::cmp::Reverse(p.draft.end)));
        let mut merged: Vec<Passage> = Vec::new();
        for p in passages {
            match merged.last_mut() {
                Some(m)
                    if p.draft.start < m.draft.end
                        && p.other.start < m.other.end
                        && p.other.end > m.other.start =>
                {
                    m.draft.end = m.draft.end.max(p.draft.end);
                    m.other.start = m.other.start.min(p.other.start);
                    m.other.end = m.other.end.max(p.other.end);
                    m.words = m.words.max(p.words);
                }
                _ => merged.push(p),
            }
        }
        Overlap {
            id: candidate.id.clone(),
            estimated_jaccard: candidate.estimated_jaccard,
            jaccard: j,
            coverage: coverage(word_ranges, draft.words.len()),
            near_duplicate: j >= s.near_duplicate_jaccard,
            passages: merged,
        }
    }

    /// Approximate heap bytes of the index.
    pub fn heap_bytes(&self) -> usize {
        let ids: usize = self
            .ids
            .iter()
            .map(|i| 24 + i.as_ref().map_or(0, |s| s.capacity()))
            .sum();
        let slots: usize = self.slots.capacity() * (24 + 4 + 1)
            + self.slots.keys().map(String::capacity).sum::<usize>();
        self.lsh.heap_bytes() + self.fingerprints.heap_bytes() + ids + slots
    }

    /// Number of winnowed fingerprints stored (including those of removed documents).
    pub fn fingerprint_count(&self) -> usize {
        self.fingerprints.fingerprints()
    }
}

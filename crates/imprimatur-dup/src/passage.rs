//! Copied passages by winnowing (Schleimer, Wilkerson, Aiken 2003, the MOSS algorithm):
//! hashes of `k`-word grams, of which each window of `w` consecutive grams keeps its
//! minimum. Any run of at least `w + k - 1` equal words therefore shares a fingerprint.
//! The index stores only the winnowed fingerprints of each document; a draft is looked up
//! with all of its grams, so every fingerprint inside a shared run is found. Matches are
//! chained into maximal passages that tolerate small edits between them.

use std::collections::HashMap;
use std::ops::Range;

use crate::minhash::shingles;

/// `(hash, word position of the gram's first word)` of the winnowed grams.
pub fn winnow(words: &[u64], k: usize, w: usize) -> Vec<(u64, u32)> {
    let grams = shingles(words, k);
    let w = w.max(1);
    let mut out: Vec<(u64, u32)> = Vec::with_capacity(grams.len() * 2 / (w + 1) + 1);
    if grams.len() <= w {
        if let Some((i, &h)) = grams
            .iter()
            .enumerate()
            .min_by_key(|&(i, h)| (*h, usize::MAX - i))
        {
            out.push((h, i as u32));
        }
        return out;
    }
    let mut last: Option<usize> = None;
    for start in 0..=grams.len() - w {
        // The rightmost minimum of the window, as in the paper (robust for runs of equal hashes).
        let mut best = start;
        for i in start..start + w {
            if grams[i] <= grams[best] {
                best = i;
            }
        }
        if last != Some(best) {
            out.push((grams[best], best as u32));
            last = Some(best);
        }
    }
    out
}

/// A passage shared by the draft and another document, in word positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPassage {
    pub draft: Range<u32>,
    pub other: Range<u32>,
    /// How many fingerprints support it.
    pub anchors: u32,
}

const NONE: u32 = u32::MAX;

/// Fingerprint → postings `(slot, word position)`, chained in one arena so that a
/// posting costs 12 bytes. Postings of removed slots stay until [`FingerprintIndex::compact`].
#[derive(Debug, Default)]
pub struct FingerprintIndex {
    /// Low 32 bits of the fingerprint → (newest posting, number of postings).
    heads: HashMap<u32, (u32, u32)>,
    postings: Vec<(u32, u32, u32)>,
    live: Vec<bool>,
    fingerprints: usize,
}

impl FingerprintIndex {
    pub fn insert(&mut self, slot: u32, fingerprints: &[(u64, u32)]) {
        let s = slot as usize;
        if self.live.len() <= s {
            self.live.resize(s + 1, false);
        }
        self.live[s] = true;
        for &(h, pos) in fingerprints {
            let p = self.postings.len() as u32;
            let head = self.heads.entry(h as u32).or_insert((NONE, 0));
            self.postings.push((slot, pos, head.0));
            *head = (p, head.1 + 1);
        }
        self.fingerprints += fingerprints.len();
    }

    pub fn remove(&mut self, slot: u32) {
        if let Some(l) = self.live.get_mut(slot as usize) {
            *l = false;
        }
    }

    /// For each live slot, the `(draft position, other position)` pairs of shared grams.
    /// Fingerprints held by more than `max_postings` documents (boilerplate) are skipped.
    pub fn matches(&self, draft_grams: &[u64], max_postings: u32) -> HashMap<u32, Vec<(u32, u32)>> {
        let mut out: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        for (dpos, &h) in draft_grams.iter().enumerate() {
            let Some(&(mut p, count)) = self.heads.get(&(h as u32)) else {
                continue;
            };
            if count > max_postings {
                continue;
            }
            while p != NONE {
                let (slot, pos, next) = self.postings[p as usize];
                if self.live[slot as usize] {
                    out.entry(slot).or_default().push((dpos as u32, pos));
                }
                p = next;
            }
        }
        out
    }

    /// Rebuilds without the postings of removed slots.
    pub fn compact(&mut self) {
        let mut per_slot: Vec<Vec<(u64, u32)>> = vec![Vec::new(); self.live.len()];
        for (&h, &(mut p, _)) in &self.heads {
            while p != NONE {
                let (slot, pos, next) = self.postings[p as usize];
                if self.live[slot as usize] {
                    per_slot[slot as usize].push((u64::from(h), pos));
                }
                p = next;
            }
        }
        let live = std::mem::take(&mut self.live);
        *self = FingerprintIndex::default();
        for (slot, fps) in per_slot.iter().enumerate() {
            if live[slot] {
                self.insert(slot as u32, fps);
            }
        }
        self.live.resize(live.len(), false);
    }

    pub fn heap_bytes(&self) -> usize {
        self.heads.capacity() * (4 + 8 + 1) + self.postings.capacity() * 12 + self.live.capacity()
    }

    pub fn fingerprints(&self) -> usize {
        self.fingerprints
    }
}

/// Chains gram matches into passages: a match continues a passage when it follows within
/// `max_gap` words in both texts and stays near the same diagonal, so a changed word or
/// an inserted clause does not split a copied paragraph.
pub fn chain(mut pairs: Vec<(u32, u32)>, k: u32, max_gap: u32) -> Vec<WordPassage> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut open: Vec<WordPassage> = Vec::new();
    let mut last: Vec<(u32, u32)> = Vec::new();
    for (d, o) in pairs {
        let mut best: Option<(usize, i64)> = None;
        for (i, &(ld, lo)) in last.iter().enumerate() {
            if d < ld || d > ld + max_gap || o + k < lo || o > lo + max_gap {
                continue;
            }
            let skew = ((i64::from(d) - i64::from(ld)) - (i64::from(o) - i64::from(lo))).abs();
            if skew > i64::from(max_gap) {
                continue;
            }
            if best.is_none_or(|(_, s)| skew < s) {
                best = Some((i, skew));
            }
        }
        match best {
            Some((i, _)) => {
                let p = &mut open[i];
                p.draft.end = p.draft.end.max(d + k);
                p.other.start = p.other.start.min(o);
                p.other.end = p.other.end.max(o + k);
                p.anchors += 1;
                last[i] = (d, o);
            }
            None => {
                open.push(WordPassage {
                    draft: d..d + k,
                    other: o..o + k,
                    anchors: 1,
                });
                last.push((d, o));
            }
        }
    }
    open.sort_by_key(|p| (p.draft.start, p.other.start));
    open
}

/// Grows a passage word by word while both texts agree, so its ends are exact even
/// though only every few grams was fingerprinted.
pub fn extend(p: &mut WordPassage, draft: &[u64], other: &[u64]) {
    let (mut ds, mut os) = (p.draft.start as usize, p.other.start as usize);
    while ds > 0 && os > 0 && draft[ds - 1] == other[os - 1] {
        ds -= 1;
        os -= 1;
    }
    let (mut de, mut oe) = (
        (p.draft.end as usize).min(draft.len()),
        (p.other.end as usize).min(other.len()),
    );
    while de < draft.len() && oe < other.len() && draft[de] == other[oe] {
        de += 1;
        oe += 1;
    }
    p.draft = ds as u32..de as u32;
    p.other = os as u32..oe as u32;
}

/// The share of `len` words covered by the union of `ranges`.
pub fn coverage(ranges: impl IntoIterator<Item = Range<u32>>, len: usize) -> f64 {
    if len == 0 {
        return 0.0;
    }
    let mut r: Vec<Range<u32>> = ranges.into_iter().collect();
    r.sort_by_key(|r| r.start);
    let (mut covered, mut end) = (0u32, 0u32);
    for x in r {
        let s = x.start.max(end);
        if x.end > s {
            covered += x.end - s;
            end = x.end;
        }
    }
    (f64::from(covered) / len as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_enough_shared_run_always_shares_a_fingerprint() {
        let (k, w) = (5, 6);
        let shared: Vec<u64> = (1000..1000 + (k + w - 1) as u64).collect();
        for prefix in 0..20u64 {
            let mut doc: Vec<u64> = (0..prefix).map(|x| x * 7 + 3).collect();
            doc.extend(&shared);
            doc.extend((0..9).map(|x| x * 11 + 5));
            let fps = winnow(&doc, k, w);
            let grams = shingles(&shared, k);
            assert!(
                fps.iter().any(|(h, _)| grams.contains(h)),
                "prefix {prefix}"
            );
        }
    }

    #[test]
    fn chained_matches_skip_one_changed_word() {
        let pairs: Vec<(u32, u32)> = (0..10).chain(14..30).map(|i| (i, i + 100)).collect();
        let p = chain(pairs, 5, 8);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].draft, 0..34);
        assert_eq!(p[0].other, 100..134);
    }

    #[test]
    fn coverage_counts_overlaps_once() {
        assert!((coverage([0..10, 5..15, 20..25], 50) - 0.4).abs() < 1e-9);
    }
}

//! MinHash signatures over word shingles and an LSH index over them.
//!
//! Written here rather than taken from a crate: the signature is 30 lines of
//! multiply-shift hashing, and the index needs what the Rust MinHash crates (gaoya,
//! probminhash) do not combine: removal and replacement by document id, compact
//! memory (one u32 per band entry in an arena instead of a `Vec` per bucket) for 100k
//! documents, and the band/row choice from a target Jaccard threshold as in datasketch.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

use crate::normalise::Token;

/// The 64-bit hash of each folded word.
pub fn word_hashes(tokens: &[Token]) -> Vec<u64> {
    tokens.iter().map(|t| xxh3_64(t.norm.as_bytes())).collect()
}

/// Combines `k` consecutive word hashes into one shingle hash (order-sensitive).
fn combine(words: &[u64]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &w in words {
        h = (h.rotate_left(23) ^ w).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    }
    h ^ (h >> 29)
}

/// The hashes of all `k`-word shingles; a text shorter than `k` words is one shingle.
pub fn shingles(words: &[u64], k: usize) -> Vec<u64> {
    let k = k.max(1);
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() < k {
        return vec![combine(words)];
    }
    words.windows(k).map(combine).collect()
}

/// The exact Jaccard similarity of two shingle lists (as sets).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (a.len() + b.len() - inter) as f64
}

/// Makes signatures with `n` fixed permutations (multiply-shift hashing of the shingle
/// hash, seeded, so signatures from different runs compare).
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    pub fn new(num_perm: usize, seed: u64) -> MinHasher {
        let mut state = seed ^ 0x5851_F42D_4C95_7F2D;
        let mut next = || {
            // splitmix64: a fixed, well-mixed sequence of permutation parameters.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut a = Vec::with_capacity(num_perm);
        let mut b = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            a.push(next() | 1);
            b.push(next());
        }
        MinHasher { a, b }
    }

    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// The signature: per permutation, the minimum of the top 32 bits of `a·x + b`.
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.a.len()];
        for &x in shingles {
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let v = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                if v < *s {
                    *s = v;
                }
            }
        }
        sig
    }
}

/// The share of equal positions: the estimate of the Jaccard similarity.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// Bands and rows for `num_perm` permutations such that pairs above `threshold` become
/// candidates: minimises the weighted false-positive and false-negative probability
/// areas of the S-curve, like datasketch's `_optimal_param` (false negatives weigh more,
/// since candidates are verified anyway).
pub fn optimal_bands(threshold: f64, num_perm: usize) -> (usize, usize) {
    let integrate = |f: &dyn Fn(f64) -> f64, lo: f64, hi: f64| {
        let steps = 200;
        let w = (hi - lo) / steps as f64;
        (0..steps)
            .map(|i| f(lo + (i as f64 + 0.5) * w) * w)
            .sum::<f64>()
    };
    let mut best = (1, num_perm.max(1));
    let mut best_err = f64::MAX;
    for b in 1..=num_perm {
        for r in 1..=num_perm / b {
            let p = |s: f64| 1.0 - (1.0 - s.powi(r as i32)).powi(b as i32);
            let fp = integrate(&p, 0.0, threshold);
            let fneg = integrate(&|s| 1.0 - p(s), threshold, 1.0);
            let err = 0.3 * fp + 0.7 * fneg;
            if err < best_err {
                best_err = err;
                best = (b, r);
            }
        }
    }
    best
}

const NONE: u32 = u32::MAX;

/// One band's hash table: key → the newest entry of a chain in a shared arena.
#[derive(Debug, Default)]
struct Band {
    heads: HashMap<u64, u32>,
}

/// Near-duplicate candidates by locality-sensitive hashing of signatures, updated one
/// document at a time. Removed documents leave their band entries behind until
/// [`LshIndex::compact`]; lookups skip them.
#[derive(Debug)]
pub struct LshIndex {
    bands: Vec<Band>,
    rows: usize,
    /// Arena of (slot, next entry in the same bucket).
    entries: Vec<(u32, u32)>,
    /// Per slot: the signature, or `None` once removed.
    signatures: Vec<Option<Box<[u32]>>>,
    dead: usize,
}

impl LshIndex {
    pub fn new(bands: usize, rows: usize) -> LshIndex {
        LshIndex {
            bands: (0..bands).map(|_| Band::default()).collect(),
            rows,
            entries: Vec::new(),
            signatures: Vec::new(),
            dead: 0,
        }
    }

    fn band_key(&self, sig: &[u32], band: usize) -> u64 {
        let rows = &sig[band * self.rows..(band + 1) * self.rows];
        let mut bytes = [0u8; 4 * 64];
        let n = rows.len().min(64);
        for (i, r) in rows[..n].iter().enumerate() {
            bytes[i * 4..i * 4 + 4].copy_from_slice(&r.to_le_bytes());
        }
        xxh3_64(&bytes[..n * 4])
    }

    /// Stores `sig` under `slot` (slots are handed out by the caller, in order).
    pub fn insert(&mut self, slot: u32, sig: &[u32]) {
        let slot_ix = slot as usize;
        if self.signatures.len() <= slot_ix {
            self.signatures.resize(slot_ix + 1, None);
        }
        for band in 0..self.bands.len() {
            let key = self.band_key(sig, band);
            let entry = self.entries.len() as u32;
            let head = self.bands[band].heads.entry(key).or_insert(NONE);
            self.entries.push((slot, *head));
            *head = entry;
        }
        self.signatures[slot_ix] = Some(sig.into());
    }

    pub fn remove(&mut self, slot: u32) {
        if let Some(s) = self.signatures.get_mut(slot as usize) {
            if s.take().is_some() {
                self.dead += 1;
            }
        }
    }

    pub fn signature(&self, slot: u32) -> Option<&[u32]> {
        self.signatures.get(slot as usize)?.as_deref()
    }

    /// Live slots sharing at least one band with `sig`, each once.
    pub fn candidates(&self, sig: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        for band in 0..self.bands.len() {
            let key = self.band_key(sig, band);
            let mut e = self.bands[band].heads.get(&key).copied().unwrap_or(NONE);
            while e != NONE {
                let (slot, next) = self.entries[e as usize];
                if self.signature(slot).is_some() {
                    out.push(slot);
                }
                e = next;
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Rebuilds the tables without the entries of removed documents.
    pub fn compact(&mut self) {
        let sigs = std::mem::take(&mut self.signatures);
        let mut fresh = LshIndex::new(self.bands.len(), self.rows);
        for (slot, sig) in sigs.iter().enumerate() {
            if let Some(sig) = sig {
                fresh.insert(slot as u32, sig);
            }
        }
        fresh.signatures.resize(sigs.len(), None);
        *self = fresh;
    }

    pub fn dead(&self) -> usize {
        self.dead
    }

    /// Heap bytes held (approximate: tables at their capacity).
    pub fn heap_bytes(&self) -> usize {
        let tables: usize = self
            .bands
            .iter()
            .map(|b| b.heads.capacity() * (8 + 4 + 1))
            .sum();
        let sigs: usize = self
            .signatures
            .iter()
            .map(|s| 16 + s.as_ref().map_or(0, |s| s.len() * 4))
            .sum();
        tables + self.entries.capacity() * 8 + sigs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_tracks_exact_jaccard() {
        let h = MinHasher::new(256, 1);
        let a: Vec<u64> = (0..1000).collect();
        let b: Vec<u64> = (500..1500).collect();
        let est = estimate(&h.signature(&a), &h.signature(&b));
        let exact = jaccard(&a, &b);
        assert!((exact - 1.0 / 3.0).abs() < 1e-9);
        assert!((est - exact).abs() < 0.08, "estimate {est}, exact {exact}");
    }

    #[test]
    fn bands_follow_the_threshold() {
        let (b_lo, r_lo) = optimal_bands(0.3, 128);
        let (b_hi, r_hi) = optimal_bands(0.8, 128);
        assert!(b_lo * r_lo <= 128 && b_hi * r_hi <= 128);
        assert!(r_lo < r_hi, "low threshold: fewer rows per band");
    }
}

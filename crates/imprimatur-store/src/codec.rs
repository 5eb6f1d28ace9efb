//! How revision content is kept small on disk.
//!
//! Autosave writes hundreds of revisions that differ by a few words. Each revision is
//! stored either as a *keyframe* (the whole text, zstd level 3) or as a *delta*: the text
//! compressed by zstd with its keyframe's text as a raw-content dictionary. zstd then
//! encodes the unchanged parts as back-references into the keyframe, so a delta of a
//! small edit costs tens of bytes. A delta always refers to a keyframe directly, never to
//! another delta, so reading any revision takes at most two decompressions, however long
//! the history. A new keyframe starts when a delta would grow past 1/24 of its
//! keyframe's stored size, which bounds both the delta size and the work to read it.

use crate::StoreResult;

/// Larger texts are refused with a clear message instead of slowing every save down.
pub const MAX_CONTENT_BYTES: usize = 16 * 1024 * 1024;

const LEVEL: i32 = 3;

/// A delta is kept while it is at most 1/N of its keyframe's stored size. The benchmark
/// (1,000 edits of a 2,000-word text) measured 856 B per revision at N = 4, 352 B at 12 and
/// 299 B at 24: small deltas beat rare keyframes because every delta repeats all changes
/// since its keyframe.
const DELTA_RATIO: usize = 24;

/// Deltas up to this size are always kept: a very repetitive text compresses to a tiny
/// keyframe, and 1/24 of it would start a keyframe on nearly every save.
const MIN_DELTA_LIMIT: usize = 160;

pub(crate) fn compress(content: &str) -> StoreResult<Vec<u8>> {
    Ok(zstd::bulk::compress(content.as_bytes(), LEVEL)?)
}

pub(crate) fn compress_delta(content: &str, keyframe: &str) -> StoreResult<Vec<u8>> {
    let mut c = zstd::bulk::Compressor::with_dictionary(LEVEL, keyframe.as_bytes())?;
    Ok(c.compress(content.as_bytes())?)
}

pub(crate) fn decompress(body: &[u8], size: usize) -> StoreResult<Vec<u8>> {
    Ok(zstd::bulk::decompress(body, size)?)
}

pub(crate) fn decompress_delta(body: &[u8], keyframe: &str, size: usize) -> StoreResult<Vec<u8>> {
    let mut d = zstd::bulk::Decompressor::with_dictionary(keyframe.as_bytes())?;
    Ok(d.decompress(body, size)?)
}

/// Whether a delta of `delta_len` bytes is still worth keeping against a keyframe whose
/// body is `keyframe_len` bytes.
pub(crate) fn keep_delta(delta_len: usize, keyframe_len: usize) -> bool {
    delta_len <= MIN_DELTA_LIMIT || delta_len * DELTA_RATIO <= keyframe_len
}

/// SHA-256 of the UTF-8 text, hex: the identity of a revision's content.
pub fn content_hash(content: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(content.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_round_trips_and_is_small() {
        let base = "Die Wärmepumpe heizt das Haus. ".repeat(200);
        let edited = base.replacen("heizt", "wärmt", 1);
        let delta = compress_delta(&edited, &base).unwrap();
        let full = compress(&edited).unwrap();
        assert!(
            delta.len() < full.len(),
            "{} vs {}",
            delta.len(),
            full.len()
        );
        let back = decompress_delta(&delta, &base, edited.len()).unwrap();
        assert_eq!(back, edited.as_bytes());
    }

    #[test]
    fn empty_text_round_trips() {
        let c = compress("").unwrap();
        assert_eq!(decompress(&c, 0).unwrap(), b"");
        let d = compress_delta("", "abc").unwrap();
        assert_eq!(decompress_delta(&d, "abc", 0).unwrap(), b"");
    }
}

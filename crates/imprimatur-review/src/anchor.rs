//! Re-anchoring comments in a later text: a comment keeps the quoted text and a little
//! context on both sides; it is shown where that quote still occurs, at the occurrence
//! whose surroundings match best (then the one nearest to where it was). When the quote
//! is gone, the comment is detached, not misplaced.

use serde::Serialize;
use ts_rs::TS;

use crate::Comment;

/// How many characters of context a comment keeps on each side.
pub const CONTEXT_CHARS: usize = 32;

/// Where a comment sits in a text, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Anchor {
    pub start: u32,
    pub end: u32,
}

/// A comment and where it sits in the text it is shown on (`None`: its text is gone).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnchoredComment {
    pub comment: Comment,
    pub anchor: Option<Anchor>,
}

/// Up to `n` characters of `text` before byte `at`.
pub(crate) fn before(text: &str, at: usize, n: usize) -> &str {
    let head = &text[..at];
    let start = head
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if head.chars().count() < n {
        head
    } else {
        &head[start..]
    }
}

/// Up to `n` characters of `text` after byte `at`.
pub(crate) fn after(text: &str, at: usize, n: usize) -> &str {
    let tail = &text[at..];
    let end = tail.char_indices().nth(n).map_or(tail.len(), |(i, _)| i);
    &tail[..end]
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Where `comment` belongs in `text`.
pub fn anchor(comment: &Comment, text: &str) -> Option<Anchor> {
    if comment.quote.is_empty() {
        return None;
    }
    let mut best: Option<(usize, i64, usize)> = None;
    for (at, _) in text.match_indices(&comment.quote) {
        let end = at + comment.quote.len();
        let score = common_suffix(before(text, at, CONTEXT_CHARS), &comment.prefix)
            + common_prefix(after(text, end, CONTEXT_CHARS), &comment.suffix);
        let distance = (at as i64 - comment.start as i64).abs();
        let better = match best {
            None => true,
            Some((s, d, _)) => score > s || (score == s && distance < d),
        };
        if better {
            best = Some((score, distance, at));
        }
    }
    best.map(|(_, _, at)| Anchor {
        start: at as u32,
        end: (at + comment.quote.len()) as u32,
    })
}

/// Every comment with its anchor in `text`.
pub fn anchor_all(comments: &[Comment], text: &str) -> Vec<AnchoredComment> {
    comments
        .iter()
        .map(|c| AnchoredComment {
            comment: c.clone(),
            anchor: anchor(c, text),
        })
        .collect()
}

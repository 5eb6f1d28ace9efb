//! Sentences that state a fact but cite nothing.
//!
//! What a factual sentence is comes from the fact check (`imprimatur_facts::claims`:
//! prices, percentages, dates, durations, specifications, product names, comparisons,
//! guarantees, ...), so a draft marks exactly the sentences the fact check will verify
//! later. A claim counts as cited when a citation marker of any form the draft's parser
//! accepts (`[1]`, `(1)`, `[Quelle 2]`, an unclosed `[1`) is inside the sentence.

use imprimatur_check::Lang;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::citation::find_markers;

/// A sentence with a factual claim and no citation marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UncitedClaim {
    /// Byte range of the sentence in the text.
    pub start: usize,
    pub end: usize,
    pub sentence: String,
}

/// The sentences of `text` (Markdown body; headings and reference definitions are
/// skipped) that make a factual claim and carry no citation marker.
pub fn uncited_claims(text: &str, lang: Lang) -> Vec<UncitedClaim> {
    let markers = find_markers(text);
    imprimatur_facts::claims(text, lang)
        .into_iter()
        .filter(|c| {
            c.citations.is_empty()
                && !markers
                    .iter()
                    .any(|m| m.start >= c.span.start && m.start < c.span.end)
        })
        .map(|c| {
            // The fact check's span may include the line's trailing whitespace.
            let sentence = text[c.span.clone()].trim_end();
            let lead = sentence.len() - sentence.trim_start().len();
            UncitedClaim {
                start: c.span.start + lead,
                end: c.span.start + sentence.len(),
                sentence: sentence.trim_start().to_string(),
            }
        })
        .collect()
}

/// Byte ranges of the sentences in prose lines: a sentence ends at `.`, `!` or `?`
/// followed by a space or line end (not after a digit, so `3. März` and `1.299` stay
/// whole), or at a blank line. Headings, list markers and reference definitions are
/// left out.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("---") || is_definition(trimmed) {
            continue;
        }
        let lead = line.len() - trimmed.len()
            + ["- ", "* ", "+ ", "> "]
                .iter()
                .find(|m| trimmed.starts_with(**m))
                .map_or(0, |m| m.len());
        let body = &line[lead..];
        let mut start = 0;
        let chars: Vec<(usize, char)> = body.char_indices().collect();
        for (k, &(i, ch)) in chars.iter().enumerate() {
            if !matches!(ch, '.' | '!' | '?') {
                continue;
            }
            let next = chars.get(k + 1).map(|&(_, c)| c);
            let prev = k.checked_sub(1).map(|p| chars[p].1);
            // `3. März`, `2. Etage`: a period after a digit inside a line is an ordinal.
            let ordinal = ch == '.'
                && prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some()
                && k + 2 < chars.len();
            let ends = next.is_none_or(char::is_whitespace) && !ordinal;
            if ends {
                push(&mut out, body, line_start + lead, start, i + ch.len_utf8());
                start = i + ch.len_utf8();
            }
        }
        push(&mut out, body, line_start + lead, start, body.len());
    }
    out
}

fn push(out: &mut Vec<(usize, usize)>, body: &str, base: usize, s: usize, e: usize) {
    let piece = &body[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let t = piece.trim();
    if t.chars().any(char::is_alphabetic) {
        out.push((base + s + lead, base + s + lead + t.len()));
    }
}

fn is_definition(line: &str) -> bool {
    line.starts_with('[')
        && line
            .find("]:")
            .is_some_and(|i| line[1..i].bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_without_citation_are_marked() {
        let t = "# Preise\n\nDie AlbAir 9 kostet 12.490 €. Sie ist leise [1]. Wir beraten Sie gern.\n\n[1]: knowledge/a.md#bytes=0-5\n";
        let u = uncited_claims(t, Lang::De);
        assert_eq!(u.len(), 1, "{u:?}");
        assert_eq!(u[0].sentence, "Die AlbAir 9 kostet 12.490 €.");
        assert_eq!(&t[u[0].start..u[0].end], u[0].sentence);
    }

    #[test]
    fn a_cited_claim_is_not_marked() {
        let t =
            "Die Förderung beträgt bis zu 70 % [2]. Ab 1. Januar 2026 gilt das neue Gesetz (1).";
        assert!(uncited_claims(t, Lang::De).is_empty());
    }

    #[test]
    fn the_fact_checks_claims_are_the_ones_marked() {
        // A price and a specification are claims; a friendly sentence and a question are not.
        let t = "The AlbAir 9 costs €12,490. We are happy to help. How loud is it? Its heat output is 9 kW.";
        let u: Vec<String> = uncited_claims(t, Lang::En)
            .into_iter()
            .map(|c| c.sentence)
            .collect();
        assert_eq!(
            u,
            ["The AlbAir 9 costs €12,490.", "Its heat output is 9 kW."]
        );
        // A sloppy marker counts as a citation.
        assert!(uncited_claims("Sie kostet 12.490,00 € [Quelle 1].", Lang::De).is_empty());
    }
}

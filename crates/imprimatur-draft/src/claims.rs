//! Sentences that state a fact but cite nothing.
//!
//! The fact check's claim detector (`imprimatur_facts::claims`) is being built in
//! parallel; until it can be used here this small detector stands in: a sentence is a
//! factual claim when it carries a number, a price, a percentage, a date or a unit —
//! the claims a reader can check against a source. The function keeps its signature
//! when the detector is swapped.

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

const MONTHS_DE: [&str; 12] = [
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
];
const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const UNITS: [&str; 12] = [
    "€", "%", "prozent", "percent", "euro", "kw", "kwh", "db", "°c", "grad", "jahre", "years",
];

/// The sentences of `text` (Markdown body; headings and reference definitions are
/// skipped) that make a factual claim and carry no citation marker.
pub fn uncited_claims(text: &str, lang: Lang) -> Vec<UncitedClaim> {
    let markers = find_markers(text);
    sentences(text)
        .into_iter()
        .filter(|&(s, e)| {
            let sentence = &text[s..e];
            is_claim(sentence, lang) && !markers.iter().any(|m| m.start >= s && m.start < e)
        })
        .map(|(s, e)| UncitedClaim {
            start: s,
            end: e,
            sentence: text[s..e].to_string(),
        })
        .collect()
}

/// Whether a sentence states something checkable.
pub fn is_claim(sentence: &str, lang: Lang) -> bool {
    // Digits outside citation markers: strip the markers first.
    let mut plain = String::with_capacity(sentence.len());
    let mut last = 0;
    for m in find_markers(sentence) {
        plain.push_str(&sentence[last..m.start]);
        last = m.end;
    }
    plain.push_str(&sentence[last..]);
    if plain.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let lower = plain.to_lowercase();
    let months: &[&str] = match lang {
        Lang::De => &MONTHS_DE,
        Lang::En => &MONTHS_EN,
    };
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '€' && c != '%' && c != '°')
        .any(|w| months.contains(&w) || UNITS.contains(&w))
        || lower.contains('€')
        || lower.contains('%')
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
    fn english_dates_are_claims() {
        assert!(is_claim("The offer ends in March.", Lang::En));
        assert!(!is_claim("We are happy to help.", Lang::En));
    }
}

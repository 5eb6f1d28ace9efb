//! Fact check: which sentences make check-worthy claims, and whether the knowledge base
//! supports or contradicts them.
//!
//! - [`claims`] splits a text into sentences and keeps those that state numbers, prices,
//!   percentages, dates, durations, specifications, product names, comparisons,
//!   superlatives, guarantees, or legal, health or environmental claims, with their
//!   normalised [`Quantity`]s and [`Name`]s. German and English, including German
//!   formats (`1.299,00 €`, `15 %`, `3. März 2026`, `2–3 Werktage`).
//! - [`assess`] gives one claim a [`Verdict`] from evidence chunks, deterministically:
//!   the claim's values are compared with the values the closest evidence statements
//!   make. A model layer ([`Judge`]) may settle what this cannot; without one such a
//!   claim stays unverifiable, never supported.
//! - [`check`] runs it over a document with retrieval passed in ([`Evidence`]), checks
//!   citations `[n]` and required sources, and caches verdicts per sentence so a re-check
//!   after an edit only looks at changed sentences.
//!
//! Everything here is pure: retrieval and the model come in through traits.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::LazyLock;

use imprimatur_check::Lang;
use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub mod check;
pub mod quantity;
pub mod verify;

pub use check::{
    assess_claims, check, CitationRow, ClaimRow, Evidence, FactsCache, FactsConfig, FactsReport,
};
pub use quantity::{names, quantities, Name, Quantity, Unit};
pub use verify::{
    assess, known_names, Assessment, EvidenceChunk, EvidenceSpan, Judge, Layer, Verdict,
};

/// What makes a sentence check-worthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Price,
    Percentage,
    Date,
    Duration,
    /// A technical value with a unit: kW, dB(A), °C, kg, m², ...
    Specification,
    Number,
    /// A product or model name.
    Product,
    Comparison,
    Superlative,
    Guarantee,
    Legal,
    Health,
    Environmental,
}

/// A check-worthy sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Claim {
    /// Byte range of the sentence in the text given to [`claims`].
    #[ts(type = "[number, number]")]
    pub span: Range<usize>,
    pub text: String,
    pub kinds: BTreeSet<ClaimKind>,
    /// Values, with spans relative to the text given to [`claims`].
    pub quantities: Vec<Quantity>,
    /// Names, with spans relative to the text given to [`claims`].
    pub names: Vec<Name>,
    /// Citation numbers `[n]` in the sentence.
    pub citations: Vec<u32>,
}

impl Claim {
    /// Values the deterministic layer can compare with a source.
    pub fn is_numeric(&self) -> bool {
        !self.quantities.is_empty()
    }
}

static CITATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[(\d{1,3})\]").unwrap());

/// Sentences of `text` as byte ranges: the shared German-aware splitter, and every line
/// on its own (list items and table rows are statements of their own).
pub fn sentences(text: &str, lang: Lang) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        for s in imprimatur_check::text::sentences(line, lang) {
            out.push(offset + s.start..offset + s.end);
        }
        offset += line.len();
    }
    out
}

/// Words that make a sentence a comparison, a superlative, a guarantee, or a legal,
/// health or environmental claim. Matched on lower-case word starts.
const KEYWORDS: &[(ClaimKind, &[&str])] = &[
    (
        ClaimKind::Comparison,
        &[
            "mehr als",
            "weniger als",
            "günstiger",
            "billiger",
            "teurer",
            "leiser",
            "lauter",
            "effizienter",
            "höher als",
            "niedriger als",
            "schneller",
            "doppelt so",
            "halb so",
            "more than",
            "less than",
            "fewer than",
            "cheaper",
            "quieter",
            "louder",
            "more efficient",
            "higher than",
            "lower than",
            "faster",
            "twice as",
        ],
    ),
    (
        ClaimKind::Superlative,
        &[
            "günstigste",
            "billigste",
            "leiseste",
            "effizienteste",
            "beste",
            "besten",
            "meistverkauft",
            "größte",
            "stärkste",
            "leistungsstärkste",
            "modernste",
            "schnellste",
            "einzige",
            "einzigen",
            "marktführer",
            "führende",
            "nummer 1",
            "nr. 1",
            "kompakteste",
            "cheapest",
            "quietest",
            "most efficient",
            "best-selling",
            "best ",
            "largest",
            "most powerful",
            "fastest",
            "only ",
            "leading",
            "number one",
            "most compact",
        ],
    ),
    (
        ClaimKind::Guarantee,
        &[
            "garantie",
            "garantiert",
            "gewährleistung",
            "versprechen",
            "immer",
            "niemals",
            "100 %",
            "warranty",
            "guarantee",
            "always",
            "never",
            "100%",
        ],
    ),
    (
        ClaimKind::Legal,
        &[
            "gesetzlich",
            "pflicht",
            "vorgeschrieben",
            "verboten",
            "erlaubt",
            "zulässig",
            "förderrichtlinie",
            "verordnung",
            "gesetz",
            "rechtlich",
            "vertrag",
            "legally",
            "by law",
            "mandatory",
            "required",
            "prohibited",
            "regulation",
            "statutory",
            "contract",
        ],
    ),
    (
        ClaimKind::Health,
        &[
            "gesund",
            "gesundheit",
            "allergi",
            "schadstoff",
            "giftig",
            "gefährlich",
            "health",
            "allerg",
            "toxic",
            "dangerous",
            "harmful",
        ],
    ),
    (
        ClaimKind::Environmental,
        &[
            "klimaneutral",
            "co2",
            "co₂",
            "umweltfreundlich",
            "treibhaus",
            "emission",
            "klimafreundlich",
            "nachhaltig",
            "kältemittel",
            "climate",
            "carbon",
            "eco-friendly",
            "environment",
            "greenhouse",
            "sustainable",
            "refrigerant",
        ],
    ),
];

/// The keyword kinds a sentence matches.
pub(crate) fn keyword_kinds(sentence: &str) -> BTreeSet<ClaimKind> {
    let lower = format!(" {} ", sentence.to_lowercase());
    let mut kinds = BTreeSet::new();
    for (kind, words) in KEYWORDS {
        // A word start: preceded by a non-letter, so "Vertrag" in "Wartungsvertrag" counts
        // but "best" in "bestehend" needs its trailing space.
        if words.iter().any(|w| {
            lower.match_indices(w).any(|(i, _)| {
                !lower[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
                    || matches!(
                        kind,
                        ClaimKind::Legal | ClaimKind::Environmental | ClaimKind::Guarantee
                    )
            })
        }) {
            kinds.insert(*kind);
        }
    }
    kinds
}

/// The check-worthy sentences of `text` (plain text or Markdown), with byte spans into
/// `text`. Headings and questions are not claims. The result for a sentence depends only
/// on that sentence, so callers may cache by sentence text.
pub fn claims(text: &str, lang: Lang) -> Vec<Claim> {
    sentences(text, lang)
        .into_iter()
        .filter_map(|s| claim_at(text, s, lang))
        .collect()
}

/// The claim of one sentence, if it makes one.
pub fn claim_at(text: &str, s: Range<usize>, lang: Lang) -> Option<Claim> {
    let sentence = &text[s.clone()];
    let trimmed = sentence.trim();
    if trimmed.ends_with('?') || trimmed.starts_with('#') || trimmed.len() < 8 {
        return None;
    }
    let citations: Vec<u32> = CITATION
        .captures_iter(sentence)
        .filter_map(|c| c[1].parse().ok())
        .collect();
    // Reference definitions "[1]: knowledge/preisliste-2026.md" are not claims.
    if trimmed.starts_with('[') && CITATION.find(trimmed).is_some_and(|m| m.start() == 0) {
        let after = &trimmed[CITATION.find(trimmed).map_or(0, |m| m.end())..];
        if after.starts_with(':') || after.trim_start().starts_with("knowledge/") {
            return None;
        }
    }
    let shift = |r: &Range<usize>| s.start + r.start..s.start + r.end;
    let quantities: Vec<Quantity> = quantity::quantities(sentence, lang)
        .into_iter()
        .map(|mut q| {
            q.span = shift(&q.span);
            q
        })
        .collect();
    let names: Vec<Name> = quantity::names(sentence)
        .into_iter()
        .map(|mut n| {
            n.span = shift(&n.span);
            n
        })
        .collect();
    let mut kinds = keyword_kinds(sentence);
    kinds.extend(quantities.iter().map(|q| q.unit.kind()));
    if !names.is_empty() {
        kinds.insert(ClaimKind::Product);
    }
    // A lone "Vertrag" or "immer" without any value or name is too weak to check.
    let strong = !quantities.is_empty()
        || !names.is_empty()
        || !citations.is_empty()
        || kinds.iter().any(|k| {
            matches!(
                k,
                ClaimKind::Superlative | ClaimKind::Comparison | ClaimKind::Health
            )
        })
        || kinds.len() >= 2;
    if !strong {
        return None;
    }
    Some(Claim {
        span: s,
        text: sentence.to_string(),
        kinds,
        quantities,
        names,
        citations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_with_spans_kinds_and_citations() {
        let text = "# Preise\n\nDie AlbAir 9 kostet 12.490,00 € [1]. Wir beraten Sie gern. Die Montage dauert 2–3 Werktage, z. B. ab dem 3. März 2026.\n\nWie laut ist sie?\n";
        let c = claims(text, Lang::De);
        assert_eq!(c.len(), 2, "{c:#?}");
        assert_eq!(
            &text[c[0].span.clone()],
            "Die AlbAir 9 kostet 12.490,00 € [1]."
        );
        assert_eq!(c[0].citations, [1]);
        assert!(c[0].kinds.contains(&ClaimKind::Price) && c[0].kinds.contains(&ClaimKind::Product));
        assert_eq!(&text[c[0].quantities[0].span.clone()], "12.490,00 €");
        assert!(c[1].kinds.contains(&ClaimKind::Duration) && c[1].kinds.contains(&ClaimKind::Date));
    }

    #[test]
    fn superlatives_and_english() {
        let c = claims("The AlbAir 9 is our best-selling model. It is the quietest heat pump on the market. We like it.", Lang::En);
        assert_eq!(c.len(), 2);
        assert!(c[1].kinds.contains(&ClaimKind::Superlative));
    }
}

//! The verdict on one claim from evidence chunks.
//!
//! The deterministic layer reads the evidence as *statements*: each line of a chunk (a
//! table row gets its table's header), split into sentences. Every value in a statement
//! has a local context: the words since the previous value, its table column's header,
//! the chunk's heading, and the model name nearest to it (`9.890,00 € (AlbAir 6)`).
//! A claim's value is then
//! - *supported* when a statement with a matching context states an equal value (or a
//!   range that contains it) for the same product,
//! - *contradicted* when the best-matching statement for the same product states a
//!   different value of the same unit, and no equally close statement agrees,
//! - *unverifiable* when no statement speaks about it.
//!
//! A claim is contradicted if one of its values is, supported if all are, else
//! unverifiable. Names absent from the knowledge base are flagged; a variant of a known
//! family (`AlbAir 11` where `AlbAir 6/9/14` exist) contradicts it. Superlatives,
//! guarantees and claims without values go to the model layer, if there is one.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use imprimatur_check::Lang;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::quantity::{self, stem, Name, Quantity, Unit};
use crate::{Claim, ClaimKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "FactsVerdict")]
pub enum Verdict {
    Supported,
    Contradicted,
    Unverifiable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::Unverifiable => "unverifiable",
        }
    }
}

/// Which layer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "FactsLayer")]
pub enum Layer {
    Deterministic,
    Model,
}

/// A chunk of the knowledge base, as retrieval returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceChunk {
    /// Source path relative to `knowledge/`.
    pub path: String,
    pub heading_path: Vec<String>,
    /// Byte offsets of `text` in the source's extracted text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub lang: Lang,
    /// The source's product (front matter `product`), if it is about one.
    pub product: Option<String>,
}

/// Where the evidence is: a span of a knowledge source's extracted text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EvidenceSpan {
    pub path: String,
    /// Byte offsets into the source's extracted text (`kb_source`).
    pub start: usize,
    pub end: usize,
    /// The statement itself.
    pub text: String,
}

/// The verdict on one claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub verdict: Verdict,
    /// `facts.supported`, `facts.contradicted`, `facts.unverifiable`, `facts.unknown_name`.
    pub code: String,
    /// 0..1.
    pub confidence: f32,
    pub layer: Layer,
    /// The claim's value (or name) that decided, as the claim wrote it.
    pub claim_value: Option<String>,
    /// The source's value, normalised ("12490 €").
    pub source_value: Option<String>,
    /// Byte range of the deciding value in the claim's text.
    pub value_span: Option<Range<usize>>,
    pub evidence: Option<EvidenceSpan>,
}

impl Assessment {
    fn unverifiable(code: &str) -> Assessment {
        Assessment {
            verdict: Verdict::Unverifiable,
            code: code.to_string(),
            confidence: 0.5,
            layer: Layer::Deterministic,
            claim_value: None,
            source_value: None,
            value_span: None,
            evidence: None,
        }
    }
}

/// The model layer: an entailment judgement of a claim against quoted evidence. `None`
/// when the model cannot answer (not installed, refused, unparseable).
pub trait Judge {
    fn judge(&self, claim: &str, evidence: &[&str], lang: Lang) -> Option<(Verdict, f32)>;
}

/// A statement of the evidence: one line or sentence of a chunk.
struct Statement<'a> {
    chunk: &'a EvidenceChunk,
    /// Range in the chunk's text.
    range: Range<usize>,
    quantities: Vec<(Quantity, Option<String>, BTreeSet<String>)>,
    words: BTreeSet<String>,
}

const STOPWORDS: &[&str] = &[
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einen",
    "einem",
    "einer",
    "und",
    "oder",
    "mit",
    "von",
    "für",
    "fur",
    "auf",
    "bei",
    "bis",
    "ist",
    "sind",
    "wird",
    "werden",
    "hat",
    "haben",
    "als",
    "auch",
    "nur",
    "noch",
    "nach",
    "vor",
    "zum",
    "zur",
    "sie",
    "wir",
    "ihr",
    "ihre",
    "ihren",
    "unser",
    "unsere",
    "unseren",
    "unserer",
    "sich",
    "pro",
    "inkl",
    "ca",
    "rund",
    "etwa",
    "über",
    "uber",
    "unter",
    "aus",
    "dass",
    "dann",
    "also",
    "kostet",
    "kosten",
    "beträgt",
    "betragt",
    "liegt",
    "gibt",
    "the",
    "and",
    "for",
    "with",
    "from",
    "our",
    "your",
    "are",
    "was",
    "has",
    "have",
    "that",
    "this",
    "costs",
    "cost",
    "which",
    "about",
    "approx",
    "per",
    "its",
    "into",
    "there",
    "will",
    "can",
    "kann",
    "können",
    "konnen",
    "jetzt",
    "schon",
    "zwar",
    "nicht",
    "not",
    "dabei",
    "damit",
    "sowie",
    "jeweils",
    "weitere",
    "weiteren",
    "zusätzlich",
    "zusatzlich",
    "gilt",
    "gelten",
    "euro",
    "prozent",
    "percent",
    "stand",
    "ganz",
    "genau",
    "rund",
    "knapp",
    "mehr",
    "weniger",
    "more",
    "less",
];

/// Content-word stems of `text`, with a weight: long compounds are more telling.
fn content_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOPWORDS.contains(&w.to_lowercase().as_str()))
        .map(stem)
        .collect()
}

fn overlap(claim: &BTreeSet<String>, context: &BTreeSet<String>) -> f32 {
    claim
        .intersection(context)
        .map(|w| if w.chars().count() >= 8 { 1.5 } else { 1.0 })
        .sum()
}

/// The model name nearest to a value in its statement: one in parentheses right after it
/// (`9.890,00 € (AlbAir 6)`), else the last one before it, else the first one after it.
fn product_of(text: &str, names: &[Name], value: &Range<usize>) -> Option<String> {
    let models: Vec<&Name> = names
        .iter()
        .filter(|n| n.is_model() && n.family().len() > 1)
        .collect();
    if let Some(n) = models
        .iter()
        .find(|n| n.span.start >= value.end && text[value.end..n.span.start].trim() == "(")
    {
        return Some(n.text.clone());
    }
    if let Some(n) = models.iter().rev().find(|n| n.span.end <= value.start) {
        return Some(n.text.clone());
    }
    models
        .iter()
        .find(|n| n.span.start >= value.end)
        .map(|n| n.text.clone())
}

/// Local context words of each value: the words between the previous and the next value.
fn local_contexts(text: &str, qs: &[Quantity]) -> Vec<BTreeSet<String>> {
    (0..qs.len())
        .map(|i| {
            let from = if i == 0 { 0 } else { qs[i - 1].span.end };
            let to = qs.get(i + 1).map_or(text.len(), |n| n.span.start);
            let from = from.min(qs[i].span.start);
            let to = to.max(qs[i].span.end);
            content_words(&text[from..to])
        })
        .collect()
}

fn statements(chunk: &EvidenceChunk) -> Vec<Statement<'_>> {
    let heading_product = chunk
        .heading_path
        .iter()
        .rev()
        .flat_map(|h| quantity::names(h))
        .find(|n| n.is_model() && n.family().len() > 1)
        .map(|n| n.text)
        .or_else(|| chunk.product.clone());
    let heading_words: BTreeSet<String> = chunk
        .heading_path
        .last()
        .map(|h| content_words(h))
        .unwrap_or_default();
    let text = &chunk.text;
    let mut out = Vec::new();
    let mut header: Vec<String> = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (li, line) in lines.iter().enumerate() {
        let start = offset;
        offset += line.len();
        let t = line.trim();
        if t.is_empty() {
            header.clear();
            continue;
        }
        let is_row = t.starts_with('|');
        if is_row {
            if t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                continue;
            }
            let next_is_rule = lines.get(li + 1).is_some_and(|n| {
                n.trim().starts_with('|')
                    && n.trim().chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
            });
            if next_is_rule {
                header = t
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect();
                continue;
            }
        } else {
            header.clear();
        }
        let pieces: Vec<Range<usize>> = if is_row {
            std::iter::once(0..line.len()).collect()
        } else {
            crate::sentences(line, chunk.lang)
        };
        for piece in pieces {
            let range = start + piece.start..start + piece.end;
            let s = &text[range.clone()];
            let qs = quantity::quantities(s, chunk.lang);
            if qs.is_empty() {
                out.push(Statement {
                    chunk,
                    range,
                    quantities: Vec::new(),
                    words: content_words(s),
                });
                continue;
            }
            let names = quantity::names(s);
            let locals = local_contexts(s, &qs);
            let mut words = content_words(s);
            words.extend(header.iter().flat_map(|h| content_words(h)));
            let quantities = qs
                .into_iter()
                .zip(locals)
                .map(|(q, mut ctx)| {
                    if is_row {
                        // The column's header ("Preis", "Schallleistungspegel") and the
                        // row's label in its first cell ("SCOP bei 35 °C").
                        let col = s[..q.span.start].matches('|').count();
                        if let Some(h) = col.checked_sub(1).and_then(|c| header.get(c)) {
                            ctx.extend(content_words(h));
                        }
                        if let Some(first) = s.trim().trim_start_matches('|').split('|').next() {
                            ctx.extend(content_words(first));
                        }
                    }
                    ctx.extend(heading_words.iter().cloned());
                    let product =
                        product_of(s, &names, &q.span).or_else(|| heading_product.clone());
                    (q, product, ctx)
                })
                .collect();
            out.push(Statement {
                chunk,
                range,
                quantities,
                words,
            });
        }
    }
    out
}

/// The best statement found for one claim value.
struct Candidate<'a> {
    score: f32,
    /// The words the value's own context shares with the claim value's.
    local_words: f32,
    statement: &'a Statement<'a>,
    value: Quantity,
}

fn span_of(st: &Statement<'_>) -> EvidenceSpan {
    EvidenceSpan {
        path: st.chunk.path.clone(),
        start: st.chunk.start + st.range.start,
        end: st.chunk.start + st.range.end,
        text: st.chunk.text[st.range.clone()].trim().to_string(),
    }
}

/// Least local overlap for a differing value to count as a contradiction.
const CONTRADICTION_MIN: f32 = 1.5;

/// The verdict on `claim` (found in `text`) from `evidence`. `known_names` are the names
/// the whole knowledge base mentions. Deterministic; `judge` is asked only about claims
/// this cannot settle.
pub fn assess(
    text: &str,
    claim: &Claim,
    evidence: &[EvidenceChunk],
    known_names: &BTreeSet<String>,
    judge: Option<&dyn Judge>,
) -> Assessment {
    let sentence = &text[claim.span.clone()];
    let local = |r: &Range<usize>| r.start - claim.span.start..r.end - claim.span.start;

    // Names: a model name the knowledge base never mentions.
    for n in &claim.names {
        if known_names.contains(&n.text) || known_names.is_empty() {
            continue;
        }
        let family = n.family();
        let siblings: Vec<&String> = known_names
            .iter()
            .filter(|k| quantity::family(k) == family && family.len() > 1 && k.as_str() != n.text)
            .collect();
        if !siblings.is_empty() && n.is_model() {
            return Assessment {
                verdict: Verdict::Contradicted,
                code: "facts.unknown_name".into(),
                confidence: 0.9,
                layer: Layer::Deterministic,
                claim_value: Some(n.text.clone()),
                source_value: Some(
                    siblings
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                value_span: Some(local(&n.span)),
                evidence: None,
            };
        }
        if siblings.is_empty() {
            let mut a = Assessment::unverifiable("facts.unknown_name");
            a.claim_value = Some(n.text.clone());
            a.value_span = Some(local(&n.span));
            a.confidence = 0.8;
            return a;
        }
    }

    let statements: Vec<Statement<'_>> = evidence.iter().flat_map(statements).collect();
    let claim_names: Vec<Name> = claim
        .names
        .iter()
        .map(|n| Name {
            span: local(&n.span),
            text: n.text.clone(),
        })
        .collect();
    let claim_qs: Vec<Quantity> = claim
        .quantities
        .iter()
        .map(|q| Quantity {
            span: local(&q.span),
            ..q.clone()
        })
        .collect();
    // Each value's own words, plus the sentence's subject before its first value
    // ("Der Warmwasserspeicher mit 200 Litern kostet 1.890 €": the price is the tank's).
    let subject = claim_qs
        .first()
        .map(|q| content_words(&sentence[..q.span.start]))
        .unwrap_or_default();
    let contexts: Vec<BTreeSet<String>> = local_contexts(sentence, &claim_qs)
        .into_iter()
        .map(|mut c| {
            c.extend(subject.iter().cloned());
            c
        })
        .collect();
    let claim_words = content_words(sentence);

    let mut supported: Vec<Candidate<'_>> = Vec::new();
    let mut worst: Option<(Candidate<'_>, Quantity)> = None;
    let mut unsettled = false;
    for (q, ctx) in claim_qs.iter().zip(&contexts) {
        let product = product_of(sentence, &claim_names, &q.span);
        let mut best_support: Option<Candidate<'_>> = None;
        let mut best_contra: Option<Candidate<'_>> = None;
        for st in &statements {
            // A statement that states the claim's value among others ("je 15.000 €, ab
            // der siebten je 8.000 €") does not contradict it with the others.
            let lists_it = st.quantities.iter().any(|(e, p, _)| {
                q.comparable(e)
                    && q.agrees(e)
                    && !matches!((&product, p), (Some(a), Some(b)) if a != b)
            });
            for (e, e_product, e_ctx) in &st.quantities {
                if !q.comparable(e) {
                    continue;
                }
                let same_product = match (&product, e_product) {
                    (Some(a), Some(b)) if a != b => continue,
                    (Some(_), Some(_)) => true,
                    _ => false,
                };
                let words_local = overlap(ctx, e_ctx);
                let mut local = words_local;
                if same_product {
                    local += 1.0;
                }
                // A price list row ("Preis" column, "Gerätepreise" heading) is the primary
                // source of a price: it wins ties with texts that repeat the price.
                if q.unit == Unit::Euro
                    && e_ctx
                        .iter()
                        .any(|w| w.contains("preis") || w.starts_with("price"))
                {
                    local += 0.5;
                }
                let score = local + 0.25 * overlap(&claim_words, &st.words);
                let agrees = q.agrees(e);
                // A bare number ("SCOP von 4,9") agrees by chance too easily: its label
                // must match.
                if agrees && q.unit == Unit::Number && words_local < 1.0 {
                    continue;
                }
                // A differing value counts only where the words around it match: a
                // product name alone does not make "4,8 von 5 Sternen" a contradiction.
                if !agrees && (local < CONTRADICTION_MIN || lists_it) {
                    continue;
                }
                // A range that holds the source's value ("zwischen 8 und 9 kW" against
                // 9 kW) is compatible with it.
                if !agrees && q.is_range() && !e.is_range() && e.low >= q.low && e.low <= q.high {
                    continue;
                }
                let slot = if agrees {
                    &mut best_support
                } else {
                    &mut best_contra
                };
                if slot.as_ref().is_none_or(|c| score > c.score) {
                    *slot = Some(Candidate {
                        score,
                        local_words: words_local,
                        statement: st,
                        value: e.clone(),
                    });
                }
            }
        }
        let support_score = best_support.as_ref().map_or(-1.0, |c| c.score);
        // The claim's own value stated in the evidence in a matching context (a shared
        // word around both values) is not contradicted by another value nearby: in the
        // demo article "bei 35 °C Vorlauftemperatur" and "im Flüstermodus 33 dB(A)" beside
        // "37 dB(A) in 3 m Abstand" were errors, though the source states both values.
        let stated = best_support.as_ref().is_some_and(|s| s.local_words >= 1.0);
        match best_contra {
            Some(c)
                if c.score >= CONTRADICTION_MIN && c.score > support_score + 0.25 && !stated =>
            {
                if worst.as_ref().is_none_or(|(w, _)| c.score > w.score) {
                    worst = Some((c, q.clone()));
                }
            }
            _ => match best_support {
                Some(s) if s.score >= 1.0 || distinctive(q) => supported.push(s),
                _ => unsettled = true,
            },
        }
    }

    if let Some((c, q)) = worst {
        let margin = c.score.min(6.0) / 6.0;
        return Assessment {
            verdict: Verdict::Contradicted,
            code: "facts.contradicted".into(),
            confidence: 0.7 + 0.29 * margin,
            layer: Layer::Deterministic,
            claim_value: Some(sentence[q.span.clone()].to_string()),
            source_value: Some(c.value.display()),
            value_span: Some(q.span.clone()),
            evidence: Some(span_of(c.statement)),
        };
    }
    // A superlative or comparison needs its own word in the evidence ("meistverkauftes
    // Modell"); matching values alone do not make "the quietest" true.
    let needs_words = claim
        .kinds
        .iter()
        .any(|k| matches!(k, ClaimKind::Superlative | ClaimKind::Comparison))
        && !superlative_in_evidence(sentence, &supported);
    if !unsettled && !supported.is_empty() && !needs_words {
        let best = supported
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .expect("not empty");
        return Assessment {
            verdict: Verdict::Supported,
            code: "facts.supported".into(),
            confidence: 0.8 + 0.19 * (best.score.min(6.0) / 6.0),
            layer: Layer::Deterministic,
            claim_value: claim_qs
                .first()
                .map(|q| sentence[q.span.clone()].to_string()),
            source_value: Some(best.value.display()),
            value_span: claim_qs.first().map(|q| q.span.clone()),
            evidence: Some(span_of(best.statement)),
        };
    }
    // What values cannot settle: the model layer, on the closest statements.
    let mut ranked: Vec<(f32, &Statement<'_>)> = statements
        .iter()
        .map(|st| (overlap(&claim_words, &st.words), st))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.truncate(3);
    let closest = ranked.first().map(|(_, st)| span_of(st));
    if let Some(judge) = judge {
        let quoted: Vec<&str> = ranked
            .iter()
            .map(|(_, st)| st.chunk.text[st.range.clone()].trim())
            .collect();
        if !quoted.is_empty() {
            if let Some((verdict, confidence)) = judge.judge(
                sentence.trim(),
                &quoted,
                evidence.first().map_or(Lang::De, |c| c.lang),
            ) {
                return Assessment {
                    verdict,
                    code: format!("facts.{}", verdict.as_str()),
                    confidence,
                    layer: Layer::Model,
                    claim_value: None,
                    source_value: None,
                    value_span: None,
                    evidence: closest,
                };
            }
        }
    }
    let mut a = Assessment::unverifiable("facts.unverifiable");
    a.evidence = closest;
    a.confidence = if supported.is_empty() { 0.5 } else { 0.6 };
    a
}

/// Whether a superlative or comparative word of the claim appears in one of the
/// statements that support its values.
fn superlative_in_evidence(sentence: &str, supported: &[Candidate<'_>]) -> bool {
    let words: Vec<String> = sentence
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| {
            crate::keyword_kinds(w)
                .iter()
                .any(|k| matches!(k, ClaimKind::Superlative | ClaimKind::Comparison))
        })
        .map(stem)
        .collect();
    !words.is_empty()
        && supported
            .iter()
            .any(|c| words.iter().all(|w| c.statement.words.contains(w)))
}

/// Values that are rarely equal by chance: prices of three digits and more, full dates.
fn distinctive(q: &Quantity) -> bool {
    (q.unit == Unit::Euro && q.low >= 100.0) || (q.unit == Unit::Date && q.low as i64 % 100 != 0)
}

/// All names a knowledge text mentions.
pub fn known_names<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    texts
        .into_iter()
        .flat_map(quantity::names)
        .map(|n| n.text)
        .collect()
}

/// Counts per verdict, for summaries.
pub fn tally(assessments: &[Assessment]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for a in assessments {
        *m.entry(a.verdict.as_str()).or_insert(0) += 1;
    }
    m
}

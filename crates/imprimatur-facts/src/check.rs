//! The fact check of a document: claims in its prose, evidence per claim, verdicts,
//! citations and required sources, as shared [`Finding`]s plus the per-claim rows the
//! facts panel shows.
//!
//! Retrieval comes in through [`Evidence`], the model through [`Judge`]. Verdicts are
//! cached per sentence text (and the knowledge base's generation), so a re-check after
//! an edit only retrieves and judges the changed sentences.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use imprimatur_check::{CheckKind, Document, Finding, Message, Severity};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use ts_rs::TS;

use crate::verify::{assess, Assessment, EvidenceChunk, EvidenceSpan, Judge, Layer, Verdict};
use crate::{claim_at, sentences, Claim, ClaimKind};

/// The knowledge base as the fact check needs it.
pub trait Evidence {
    /// The top chunks for each query (hybrid retrieval where available), one list per
    /// query, in order. Batched so that query embeddings are computed together.
    fn search(&self, queries: &[&str], limit: usize) -> Vec<Vec<EvidenceChunk>>;
    /// The top chunks by words alone (BM25): no query embedding, a few milliseconds for
    /// a whole article. `None` when the knowledge base has no lexical search; then every
    /// claim goes through [`Evidence::search`].
    fn search_lexical(&self, _queries: &[&str], _limit: usize) -> Option<Vec<Vec<EvidenceChunk>>> {
        None
    }
    /// Every chunk of one source (`path` relative to `knowledge/`), for citations.
    fn source(&self, path: &str) -> Vec<EvidenceChunk>;
    /// All names the knowledge base mentions (`AlbAir 9`, `R290`).
    fn names(&self) -> &BTreeSet<String>;
    /// Changes whenever the knowledge base changes: cached verdicts of another
    /// generation are not reused.
    fn generation(&self) -> u64;
}

/// Settings of one check run.
#[derive(Debug, Clone, Default)]
pub struct FactsConfig {
    /// Chunks retrieved per claim.
    pub top_k: usize,
    /// Sources (relative to `knowledge/`, or with a `knowledge/` prefix) that the document
    /// must cite: from its brief or its front matter's `required_sources`.
    pub required_sources: Vec<String>,
}

/// One claim with its verdict, for the facts panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClaimRow {
    /// Byte range of the sentence in the document source.
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub text: String,
    pub kinds: Vec<ClaimKind>,
    pub verdict: Verdict,
    pub code: String,
    pub confidence: f32,
    pub layer: Layer,
    pub claim_value: Option<String>,
    pub source_value: Option<String>,
    pub evidence: Option<EvidenceSpan>,
    /// Cited sources `[n]` of the sentence and whether each supports it.
    pub citations: Vec<CitationRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CitationRow {
    pub number: u32,
    /// The cited source, when the document defines `[n]`.
    pub path: Option<String>,
    pub supports: bool,
}

/// The fact check of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FactsReport {
    pub claims: Vec<ClaimRow>,
    pub findings: Vec<Finding>,
    /// Sentences checked in this run (the rest came from the cache).
    pub checked: u32,
    pub cached: u32,
    /// Why nothing was checked (no knowledge index yet), for the panel.
    pub note: Option<String>,
}

/// Verdicts by sentence text; one cache per open document or per workspace.
#[derive(Default)]
pub struct FactsCache {
    entries: Mutex<HashMap<(u64, bool, String), Assessment>>,
}

impl FactsCache {
    pub fn new() -> FactsCache {
        FactsCache::default()
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:[-*][ \t]+)?\[(\d{1,3})\]:?[ \t]+<?([^\s>]+)>?").unwrap()
});
static CITE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[(\d{1,3})\]").unwrap());

/// `knowledge/preisliste-2026.md` and `preisliste-2026.md` name the same source.
fn source_path(p: &str) -> String {
    let p = p.trim().trim_start_matches("./");
    p.strip_prefix("knowledge/").unwrap_or(p).to_string()
}

/// The reference list of a document: `[1]: knowledge/preisliste-2026.md` lines (also as
/// list items, with or without the colon).
pub fn references(source: &str) -> BTreeMap<u32, String> {
    REFERENCE
        .captures_iter(source)
        .filter_map(|c| Some((c[1].parse().ok()?, source_path(&c[2]))))
        .collect()
}

/// The required sources a document's front matter names (`required_sources`).
pub fn required_sources(doc: &Document) -> Vec<String> {
    match doc.front_matter.extra.get("required_sources") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn message(key: &str, args: &[(&str, String)], text: String) -> Message {
    Message {
        key: key.to_string(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        text,
    }
}

/// The verdicts of `claims` (each with the text its span points into), retrieval
/// included, as the fact check and its evaluation both run it.
///
/// Retrieval is in two stages, because embedding a query costs ~15 ms on a laptop CPU
/// while BM25 over the whole article costs a few: first every claim is assessed on its
/// lexical (BM25) evidence; a claim whose value that evidence *confirms* (supported by
/// the deterministic layer: the same number next to the same product in a source) is
/// settled. Only the rest (contradicted, unverifiable, or settled by no value) is
/// retrieved again with [`Evidence::search`] (hybrid), whose query embeddings are
/// computed in one batch. A contradiction is never taken from BM25 alone: a lexically
/// near chunk about another product or year would make false errors. (Measured: taking
/// BM25 contradictions too leaves the labelled eval unchanged and halves the cold check,
/// but adds a false "2026 vs 2012" error to the demo article "Wärmepumpe im Altbau".)
pub fn assess_claims(
    claims: &[(&str, &Claim)],
    kb: &dyn Evidence,
    judge: Option<&dyn Judge>,
    top_k: usize,
) -> Vec<Assessment> {
    let names = kb.names();
    let queries: Vec<&str> = claims.iter().map(|(_, c)| query_of(&c.text)).collect();
    let mut out: Vec<Option<Assessment>> = vec![None; claims.len()];
    if queries.is_empty() {
        return Vec::new();
    }
    if let Some(found) = kb.search_lexical(&queries, top_k) {
        for (n, (text, claim)) in claims.iter().enumerate() {
            let chunks = found.get(n).map(Vec::as_slice).unwrap_or_default();
            // No model here: the judge only sees what the hybrid stage leaves open.
            let a = assess(text, claim, chunks, names, None);
            if a.verdict == Verdict::Supported && a.layer == Layer::Deterministic {
                out[n] = Some(a);
            }
        }
    }
    let open: Vec<usize> = (0..claims.len()).filter(|&n| out[n].is_none()).collect();
    if !open.is_empty() {
        let q: Vec<&str> = open.iter().map(|&n| queries[n]).collect();
        let found = kb.search(&q, top_k);
        for (k, &n) in open.iter().enumerate() {
            let (text, claim) = claims[n];
            let chunks = found.get(k).map(Vec::as_slice).unwrap_or_default();
            out[n] = Some(assess(text, claim, chunks, names, judge));
        }
    }
    out.into_iter()
        .map(|a| a.unwrap_or_else(unreachable_assessment))
        .collect()
}

/// Words of a claim that go into its retrieval query. The embedding's cost grows faster
/// than the text (attention over every token pair), and one long list item or run-on
/// sentence of 200 words cost as much as all other claims of an article together; the
/// subject and the first values, which retrieval needs, come early.
const QUERY_WORDS: usize = 40;

fn query_of(text: &str) -> &str {
    let text = text.trim();
    match text
        .char_indices()
        .filter(|(_, ch)| ch.is_whitespace())
        .map(|(i, _)| i)
        .filter(|&i| i > 0 && !text[..i].ends_with(char::is_whitespace))
        .nth(QUERY_WORDS - 1)
    {
        Some(end) => &text[..end],
        None => text,
    }
}

/// Fact-checks `doc`: claims in its prose (not in code, headings or front matter).
pub fn check(
    doc: &Document,
    kb: &dyn Evidence,
    judge: Option<&dyn Judge>,
    cache: &FactsCache,
    config: &FactsConfig,
) -> FactsReport {
    let lang = doc.lang;
    let prose = &doc.prose.text;
    let heading_ranges: Vec<std::ops::Range<usize>> = doc
        .blocks
        .iter()
        .filter(|b| {
            matches!(
                b.kind,
                imprimatur_check::BlockKind::Heading(_) | imprimatur_check::BlockKind::Code
            )
        })
        .map(|b| b.prose.clone())
        .collect();
    let refs = references(&doc.source);
    let cell_ranges: Vec<std::ops::Range<usize>> = doc
        .blocks
        .iter()
        .filter(|b| b.kind == imprimatur_check::BlockKind::TableCell)
        .map(|b| b.prose.clone())
        .collect();
    // (claim, whether its spans are in the source rather than the prose, citations)
    let mut claims: Vec<(Claim, bool, Vec<u32>)> = Vec::new();
    for s in sentences(prose, lang) {
        if heading_ranges
            .iter()
            .chain(&cell_ranges)
            .any(|h| h.start <= s.start && s.end <= h.end)
        {
            continue;
        }
        let Some(mut claim) = claim_at(prose, s.clone(), lang) else {
            continue;
        };
        // Citation marks are read from the source: `[1]` with a reference definition
        // becomes a link in the prose and loses its brackets.
        let src = doc.prose.to_source(s.start)..doc.prose.to_source(s.end.saturating_sub(1)) + 1;
        let src_text = doc.source.get(src).unwrap_or("");
        let cites: Vec<u32> = CITE
            .captures_iter(src_text)
            .filter_map(|c| c[1].parse().ok())
            .collect();
        if src_text.trim_start().starts_with('[')
            && refs.values().any(|p| src_text.contains(p.as_str()))
        {
            continue; // the reference list itself
        }
        claim.citations.clone_from(&cites);
        claims.push((claim, false, cites));
    }
    // A table row is one statement: "| AlbAir 9 | 12.490,00 € |" names the product of
    // the price. Rows are read from the source, whole.
    let mut rows_seen = BTreeSet::new();
    for b in doc
        .blocks
        .iter()
        .filter(|b| b.kind == imprimatur_check::BlockKind::TableCell)
    {
        let start = doc.source[..b.source.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = doc.source[b.source.end..]
            .find('\n')
            .map_or(doc.source.len(), |i| b.source.end + i);
        if !rows_seen.insert(start) {
            continue;
        }
        if let Some(claim) = claim_at(&doc.source, start..end, lang) {
            let cites = claim.citations.clone();
            claims.push((claim, true, cites));
        }
    }
    claims.sort_by_key(|(c, in_source, _)| {
        if *in_source {
            c.span.start
        } else {
            doc.prose.to_source(c.span.start)
        }
    });

    // Retrieval and verdicts for the sentences not in the cache, in one batch.
    let generation = kb.generation();
    let key = |c: &Claim| (generation, judge.is_some(), c.text.trim().to_string());
    let mut fresh: Vec<usize> = Vec::new();
    let mut results: Vec<Option<Assessment>> = vec![None; claims.len()];
    {
        let entries = cache.entries.lock().unwrap_or_else(|e| e.into_inner());
        for (i, (c, _, _)) in claims.iter().enumerate() {
            match entries.get(&key(c)) {
                Some(a) => results[i] = Some(a.clone()),
                None => fresh.push(i),
            }
        }
    }
    let top_k = if config.top_k == 0 { 6 } else { config.top_k };
    let text_of = |in_source: bool| {
        if in_source {
            doc.source.as_str()
        } else {
            prose.as_str()
        }
    };
    let items: Vec<(&str, &Claim)> = fresh
        .iter()
        .map(|&i| (text_of(claims[i].1), &claims[i].0))
        .collect();
    for (a, &i) in assess_claims(&items, kb, judge, top_k)
        .into_iter()
        .zip(&fresh)
    {
        results[i] = Some(a);
    }
    {
        let mut entries = cache.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 20_000 {
            entries.clear();
        }
        for &i in &fresh {
            if let Some(a) = &results[i] {
                entries.insert(key(&claims[i].0), a.clone());
            }
        }
    }

    // Citations: each cited source must support its sentence on its own.
    let mut source_chunks: HashMap<String, Vec<EvidenceChunk>> = HashMap::new();
    let mut cited: BTreeSet<String> = BTreeSet::new();
    let mut findings = Vec::new();
    let mut rows = Vec::new();
    for (i, (claim, in_source, cites)) in claims.iter().enumerate() {
        let a = results[i].take().unwrap_or_else(unreachable_assessment);
        let map = |s: usize, e: usize| {
            if *in_source {
                doc.span(s, e)
            } else {
                doc.prose_span(s, e)
            }
        };
        let span = map(claim.span.start, claim.span.end);
        let value_span = a
            .value_span
            .as_ref()
            .map(|v| map(claim.span.start + v.start, claim.span.start + v.end))
            .unwrap_or(span);
        let mut citation_rows = Vec::new();
        for &n in cites {
            let Some(path) = refs.get(&n) else {
                findings.push(Finding {
                    check: CheckKind::Facts,
                    code: "facts.citation_unknown".into(),
                    severity: Severity::Error,
                    message: message(
                        "facts.citation_unknown",
                        &[("n", n.to_string())],
                        match lang {
                            imprimatur_check::Lang::De => format!("Quelle [{n}] ist nicht definiert: Ergänzen Sie eine Zeile „[{n}]: knowledge/…“ am Ende des Textes."),
                            imprimatur_check::Lang::En => format!("Source [{n}] is not defined: add a line \"[{n}]: knowledge/…\" at the end of the text."),
                        },
                    ),
                    span,
                    fix: None,
                    evidence: None,
                });
                citation_rows.push(CitationRow {
                    number: n,
                    path: None,
                    supports: false,
                });
                continue;
            };
            cited.insert(path.clone());
            let chunks = source_chunks
                .entry(path.clone())
                .or_insert_with(|| kb.source(path))
                .clone();
            let own = assess(text_of(*in_source), claim, &chunks, &BTreeSet::new(), None);
            let supports = own.verdict == Verdict::Supported
                || (!claim.is_numeric() && own.evidence.is_some());
            if !supports {
                findings.push(Finding {
                    check: CheckKind::Facts,
                    code: "facts.citation_unsupported".into(),
                    severity: Severity::Warning,
                    message: message(
                        "facts.citation_unsupported",
                        &[("n", n.to_string()), ("path", path.clone())],
                        match lang {
                            imprimatur_check::Lang::De => {
                                format!("Quelle [{n}] ({path}) belegt diesen Satz nicht.")
                            }
                            imprimatur_check::Lang::En => {
                                format!("Source [{n}] ({path}) does not support this sentence.")
                            }
                        },
                    ),
                    span,
                    fix: None,
                    evidence: own
                        .evidence
                        .as_ref()
                        .map(|e| serde_json::to_value(e).unwrap_or_default()),
                });
            }
            citation_rows.push(CitationRow {
                number: n,
                path: Some(path.clone()),
                supports,
            });
        }
        if let Some(f) = finding_of(&a, claim, value_span, lang) {
            findings.push(f);
        }
        rows.push(ClaimRow {
            start: span.start,
            end: span.end,
            line: span.line,
            text: claim.text.trim().to_string(),
            kinds: claim.kinds.iter().copied().collect(),
            verdict: a.verdict,
            code: a.code.clone(),
            confidence: a.confidence,
            layer: a.layer,
            claim_value: a.claim_value.clone(),
            source_value: a.source_value.clone(),
            evidence: a.evidence.clone(),
            citations: citation_rows,
        });
    }

    // Required sources: from the config (the brief) and the front matter.
    let mut required: BTreeSet<String> = config
        .required_sources
        .iter()
        .map(|p| source_path(p))
        .collect();
    required.extend(required_sources(doc).iter().map(|p| source_path(p)));
    for path in required.difference(&cited) {
        let start = doc.body_start;
        findings.push(Finding {
            check: CheckKind::Facts,
            code: "facts.required_source_missing".into(),
            severity: Severity::Warning,
            message: message(
                "facts.required_source_missing",
                &[("path", path.clone())],
                match lang {
                    imprimatur_check::Lang::De => format!("Die Pflichtquelle knowledge/{path} wird nicht zitiert: Belegen Sie einen Satz mit [n] und „[n]: knowledge/{path}“."),
                    imprimatur_check::Lang::En => format!("The required source knowledge/{path} is not cited: support a sentence with [n] and \"[n]: knowledge/{path}\"."),
                },
            ),
            span: doc.span(start, start),
            fix: None,
            evidence: None,
        });
    }
    FactsReport {
        claims: rows,
        findings,
        checked: fresh.len() as u32,
        cached: (claims.len() - fresh.len()) as u32,
        note: None,
    }
}

fn unreachable_assessment() -> Assessment {
    Assessment {
        verdict: Verdict::Unverifiable,
        code: "facts.unverifiable".into(),
        confidence: 0.0,
        layer: Layer::Deterministic,
        claim_value: None,
        source_value: None,
        value_span: None,
        evidence: None,
    }
}

/// The finding for a verdict: contradicted is an error, a name absent from the knowledge
/// base and an unverifiable claim are warnings, supported claims are info (the editor
/// underlines them quietly).
fn finding_of(
    a: &Assessment,
    claim: &Claim,
    span: imprimatur_check::Span,
    lang: imprimatur_check::Lang,
) -> Option<Finding> {
    use imprimatur_check::Lang::{De, En};
    let cv = a.claim_value.clone().unwrap_or_default();
    let sv = a.source_value.clone().unwrap_or_default();
    let path = a
        .evidence
        .as_ref()
        .map(|e| e.path.clone())
        .unwrap_or_default();
    let (severity, text) = match (a.verdict, a.code.as_str()) {
        (Verdict::Contradicted, "facts.unknown_name") => (
            Severity::Error,
            match lang {
                De => format!("„{cv}“ kommt in der Wissensbasis nicht vor; bekannt sind: {sv}."),
                En => format!("\"{cv}\" is not in the knowledge base; known are: {sv}."),
            },
        ),
        (Verdict::Contradicted, _) => (
            Severity::Error,
            match lang {
                De => format!("Widerspricht der Quelle: Im Text steht {cv}, in {path} steht {sv}."),
                En => format!("Contradicts the source: the text says {cv}, {path} says {sv}."),
            },
        ),
        (Verdict::Unverifiable, "facts.unknown_name") => (
            Severity::Warning,
            match lang {
                De => format!("„{cv}“ kommt in der Wissensbasis nicht vor: Prüfen Sie den Namen."),
                En => format!("\"{cv}\" is not in the knowledge base: check the name."),
            },
        ),
        (Verdict::Unverifiable, _) => {
            let superlative = claim.kinds.contains(&ClaimKind::Superlative)
                || claim.kinds.contains(&ClaimKind::Guarantee);
            (
                if superlative || claim.is_numeric() {
                    Severity::Warning
                } else {
                    Severity::Suggestion
                },
                match lang {
                    De => {
                        "Nicht belegt: Die Wissensbasis bestätigt diese Aussage nicht.".to_string()
                    }
                    En => "Unverified: the knowledge base does not confirm this statement."
                        .to_string(),
                },
            )
        }
        (Verdict::Supported, _) => (
            Severity::Info,
            match lang {
                De => format!("Belegt durch {path}."),
                En => format!("Supported by {path}."),
            },
        ),
    };
    let evidence = serde_json::json!({
        "verdict": a.verdict,
        "confidence": a.confidence,
        "layer": a.layer,
        "claim_value": a.claim_value,
        "source_value": a.source_value,
        "source": a.evidence,
    });
    Some(Finding {
        check: CheckKind::Facts,
        code: a.code.clone(),
        severity,
        message: message(
            &a.code,
            &[("claim_value", cv), ("source_value", sv), ("path", path)],
            text,
        ),
        span,
        fix: None,
        evidence: Some(evidence),
    })
}

#[cfg(test)]
mod tests {
    use super::query_of;

    #[test]
    fn long_claims_are_cut_to_their_first_words_for_retrieval() {
        assert_eq!(
            query_of("  Die AlbAir 9 kostet 12.490,00 €. "),
            "Die AlbAir 9 kostet 12.490,00 €."
        );
        let long: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let long = long.join("  ");
        let q = query_of(&long);
        assert_eq!(q.split_whitespace().count(), super::QUERY_WORDS);
        assert!(q.ends_with("w39"), "{q}");
    }
}

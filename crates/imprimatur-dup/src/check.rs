//! The duplicates check: a draft against the index, as shared `Finding`s.

use std::collections::BTreeMap;

use imprimatur_check::{CheckKind, Document, Finding, Lang, Message, Severity};
use serde_json::json;

use crate::index::DupIndex;
use crate::topic::TopicVerdict;

/// The text of another document as it was indexed, for verification and evidence.
#[derive(Debug, Clone)]
pub struct OtherText {
    pub text: String,
    /// Where it lives: a workspace path, a knowledge source, a corpus file.
    pub path: Option<String>,
    pub title: Option<String>,
}

fn message(
    lang: Lang,
    code: &str,
    args: BTreeMap<String, String>,
    de: String,
    en: String,
) -> Message {
    Message {
        key: code.to_string(),
        args,
        text: match lang {
            Lang::De => de,
            Lang::En => en,
        },
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

/// Findings for `doc` (its prose is compared): near-duplicates and copied passages from
/// `index` (`own_id` is the draft's id in the index, if indexed), verified with the texts
/// `text_of` returns, and the same-topic verdicts computed from embeddings.
pub fn check(
    doc: &Document,
    own_id: Option<&str>,
    index: &DupIndex,
    text_of: impl Fn(&str) -> Option<OtherText>,
    topics: &[TopicVerdict],
) -> Vec<Finding> {
    let settings = index.settings();
    let draft = index.profile(&doc.prose.text);
    let mut out = Vec::new();
    let whole = doc.prose_span(0, doc.prose.text.len());
    for candidate in index.query(&draft, own_id) {
        let Some(other) = text_of(&candidate.id) else {
            continue;
        };
        let overlap = index.verify(&draft, &candidate, &other.text);
        let name = other
            .title
            .clone()
            .or_else(|| other.path.clone())
            .unwrap_or_else(|| candidate.id.clone());
        if overlap.near_duplicate {
            let mut args = BTreeMap::new();
            args.insert("document".into(), name.clone());
            args.insert("jaccard".into(), percent(overlap.jaccard));
            out.push(Finding {
                check: CheckKind::Duplicates,
                code: "dup.near_duplicate".into(),
                severity: Severity::Warning,
                message: message(
                    doc.lang,
                    "dup.near_duplicate",
                    args,
                    format!("Beinahe-Duplikat von „{name}“: {} % gleiche Wortfolgen. Suchmaschinen werten nur eine der Seiten; führen Sie die Texte zusammen oder schreiben Sie diesen neu.", percent(overlap.jaccard)),
                    format!("Near-duplicate of \"{name}\": {} % shared word sequences. Search engines rank only one of the pages; merge the texts or rewrite this one.", percent(overlap.jaccard)),
                ),
                span: whole,
                fix: None,
                evidence: Some(json!({
                    "document": candidate.id,
                    "path": other.path,
                    "title": other.title,
                    "jaccard": overlap.jaccard,
                    "estimated_jaccard": overlap.estimated_jaccard,
                    "coverage": overlap.coverage,
                })),
            });
        }
        let severity = if overlap.coverage >= settings.passage_warning_coverage {
            Severity::Warning
        } else {
            Severity::Suggestion
        };
        for p in &overlap.passages {
            let mut args = BTreeMap::new();
            args.insert("document".into(), name.clone());
            args.insert("words".into(), p.words.to_string());
            args.insert("coverage".into(), percent(overlap.coverage));
            out.push(Finding {
                check: CheckKind::Duplicates,
                code: "dup.copied_passage".into(),
                severity,
                message: message(
                    doc.lang,
                    "dup.copied_passage",
                    args,
                    format!("Übernommene Passage ({} Wörter) aus „{name}“; insgesamt stammen {} % des Textes von dort.", p.words, percent(overlap.coverage)),
                    format!("Copied passage ({} words) from \"{name}\"; {} % of the text comes from there in all.", p.words, percent(overlap.coverage)),
                ),
                span: doc.prose_span(p.draft.start, p.draft.end),
                fix: None,
                evidence: Some(json!({
                    "document": candidate.id,
                    "path": other.path,
                    "title": other.title,
                    "other_span": { "start": p.other.start, "end": p.other.end },
                    "other_text": other.text.get(p.other.clone()),
                    "words": p.words,
                    "coverage": overlap.coverage,
                    "jaccard": overlap.jaccard,
                })),
            });
        }
    }
    out.extend(topic_findings(doc, own_id, topics, &text_of));
    out
}

/// A `dup.same_topic` finding for each verdict that says so (other than `own_id`), at
/// the start of the body, naming the other text.
pub fn topic_findings(
    doc: &Document,
    own_id: Option<&str>,
    topics: &[TopicVerdict],
    text_of: impl Fn(&str) -> Option<OtherText>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let at_start = doc.span(doc.body_start, doc.body_start);
    for t in topics
        .iter()
        .filter(|t| t.same_topic && Some(t.id.as_str()) != own_id)
    {
        let other = text_of(&t.id);
        let (title, path) = other.map_or((None, None), |o| (o.title, o.path));
        let name = title
            .clone()
            .or_else(|| path.clone())
            .unwrap_or_else(|| t.id.clone());
        let best = [Some(t.document_cosine), t.title_cosine, t.keyphrase_cosine]
            .into_iter()
            .flatten()
            .fold(f64::MIN, f64::max);
        let mut args = BTreeMap::new();
        args.insert("document".into(), name.clone());
        args.insert("cosine".into(), format!("{best:.2}"));
        out.push(Finding {
            check: CheckKind::Duplicates,
            code: "dup.same_topic".into(),
            severity: Severity::Info,
            message: message(
                doc.lang,
                "dup.same_topic",
                args,
                format!("Gleiches Thema wie „{name}“ (Ähnlichkeit {best:.2}): Die Seiten könnten um dieselben Suchanfragen konkurrieren. Grenzen Sie die Themen ab oder verlinken Sie gegenseitig."),
                format!("Same topic as \"{name}\" (similarity {best:.2}): the pages may compete for the same queries. Set the topics apart or link them to each other."),
            ),
            span: at_start,
            fix: None,
            evidence: Some(json!({
                "document": t.id,
                "title": title,
                "path": path,
                "document_cosine": t.document_cosine,
                "title_cosine": t.title_cosine,
                "keyphrase_cosine": t.keyphrase_cosine,
            })),
        });
    }
    out
}

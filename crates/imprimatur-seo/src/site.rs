//! Workspace-wide SEO: keyphrase cannibalization (two articles competing for the same
//! query) and lexical internal-link suggestions to published articles. Pure functions over
//! the document and the other articles of the workspace; the workspace crate reads those
//! from the store's head revisions.

use imprimatur_check::{text, CheckKind, Document, Edit, Finding, Fix, Lang, Message, Severity};
use serde_json::json;

use crate::keyphrase::WordKeys;
use crate::SeoConfig;

/// Another article of the workspace, as its head revision's front matter describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteArticle {
    /// The document id in the store.
    pub id: String,
    pub title: String,
    pub keyphrase: Option<String>,
    pub description: Option<String>,
    pub slug: Option<String>,
    pub lang: Lang,
    /// Published articles are link targets. Until the workflow issue adds approvals, an
    /// article counts as published unless its front matter says `status: draft` (or any
    /// status other than `published`) or `confidential: true`.
    pub published: bool,
}

impl SiteArticle {
    pub fn from_document(id: impl Into<String>, doc: &Document) -> SiteArticle {
        let fm = &doc.front_matter;
        let status = fm
            .extra
            .get("status")
            .and_then(|v| v.as_str())
            .map(str::to_lowercase);
        let published = match status.as_deref() {
            Some(s) => s == "published" || s == "veröffentlicht",
            None => !fm.confidential,
        };
        SiteArticle {
            id: id.into(),
            title: fm.title.clone().unwrap_or_default(),
            keyphrase: fm.keyphrase.clone(),
            description: fm.description.clone(),
            slug: fm.slug.clone(),
            lang: doc.lang,
            published,
        }
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The keyphrase's content words as sorted match keys: "Wärmepumpen im Altbau" and
/// "Altbau Wärmepumpe" target the same query.
fn query(keys: &WordKeys, k: &str) -> Vec<String> {
    let mut t = keys.phrase(k).terms;
    t.sort();
    t
}

/// Warnings where `doc` targets the same keyphrase, or has the same title or meta
/// description, as another article.
pub fn cannibalization(doc: &Document, others: &[SiteArticle], cfg: &SeoConfig) -> Vec<Finding> {
    let keys = WordKeys::new(doc.lang, cfg.word_forms);
    let fm = &doc.front_matter;
    let mut out = Vec::new();
    let mine_q = fm
        .keyphrase
        .as_deref()
        .map(|k| query(&keys, k))
        .filter(|q| !q.is_empty());
    for o in others.iter().filter(|o| o.lang == doc.lang) {
        let mut clash = |field: &str, de: String, en: String| {
            let span = front_matter_span(doc, field);
            let text = match doc.lang {
                Lang::De => de,
                Lang::En => en,
            };
            let mut args = std::collections::BTreeMap::new();
            args.insert("field".to_string(), field.to_string());
            args.insert("title".to_string(), o.title.clone());
            out.push(Finding {
                check: CheckKind::Seo,
                code: "seo.cannibalization".into(),
                severity: Severity::Warning,
                message: Message {
                    key: format!("seo.cannibalization.{field}"),
                    args,
                    text,
                },
                span,
                fix: None,
                evidence: Some(json!({ "document": o.id, "title": o.title, "field": field })),
            });
        };
        if let (Some(q), Some(k)) = (&mine_q, &o.keyphrase) {
            if *q == query(&keys, k) {
                clash(
                    "keyphrase",
                    format!("Keyphrase-Kannibalisierung: „{}“ zielt schon auf die Keyphrase „{k}“. Zwei Seiten konkurrieren dann um dieselbe Suchanfrage; wählen Sie eine andere Keyphrase oder führen Sie die Texte zusammen.", o.title),
                    format!("Keyphrase cannibalization: \"{}\" already targets the keyphrase \"{k}\". Two pages then compete for the same query; choose another keyphrase or merge the texts.", o.title),
                );
            }
        }
        if let Some(t) = fm.title.as_deref().filter(|t| !t.trim().is_empty()) {
            if normalise(t) == normalise(&o.title) {
                clash(
                    "title",
                    format!("Doppelter Titel: „{}“ hat denselben SEO-Titel.", o.title),
                    format!("Duplicate title: \"{}\" has the same SEO title.", o.title),
                );
            }
        }
        if let (Some(d), Some(od)) = (fm.description.as_deref(), o.description.as_deref()) {
            if !d.trim().is_empty() && normalise(d) == normalise(od) {
                clash(
                    "description",
                    format!(
                        "Doppelte Meta-Beschreibung: „{}“ hat dieselbe Meta-Beschreibung.",
                        o.title
                    ),
                    format!(
                        "Duplicate meta description: \"{}\" has the same meta description.",
                        o.title
                    ),
                );
            }
        }
    }
    out
}

fn front_matter_span(doc: &Document, key: &str) -> imprimatur_check::Span {
    let head = &doc.source[..doc.body_start];
    let mut pos = 0;
    for line in head.split_inclusive('\n') {
        if line.starts_with(key) && line[key.len()..].starts_with(':') {
            return doc.span(pos, pos + line.trim_end().len());
        }
        pos += line.len();
    }
    doc.span(0, 0)
}

/// Suggestions to link a published article where the text mentions its keyphrase: the first
/// sentence that holds all of the keyphrase's content words, unless the document already
/// links to that article's slug. When the words stand together in plain text, the finding
/// offers the link as a fix.
pub fn link_suggestions(doc: &Document, others: &[SiteArticle], cfg: &SeoConfig) -> Vec<Finding> {
    let keys = WordKeys::new(doc.lang, cfg.word_forms);
    let own = doc
        .front_matter
        .keyphrase
        .as_deref()
        .map(|k| query(&keys, k));
    let sentences: Vec<_> = doc
        .blocks
        .iter()
        .filter(|b| {
            matches!(
                b.kind,
                imprimatur_check::BlockKind::Paragraph | imprimatur_check::BlockKind::ListItem
            )
        })
        .flat_map(|b| {
            let t = doc.block_text(b);
            text::sentences(t, doc.lang)
                .into_iter()
                .map(move |r| b.prose.start + r.start..b.prose.start + r.end)
        })
        .collect();
    let mut out = Vec::new();
    for o in others.iter().filter(|o| o.published && o.lang == doc.lang) {
        let (Some(k), Some(slug)) = (o.keyphrase.as_deref(), o.slug.as_deref()) else {
            continue;
        };
        let phrase = keys.phrase(k);
        if phrase.terms.is_empty() || own.as_ref() == Some(&query(&keys, k)) {
            continue;
        }
        if doc
            .links
            .iter()
            .any(|l| l.url.trim_end_matches('/').ends_with(slug))
        {
            continue;
        }
        for r in &sentences {
            let s = &doc.prose.text[r.clone()];
            let words: Vec<_> = text::words(s).collect();
            let wkeys: Vec<String> = words.iter().map(|(_, w)| keys.key(w)).collect();
            if keys.count(&phrase, &wkeys) == 0 {
                continue;
            }
            // The anchor: from the first to the last matched word.
            let hits: Vec<usize> = (0..words.len())
                .filter(|&i| phrase.terms.iter().any(|t| keys.matches(t, &wkeys[i])))
                .collect();
            let (first, last) = (hits[0], hits[hits.len() - 1]);
            let (a, b) = (r.start + words[first].0.start, r.start + words[last].0.end);
            let span = doc.prose_span(a, b);
            let source_anchor = &doc.source[span.start as usize..span.end as usize];
            let url = format!("/{}", slug.trim_start_matches('/'));
            let plain =
                last - first < 8 && !source_anchor.contains(['[', ']', '*', '_', '`', '\n']);
            let fix = plain.then(|| Fix {
                label: match doc.lang {
                    Lang::De => format!("Verlinken auf „{}“", o.title),
                    Lang::En => format!("Link to \"{}\"", o.title),
                },
                edits: vec![Edit {
                    start: span.start,
                    end: span.end,
                    replacement: format!("[{source_anchor}]({url})"),
                }],
            });
            let mut args = std::collections::BTreeMap::new();
            args.insert("title".to_string(), o.title.clone());
            args.insert("url".to_string(), url.clone());
            out.push(Finding {
                check: CheckKind::Seo,
                code: "seo.internal_link_suggestion".into(),
                severity: Severity::Info,
                message: Message {
                    key: "seo.internal_link_suggestion".into(),
                    args,
                    text: match doc.lang {
                        Lang::De => format!(
                            "Interner Link: Hier passt ein Link auf den Artikel „{}“ ({url}).",
                            o.title
                        ),
                        Lang::En => format!(
                            "Internal link: a link to the article \"{}\" ({url}) fits here.",
                            o.title
                        ),
                    },
                },
                span: if plain {
                    span
                } else {
                    doc.prose_span(r.start, r.end)
                },
                fix,
                evidence: Some(
                    json!({ "document": o.id, "title": o.title, "url": url, "keyphrase": k }),
                ),
            });
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, fm: &str) -> SiteArticle {
        SiteArticle::from_document(
            id,
            &Document::parse(format!("---\n{fm}\n---\nText.\n"), Lang::De),
        )
    }

    #[test]
    fn same_query_in_another_word_form_is_cannibalization() {
        let others = [
            article("a1", "title: Wärmepumpen im Altbau\nkeyphrase: Wärmepumpen im Altbau\nslug: wp-altbau"),
            article("a2", "title: Förderung 2026\nkeyphrase: Förderung für Wärmepumpen\ndescription: Alles zur Förderung."),
        ];
        let doc = Document::parse("---\ntitle: Förderung 2026\nkeyphrase: Altbau Wärmepumpe\ndescription: Alles zur  Förderung.\nlang: de\n---\nText.\n", Lang::De);
        let f = cannibalization(&doc, &others, &SeoConfig::default());
        let fields: Vec<_> = f.iter().map(|f| f.message.args["field"].as_str()).collect();
        assert_eq!(fields, ["keyphrase", "title", "description"]);
        assert_eq!(f[0].evidence.as_ref().unwrap()["document"], "a1");
        assert_eq!(
            &doc.source[f[0].span.start as usize..f[0].span.end as usize],
            "keyphrase: Altbau Wärmepumpe"
        );
        assert!(f[0].message.text.contains("Kannibalisierung"));
    }

    #[test]
    fn published_articles_are_suggested_where_their_keyphrase_is_mentioned() {
        let others = [
            article("a1", "title: Förderung für Wärmepumpen 2026\nkeyphrase: Förderung für Wärmepumpen\nslug: foerderung-waermepumpen-2026"),
            article("a2", "title: Wartungsvertrag\nkeyphrase: Wartungsvertrag Wärmepumpe\nslug: wartung\nstatus: draft"),
        ];
        let src = "---\ntitle: Altbau\nlang: de\n---\nDie Wärmepumpe läuft gut. Für Wärmepumpen gibt es eine Förderung vom Staat. Ein Wartungsvertrag für die Wärmepumpe hilft.\n";
        let doc = Document::parse(src, Lang::De);
        let f = link_suggestions(&doc, &others, &SeoConfig::default());
        assert_eq!(f.len(), 1, "{f:?}");
        let s = &f[0];
        assert_eq!(
            &src[s.span.start as usize..s.span.end as usize],
            "Wärmepumpen gibt es eine Förderung"
        );
        let edit = &s.fix.as_ref().unwrap().edits[0];
        assert_eq!(
            edit.replacement,
            "[Wärmepumpen gibt es eine Förderung](/foerderung-waermepumpen-2026)"
        );
        // Already linked: no suggestion.
        let linked = src.replace(
            "vom Staat.",
            "vom Staat ([mehr](/foerderung-waermepumpen-2026)).",
        );
        assert!(link_suggestions(
            &Document::parse(linked, Lang::De),
            &others,
            &SeoConfig::default()
        )
        .is_empty());
    }
}

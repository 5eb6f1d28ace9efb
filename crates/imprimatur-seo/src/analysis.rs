//! What the assessments share, computed once per document: sentences with their words and
//! match keys, the keyphrase and synonyms, word counts, and the readability statistics.

use std::collections::BTreeMap;
use std::ops::Range;

use imprimatur_check::{text, Block, BlockKind, Document, Lang, Message, Span};

use crate::keyphrase::{Phrase, WordKeys};
use crate::serp::{self, SerpPreview};
use crate::stats::{self, TextStats};
use crate::{Assessment, AssessmentGroup, Rating, SeoConfig};

pub(crate) struct Sentence {
    pub block: usize,
    /// Prose range.
    pub prose: Range<usize>,
    /// Words as written (unicode words: "Altbau-Wärmepumpe" is two).
    pub words: Vec<String>,
    pub keys: Vec<String>,
    /// Length in words as readers count them: white-space separated tokens.
    pub length: usize,
}

pub(crate) struct Analysis<'a> {
    pub doc: &'a Document,
    pub cfg: &'a SeoConfig,
    pub lang: Lang,
    pub keys: WordKeys,
    pub keyphrase: Option<Phrase>,
    pub synonyms: Vec<Phrase>,
    pub sentences: Vec<Sentence>,
    /// Words of the whole text (headings, paragraphs, lists, tables).
    pub word_count: usize,
    pub keyphrase_count: usize,
    pub stats: TextStats,
}

/// Words as readers count them: white-space separated tokens with a letter or digit.
pub(crate) fn token_count(s: &str) -> usize {
    s.split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .count()
}

pub(crate) fn is_text(b: &Block) -> bool {
    !matches!(b.kind, BlockKind::Code | BlockKind::Html)
}

impl<'a> Analysis<'a> {
    pub fn new(doc: &'a Document, cfg: &'a SeoConfig) -> Analysis<'a> {
        let lang = doc.lang;
        let keys = WordKeys::new(lang, cfg.word_forms);
        let fm = &doc.front_matter;
        let keyphrase = fm
            .keyphrase
            .as_deref()
            .map(|k| keys.phrase(k.trim_matches('"')))
            .filter(|p| !p.terms.is_empty());
        let synonyms = fm
            .synonyms
            .iter()
            .map(|s| keys.phrase(s))
            .filter(|p| !p.terms.is_empty())
            .collect();
        let mut sentences = Vec::new();
        let mut word_count = 0;
        // Stemming dominates the run time; texts repeat their words, so keys are cached.
        let mut cache: BTreeMap<String, String> = BTreeMap::new();
        for (bi, b) in doc.blocks.iter().enumerate() {
            if !is_text(b) {
                continue;
            }
            let t = doc.block_text(b);
            word_count += token_count(t);
            for r in text::sentences(t, lang) {
                let s = &t[r.clone()];
                let words: Vec<String> = text::words(s).map(|(_, w)| w.to_string()).collect();
                if words.is_empty() {
                    continue;
                }
                let k = words
                    .iter()
                    .map(|w| {
                        if let Some(k) = cache.get(w) {
                            return k.clone();
                        }
                        let k = keys.key(w);
                        cache.insert(w.clone(), k.clone());
                        k
                    })
                    .collect();
                sentences.push(Sentence {
                    block: bi,
                    prose: b.prose.start + r.start..b.prose.start + r.end,
                    length: token_count(s),
                    words,
                    keys: k,
                });
            }
        }
        let keyphrase_count = keyphrase.as_ref().map_or(0, |p| {
            sentences.iter().map(|s| keys.count(p, &s.keys)).sum()
        });
        let stats = stats::text_stats(
            sentences
                .iter()
                .flat_map(|s| s.words.iter().map(String::as_str)),
            sentences.len() as u32,
            lang,
        );
        Analysis {
            doc,
            cfg,
            lang,
            keys,
            keyphrase,
            synonyms,
            sentences,
            word_count,
            keyphrase_count,
            stats,
        }
    }

    /// The keyphrase, then its synonyms.
    pub fn topics(&self) -> impl Iterator<Item = &Phrase> {
        self.keyphrase.iter().chain(self.synonyms.iter())
    }

    pub fn keyphrase_density(&self) -> f64 {
        if self.word_count == 0 {
            return 0.0;
        }
        stats::round1(self.keyphrase_count as f64 * 100.0 / self.word_count as f64)
    }

    pub fn sentence_span(&self, s: &Sentence) -> Span {
        self.doc.prose_span(s.prose.start, s.prose.end)
    }

    pub fn block_span(&self, b: &Block) -> Span {
        self.doc.span(b.source.start, b.source.end)
    }

    /// The span of a front matter key's value (`title:` …), or the top of the file.
    pub fn front_matter_span(&self, key: &str) -> Span {
        let head = &self.doc.source[..self.doc.body_start];
        let mut pos = 0;
        for line in head.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                let value = rest.trim();
                let start = pos + key.len() + 1 + (rest.len() - rest.trim_start().len());
                return self.doc.span(start, start + value.len());
            }
            pos += line.len();
        }
        self.doc.span(0, 0)
    }

    /// The SEO title as result pages show it: the title plus the site's suffix.
    pub fn seo_title(&self) -> String {
        let title = self.doc.front_matter.title.clone().unwrap_or_default();
        if title.is_empty() {
            return title;
        }
        format!("{title}{}", self.cfg.title_suffix)
    }

    pub fn serp(&self) -> SerpPreview {
        let title = self.seo_title();
        let description = self
            .doc
            .front_matter
            .description
            .clone()
            .unwrap_or_default();
        SerpPreview {
            desktop: serp::fit(&title, serp::DESKTOP),
            mobile: serp::fit(&title, serp::MOBILE),
            title,
            description_desktop: serp::fit(&description, serp::DESCRIPTION_DESKTOP),
            description_mobile: serp::fit(&description, serp::DESCRIPTION_MOBILE),
            description,
            slug: self.doc.front_matter.slug.clone().unwrap_or_default(),
        }
    }

    /// Builds an assessment with its messages in both languages.
    pub fn assessment(&self, id: &str, v: Verdict) -> Assessment {
        let group = if id.starts_with("seo.") {
            AssessmentGroup::Seo
        } else {
            AssessmentGroup::Readability
        };
        let text = match self.lang {
            Lang::De => v.de.clone(),
            Lang::En => v.en.clone(),
        };
        Assessment {
            id: id.to_string(),
            group,
            score: v.score,
            rating: Rating::from_score(v.score),
            message: Message {
                key: format!("{id}.{}", v.variant),
                args: v.args,
                text,
            },
            message_de: v.de,
            message_en: v.en,
            value: v.value,
            marks: v.marks,
            scored: v.scored,
        }
    }
}

/// The outcome of one assessment before it gets its id: score, message variant and texts.
pub(crate) struct Verdict {
    pub score: i32,
    pub variant: &'static str,
    pub args: BTreeMap<String, String>,
    pub de: String,
    pub en: String,
    pub value: Option<f64>,
    pub marks: Vec<Span>,
    pub scored: bool,
}

impl Verdict {
    pub fn new(
        score: i32,
        variant: &'static str,
        de: impl Into<String>,
        en: impl Into<String>,
    ) -> Verdict {
        Verdict {
            score,
            variant,
            args: BTreeMap::new(),
            de: de.into(),
            en: en.into(),
            value: None,
            marks: Vec::new(),
            scored: true,
        }
    }

    pub fn arg(mut self, k: &str, v: impl ToString) -> Verdict {
        self.args.insert(k.to_string(), v.to_string());
        self
    }

    pub fn value(mut self, v: f64) -> Verdict {
        self.value = Some(v);
        self
    }

    pub fn marks(mut self, m: impl IntoIterator<Item = Span>) -> Verdict {
        self.marks.extend(m);
        self
    }

    pub fn unscored(mut self) -> Verdict {
        self.scored = false;
        self
    }
}

/// A number as German or English write it: 2,5 / 2.5.
pub(crate) fn num(x: f64, lang: Lang) -> String {
    let s = if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    };
    match lang {
        Lang::De => s.replace('.', ","),
        Lang::En => s,
    }
}

//! The SEO and readability check: a pure function of a [`Document`] and its [`SeoConfig`]
//! that yields Yoast-level [`Assessment`]s (stable id, score, good/ok/bad rating, message in
//! German and English, measured value, places in the text), turned into [`Finding`]s and
//! scores for the shared [`CheckReport`].
//!
//! Analysis follows the document's language (`lang` in its front matter), never the UI's.
//! German keyphrases match across inflection and compounds (see [`keyphrase`]); word lists
//! are data files in `words/<lang>/`.

mod analysis;
pub mod config;
pub mod keyphrase;
pub mod lexicon;
pub mod passive;
mod readability;
mod seo;
pub mod serp;
pub mod site;
pub mod stats;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use imprimatur_check::{CheckKind, Document, Finding, Lang, Message, Severity, Span};

pub use config::{SeoConfig, SeoConfigError};
pub use serp::{SerpPreview, SerpTitle};
pub use stats::TextStats;

/// Traffic-light rating of one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Good,
    Ok,
    Bad,
}

impl Rating {
    /// Yoast's scale: up to 4 is bad, 5–7 ok, 8 and more good.
    pub fn from_score(score: i32) -> Rating {
        match score {
            i32::MIN..=4 => Rating::Bad,
            5..=7 => Rating::Ok,
            _ => Rating::Good,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AssessmentGroup {
    Seo,
    Readability,
}

/// One traffic light of the SEO panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Assessment {
    /// Stable id, e.g. `seo.keyphrase_density`, `readability.passive_voice`.
    pub id: String,
    pub group: AssessmentGroup,
    /// Yoast's scale: 9 is best; heavy problems go below 0.
    pub score: i32,
    pub rating: Rating,
    /// In the document's language, with the key and arguments for the UI's language.
    pub message: Message,
    pub message_de: String,
    pub message_en: String,
    /// The measured value (a percentage, a count, pixels…), if the assessment measures one.
    pub value: Option<f64>,
    /// Places in the source the assessment is about (too long sentences, the title line…).
    pub marks: Vec<Span>,
    /// Whether it counts toward its group's total (the readability formulas are shown but,
    /// as in yoastseo, do not count).
    pub scored: bool,
}

/// Everything the check found about one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SeoReport {
    pub lang: Lang,
    pub assessments: Vec<Assessment>,
    /// 0–100: the mean of the SEO scores over 9.
    pub seo_score: f64,
    /// 30 (needs improvement), 60 (ok) or 90 (good), from the readability ratings as yoastseo
    /// aggregates them.
    pub readability_score: f64,
    pub stats: TextStats,
    /// Keyphrase occurrences and density (in % of words).
    pub keyphrase_count: u32,
    pub keyphrase_density: f64,
    pub serp: SerpPreview,
}

/// Runs every SEO and readability assessment on `doc`.
pub fn check(doc: &Document, cfg: &SeoConfig) -> SeoReport {
    let a = analysis::Analysis::new(doc, cfg);
    let mut assessments = seo::assess(&a);
    assessments.extend(readability::assess(&a));
    let seo_scores: Vec<i32> = assessments
        .iter()
        .filter(|x| x.group == AssessmentGroup::Seo && x.scored)
        .map(|x| x.score)
        .collect();
    let seo_score = if seo_scores.is_empty() {
        0.0
    } else {
        let sum: i32 = seo_scores.iter().sum();
        (f64::from(sum) * 100.0 / (9.0 * seo_scores.len() as f64))
            .clamp(0.0, 100.0)
            .round()
    };
    // yoastseo's readability aggregate: a penalty of 3 per bad and 2 per ok rating.
    let penalty: i32 = assessments
        .iter()
        .filter(|x| x.group == AssessmentGroup::Readability && x.scored)
        .map(|x| match x.rating {
            Rating::Bad => 3,
            Rating::Ok => 2,
            Rating::Good => 0,
        })
        .sum();
    let readability_score = match penalty {
        p if p > 6 => 30.0,
        p if p > 4 => 60.0,
        _ => 90.0,
    };
    SeoReport {
        lang: doc.lang,
        assessments,
        seo_score,
        readability_score,
        stats: a.stats.clone(),
        keyphrase_count: a.keyphrase_count as u32,
        keyphrase_density: a.keyphrase_density(),
        serp: a.serp(),
    }
}

impl SeoReport {
    /// Findings for every assessment that is not good (ok → suggestion, bad → warning; the
    /// unscored readability formulas → info), each at its first mark, with the measured
    /// value as evidence.
    pub fn findings(&self, doc: &Document) -> Vec<Finding> {
        self.assessments
            .iter()
            .filter(|x| x.rating != Rating::Good)
            .map(|x| Finding {
                check: CheckKind::Seo,
                code: x.id.clone(),
                // The readability formulas restate what sentence and word length already
                // say; as warnings they would triple-count one problem.
                severity: match (x.scored, x.rating) {
                    (false, _) => Severity::Info,
                    (true, Rating::Bad) => Severity::Warning,
                    (true, _) => Severity::Suggestion,
                },
                message: x.message.clone(),
                span: x
                    .marks
                    .first()
                    .copied()
                    .unwrap_or_else(|| doc.span(doc.body_start, doc.body_start)),
                fix: None,
                evidence: Some(serde_json::json!({
                    "value": x.value,
                    "score": x.score,
                    "rating": x.rating,
                    "marks": x.marks.len(),
                })),
            })
            .collect()
    }

    /// Scores for `CheckReport.scores`: the totals `seo` and `readability`, each assessment's
    /// score under its id, and the readability formulas' values.
    pub fn scores(&self) -> BTreeMap<String, f64> {
        let mut s = BTreeMap::new();
        s.insert("seo".to_string(), self.seo_score);
        s.insert("readability".to_string(), self.readability_score);
        for x in &self.assessments {
            s.insert(x.id.clone(), f64::from(x.score));
        }
        s.insert(
            "readability.flesch_reading_ease.value".into(),
            self.stats.flesch_reading_ease,
        );
        s.insert("readability.lix.value".into(), self.stats.lix);
        if let Some(w) = self.stats.wiener_sachtextformel {
            s.insert("readability.wiener_sachtextformel.value".into(), w);
        }
        s
    }

    pub fn get(&self, id: &str) -> Option<&Assessment> {
        self.assessments.iter().find(|x| x.id == id)
    }
}

//! Same topic (cannibalization) from precomputed embeddings: the document vectors and,
//! where the documents have them, title and keyphrase vectors. The vectors come from
//! `imprimatur_embed::Embedder` (normalised, so the dot product is the cosine); this
//! module only compares, so it needs no model.

use serde::{Deserialize, Serialize};

use crate::settings::DupSettings;

/// The vectors of one document. Missing title or keyphrase vectors are skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicVectors {
    pub document: Vec<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Vec<f32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyphrase: Option<Vec<f32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicVerdict {
    pub id: String,
    pub document_cosine: f64,
    pub title_cosine: Option<f64>,
    pub keyphrase_cosine: Option<f64>,
    /// The document vectors, or the title or keyphrase vectors, reach their threshold.
    pub same_topic: bool,
}

/// The cosine similarity (not assuming normalised input).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na.sqrt() * nb.sqrt())
}

/// A verdict for each other document (id and vectors, borrowed: a workspace's index can
/// hold many), most similar first.
pub fn same_topic<'a>(
    draft: &TopicVectors,
    others: impl IntoIterator<Item = (&'a str, &'a TopicVectors)>,
    settings: &DupSettings,
) -> Vec<TopicVerdict> {
    let pair = |a: &Option<Vec<f32>>, b: &Option<Vec<f32>>| match (a, b) {
        (Some(a), Some(b)) => Some(cosine(a, b)),
        _ => None,
    };
    let mut out: Vec<TopicVerdict> = others
        .into_iter()
        .map(|(id, o)| {
            let document_cosine = cosine(&draft.document, &o.document);
            let title_cosine = pair(&draft.title, &o.title);
            let keyphrase_cosine = pair(&draft.keyphrase, &o.keyphrase);
            let same_topic = document_cosine >= settings.same_topic_cosine
                || title_cosine.is_some_and(|c| c >= settings.same_title_cosine)
                || keyphrase_cosine.is_some_and(|c| c >= settings.same_title_cosine);
            TopicVerdict {
                id: id.to_string(),
                document_cosine,
                title_cosine,
                keyphrase_cosine,
                same_topic,
            }
        })
        .collect();
    out.sort_by(|a, b| b.document_cosine.total_cmp(&a.document_cosine));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_title_is_enough_for_a_verdict() {
        let s = DupSettings::default();
        let draft = TopicVectors {
            document: vec![1.0, 0.0],
            title: Some(vec![0.0, 1.0]),
            keyphrase: None,
        };
        let others = [
            (
                "far".to_string(),
                TopicVectors {
                    document: vec![0.0, 1.0],
                    title: Some(vec![1.0, 0.0]),
                    keyphrase: None,
                },
            ),
            (
                "title".to_string(),
                TopicVectors {
                    document: vec![0.5, 0.5],
                    title: Some(vec![0.01, 1.0]),
                    keyphrase: None,
                },
            ),
        ];
        let v = same_topic(&draft, others.iter().map(|(id, o)| (id.as_str(), o)), &s);
        assert_eq!(v[0].id, "title");
        assert!(v[0].same_topic && !v[1].same_topic);
    }
}

//! Word-level differences between two revisions.

use std::time::Duration;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};
use ts_rs::TS;

use crate::{Revision, RevisionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DiffOp {
    Equal,
    Insert,
    Delete,
}

/// A run of text with one operation; consecutive words with the same operation are merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DiffChunk {
    pub op: DiffOp,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WordDiff {
    pub from: RevisionId,
    pub to: RevisionId,
    pub chunks: Vec<DiffChunk>,
    pub inserted_words: u32,
    pub deleted_words: u32,
}

/// A word diff that gives up refining after two seconds, so that a pathological
/// pair of huge texts still answers (with a coarser diff) instead of hanging the app.
pub fn word_diff(from: &Revision, to: &Revision) -> WordDiff {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(Duration::from_secs(2))
        .diff_words(from.content.as_str(), to.content.as_str());
    let mut chunks: Vec<DiffChunk> = Vec::new();
    let (mut inserted_words, mut deleted_words) = (0, 0);
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => DiffOp::Equal,
            ChangeTag::Insert => DiffOp::Insert,
            ChangeTag::Delete => DiffOp::Delete,
        };
        let text: &str = change.value();
        let is_word = !text.trim().is_empty();
        match op {
            DiffOp::Insert if is_word => inserted_words += 1,
            DiffOp::Delete if is_word => deleted_words += 1,
            _ => {}
        }
        match chunks.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => chunks.push(DiffChunk {
                op,
                text: text.to_string(),
            }),
        }
    }
    WordDiff {
        from: from.meta.id.clone(),
        to: to.meta.id.clone(),
        chunks,
        inserted_words,
        deleted_words,
    }
}

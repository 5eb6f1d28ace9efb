//! Storing briefs and drafts: a brief is a versioned file document in the store (its
//! document id is the brief id the draft's front matter names), a draft is a new
//! document whose first revision has origin `ai` (the store records its provenance).

use imprimatur_store::{
    DocumentSummary, NewRevision, Origin, SaveOutcome, Store, StoreResult, Timestamp,
};
use serde_json::json;

use crate::generate::Draft;

/// Saves the brief text as the next revision of the file document `file` (a
/// workspace-relative path such as `briefs/waermepumpe-kosten.toml`). Returns the
/// outcome; `outcome.revision.document_id` is the brief id.
pub fn save_brief(
    store: &mut Store,
    file: &str,
    text: &str,
    actor: &str,
    now: Timestamp,
) -> StoreResult<SaveOutcome> {
    store.save_file(
        file,
        None,
        NewRevision {
            content: text,
            author: actor,
            origin: Origin::Human,
            message: None,
        },
        "brief.save",
        &json!({ "file": file }),
        now,
    )
}

/// Creates the draft's document and saves the draft as its first revision, origin
/// `ai`, with a message naming the model(s) and prompt templates. The citations travel
/// in the text (reference definitions), the provenance in the store.
pub fn save_draft(
    store: &mut Store,
    draft: &Draft,
    actor: &str,
    now: Timestamp,
) -> StoreResult<(DocumentSummary, SaveOutcome)> {
    let doc = store.create_document(&draft.title, actor, now)?;
    let mut models: Vec<&str> = draft.sections.iter().map(|s| s.model.as_str()).collect();
    models.dedup();
    let templates: Vec<String> = draft
        .templates
        .iter()
        .map(|(id, v)| format!("{id} v{v}"))
        .collect();
    let message = format!(
        "draft by {} ({}); {} citation(s)",
        models.join(", "),
        templates.join(", "),
        draft.citations.len()
    );
    let saved = store.save(
        &doc.id,
        NewRevision {
            content: &draft.markdown,
            author: actor,
            origin: Origin::Ai,
            message: Some(&message),
        },
        now,
    )?;
    Ok((store.document(&doc.id)?, saved))
}

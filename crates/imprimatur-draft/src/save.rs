//! Storing briefs: a brief is a versioned file document in the store (its document id
//! is the brief id the draft's front matter names). Drafts are saved by the workspace's
//! drafting core (`imprimatur_workspace::draft`), the one path of app and CLI.

use imprimatur_store::{NewRevision, Origin, SaveOutcome, Store, StoreResult, Timestamp};
use serde_json::json;

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

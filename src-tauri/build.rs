// Declaring the app's commands generates one permission per command, so the
// capability file can grant exactly these and nothing else.
const COMMANDS: &[&str] = &[
    "app_state",
    "workspace_open",
    "workspace_create",
    "workspace_open_demo",
    "doc_list",
    "doc_create",
    "doc_open",
    "doc_save",
    "doc_history",
    "revision_read",
    "doc_restore",
    "doc_diff",
    "doc_check",
    "doc_seo",
    "finding_ignore",
    "finding_unignore",
    "doc_ignores",
    "rule_list",
    "rule_set_level",
    "rule_save",
    "rule_try",
    "kb_status",
    "kb_search",
    "kb_ingest",
    "kb_cancel",
    "kb_source",
    "identity_state",
    "identity_unlock",
    "member_add",
    "member_set_roles",
    "review_status",
    "review_submit",
    "review_decide",
    "review_waive",
    "review_comment",
    "review_publish",
    "review_export_bundle",
    "review_decide_bundle",
    "review_import_decision",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}

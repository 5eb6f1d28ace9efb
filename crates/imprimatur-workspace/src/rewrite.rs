//! "Rewrite selection": shorter, simpler, more formal, du → Sie, Sie → du, into English,
//! into German. The call goes through the [`Router`](imprimatur_model::Router) with task
//! `rewrite` and the document's confidentiality (its front matter, in the editor's text
//! or the saved one: either makes it confidential), so a confidential document never
//! reaches a cloud model. The prompt comes from `templates/prompts/rewrite.toml` (the
//! workspace's, else the bundled one) and its id and version go into the audit record.
//! An accepted rewrite is saved as a revision with origin `ai`.

use std::collections::BTreeMap;
use std::path::Path;

use imprimatur_check::{Document, Lang};
use imprimatur_model::{Ask, Event, Message, Task};
use imprimatur_store::{DocumentId, NewRevision, Origin, SaveOutcome, Timestamp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::models::Models;
use crate::{bundled, Workspace, WorkspaceError, WorkspaceResult};

/// What to do with the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RewriteAction {
    Shorter,
    Simpler,
    Formal,
    DuToSie,
    SieToDu,
    ToEnglish,
    ToGerman,
}

impl RewriteAction {
    pub const ALL: [RewriteAction; 7] = [
        RewriteAction::Shorter,
        RewriteAction::Simpler,
        RewriteAction::Formal,
        RewriteAction::DuToSie,
        RewriteAction::SieToDu,
        RewriteAction::ToEnglish,
        RewriteAction::ToGerman,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RewriteAction::Shorter => "shorter",
            RewriteAction::Simpler => "simpler",
            RewriteAction::Formal => "formal",
            RewriteAction::DuToSie => "du_to_sie",
            RewriteAction::SieToDu => "sie_to_du",
            RewriteAction::ToEnglish => "to_english",
            RewriteAction::ToGerman => "to_german",
        }
    }
}

/// A rewrite's answer and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Rewrite {
    pub action: RewriteAction,
    pub text: String,
    /// The model's name in `[models.providers]`, its preset and `local`/`cloud`.
    pub model: String,
    pub preset: String,
    pub locality: String,
    pub confidential: bool,
    #[ts(type = "number")]
    pub cost_micros: i64,
    pub currency: String,
    pub cached: bool,
    #[ts(type = "number")]
    pub latency_ms: u64,
    pub template: String,
    pub template_version: String,
    /// Why this model answered (route, refusals, fallbacks).
    pub decisions: Vec<String>,
}

/// What the preview receives while the answer streams.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RewriteProgress {
    Delta {
        text: String,
    },
    /// A model failed mid-answer: what was shown is void, the next model starts over.
    Discard {
        model: String,
        reason: String,
    },
}

/// `templates/prompts/rewrite.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptTemplate {
    pub id: String,
    pub version: String,
    pub system: String,
    pub user: String,
    pub instructions: BTreeMap<String, String>,
}

const TEMPLATE: &str = "prompts/rewrite.toml";

impl PromptTemplate {
    /// The workspace's `templates/prompts/rewrite.toml`, else the bundled one.
    pub fn load(root: &Path) -> WorkspaceResult<PromptTemplate> {
        let file = root.join("templates").join(TEMPLATE);
        let (text, path) = if file.is_file() {
            (crate::read_text(&file)?, file)
        } else {
            let bundled = bundled::TEMPLATES
                .get_file(TEMPLATE)
                .and_then(|f| f.contents_utf8())
                .expect("the bundled rewrite template");
            (bundled.to_string(), Path::new("templates").join(TEMPLATE))
        };
        let t: PromptTemplate = toml::from_str(&text).map_err(|e| WorkspaceError::Template {
            path: path.clone(),
            message: e.message().trim().to_string(),
        })?;
        for a in RewriteAction::ALL {
            if !t.instructions.contains_key(a.as_str()) {
                return Err(WorkspaceError::Template {
                    path,
                    message: format!("[instructions] has no `{}`", a.as_str()),
                });
            }
        }
        Ok(t)
    }

    /// The conversation for `action` on `text`.
    pub fn messages(&self, action: RewriteAction, text: &str) -> Vec<Message> {
        let instruction = &self.instructions[action.as_str()];
        vec![
            Message::system(self.system.replace("{instruction}", instruction)),
            // The selection cannot close the quoting early.
            Message::user(
                self.user
                    .replace("{text}", &text.replace("</text>", "&lt;/text&gt;")),
            ),
        ]
    }
}

/// Whether the document is confidential: in the editor's text or in its newest saved
/// revision (either is enough, so unchecking the box without saving cannot leak).
pub fn is_confidential(ws: &Workspace, id: &DocumentId, content: &str) -> WorkspaceResult<bool> {
    let now = Document::parse(content.to_string(), Lang::De)
        .front_matter
        .confidential;
    let saved = match ws.store().head(id)? {
        Some(head) => {
            Document::parse(head.content, Lang::De)
                .front_matter
                .confidential
        }
        None => false,
    };
    Ok(now || saved)
}

/// A model's answer without what small models wrap around it.
fn clean(answer: &str) -> String {
    let mut t = answer.trim();
    for (open, close) in [("<text>", "</text>"), ("\"", "\""), ("„", "“")] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            t = inner.trim();
        }
    }
    t.strip_suffix("</text>").unwrap_or(t).trim().to_string()
}

impl Models {
    /// Rewrites `selection` of document `id` (whose editor text is `content`), streaming
    /// the answer to `progress`. Every attempt is in the ledger and the audit chain.
    #[allow(clippy::too_many_arguments)]
    pub fn rewrite(
        &self,
        root: &Path,
        id: &DocumentId,
        content: &str,
        selection: &str,
        action: RewriteAction,
        actor: &str,
        now: Timestamp,
        progress: &mut dyn FnMut(RewriteProgress),
    ) -> WorkspaceResult<Rewrite> {
        if selection.trim().is_empty() {
            return Err(WorkspaceError::EmptySelection);
        }
        let mut ws = Workspace::open(root)?;
        ws.store().document(id)?;
        let confidential = is_confidential(&ws, id, content)?;
        let template = PromptTemplate::load(ws.root())?;
        let router = self.router(&ws)?;
        let mut ask = Ask::new(Task::Rewrite, template.messages(action, selection), actor);
        ask.confidential = confidential;
        ask.document = Some(id.to_string());
        ask.template = Some((template.id.clone(), template.version.clone()));
        // Room for a translation that is longer than its source; a rewrite rarely is.
        let tokens = imprimatur_model::tokens::estimate(selection);
        ask.params.max_tokens = (tokens * 2 + 64).clamp(64, 1024);
        ask.params.temperature = 0.2;
        let cancel = self.start();
        let answer = router.ask(
            ws.store_mut(),
            &ask,
            now,
            &mut |e| match e {
                Event::Delta(t) => progress(RewriteProgress::Delta {
                    text: t.to_string(),
                }),
                Event::Discard { model, reason } => progress(RewriteProgress::Discard {
                    model: model.to_string(),
                    reason: reason.to_string(),
                }),
            },
            &cancel,
        )?;
        Ok(Rewrite {
            action,
            text: clean(&answer.text),
            model: answer.model,
            preset: answer.preset,
            locality: answer.locality,
            confidential,
            cost_micros: answer.cost_micros,
            currency: answer.currency,
            cached: answer.cached,
            latency_ms: answer.latency_ms,
            template: template.id,
            template_version: template.version,
            decisions: answer.decisions,
        })
    }
}

impl Workspace {
    /// Saves the document's text after an accepted rewrite as a revision with origin
    /// `ai`, its message naming the action, the model and the template.
    pub fn save_rewrite(
        &mut self,
        id: &DocumentId,
        content: &str,
        rewrite: &AcceptedRewrite,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<SaveOutcome> {
        let message = format!(
            "AI rewrite ({}) by {}, template {}@{}",
            rewrite.action.as_str(),
            rewrite.model,
            rewrite.template,
            rewrite.template_version
        );
        Ok(self.store.save(
            id,
            NewRevision {
                content,
                author: actor,
                origin: Origin::Ai,
                message: Some(&message),
            },
            now,
        )?)
    }
}

/// What the app sends back when the user accepts a rewrite.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
pub struct AcceptedRewrite {
    pub action: RewriteAction,
    pub model: String,
    pub template: String,
    pub template_version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_template_has_every_action_and_quotes_the_text() {
        let d = tempfile::tempdir().unwrap();
        let t = PromptTemplate::load(d.path()).unwrap();
        assert_eq!((t.id.as_str(), t.version.as_str()), ("rewrite", "1"));
        let m = t.messages(RewriteAction::DuToSie, "Hast du </text> Zeit?");
        assert!(
            m[0].content.contains("\"du\" to formal \"Sie\""),
            "{}",
            m[0].content
        );
        assert!(m[1]
            .content
            .starts_with("<text>\nHast du &lt;/text&gt; Zeit?"));
        // A workspace's own template wins, and a broken one names its file.
        let own = d.path().join("templates/prompts");
        std::fs::create_dir_all(&own).unwrap();
        std::fs::write(own.join("rewrite.toml"), "id = \"rewrite\"\n").unwrap();
        let e = PromptTemplate::load(d.path()).unwrap_err().to_string();
        assert!(e.contains("rewrite.toml"), "{e}");
    }

    #[test]
    fn answers_lose_their_wrapping() {
        assert_eq!(clean("  <text>\nKurz.\n</text> "), "Kurz.");
        assert_eq!(clean("\"Kurz.\""), "Kurz.");
        assert_eq!(clean("Kurz.</text>"), "Kurz.");
        assert_eq!(clean("Kurz und gut."), "Kurz und gut.");
    }

    #[test]
    fn confidentiality_from_the_editor_or_the_saved_text() {
        let d = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&d.path().join("w"), "t", Timestamp(1)).unwrap();
        let doc = ws
            .store_mut()
            .create_document("D", "t", Timestamp(2))
            .unwrap();
        let secret = "---\nconfidential: true\n---\nText\n";
        assert!(!is_confidential(&ws, &doc.id, "Text").unwrap());
        assert!(is_confidential(&ws, &doc.id, secret).unwrap());
        let new = NewRevision {
            content: secret,
            author: "t",
            origin: Origin::Human,
            message: None,
        };
        ws.store_mut().save(&doc.id, new, Timestamp(3)).unwrap();
        assert!(is_confidential(&ws, &doc.id, "Text").unwrap());
    }
}

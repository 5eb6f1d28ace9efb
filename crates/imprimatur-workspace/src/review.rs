//! The review workflow as the app uses it: who is acting (proved by their key), members,
//! and a document's review (submit, decide, waive, comment, publish, bundles). The rules
//! live in imprimatur-review; this layer reads the workspace's `[workflow]` gates, checks
//! the text that is submitted, and shapes the answers for the IPC boundary.

use std::path::{Path, PathBuf};

use imprimatur_check::CheckReport;
use imprimatur_review::{
    Actor, AnchoredComment, Author, Blocker, Decision, Gates, Member, NewComment, Obstacle,
    Publication, ReviewState, Role, SigningKeys, Verdict, Voided, Waiver,
};
use imprimatur_store::{DocumentId, RevisionMeta, Timestamp};
use serde::Serialize;
use ts_rs::TS;

use crate::{Workspace, WorkspaceResult};

/// A member and whether their private key is in this computer's keychain (only then can
/// the app act as them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemberKey {
    pub member: Member,
    pub key_here: bool,
}

/// Who is acting and who could.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IdentityView {
    /// The member whose key was proved; none before anyone unlocked.
    pub acting: Option<Member>,
    pub members: Vec<MemberKey>,
}

/// A decision with the number of the revision it is about, and whether it is the valid
/// approval of the newest revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DecisionView {
    pub decision: Decision,
    pub revision: u32,
    pub current: bool,
}

/// What the review panel and the guided path show for one document.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReviewOverview {
    pub document_id: DocumentId,
    /// The state of the newest revision (a draft again once the text changed).
    pub state: ReviewState,
    pub head: Option<RevisionMeta>,
    /// The last approved revision, the base of the reviewer's diff.
    pub last_approved: Option<RevisionMeta>,
    /// The newest revision has a valid approval (publishing needs exactly that).
    pub approval_valid: bool,
    pub voided: Option<Voided>,
    /// Everyone who saved a revision or started an AI generation since the last approval.
    pub authors: Vec<Author>,
    /// The stored check report of the newest revision (stored when it was submitted).
    pub report: Option<CheckReport>,
    /// Blocking findings of that report, each with the waiver that lets it stand.
    pub blocking: Vec<Blocker>,
    pub waivers: Vec<Waiver>,
    pub decisions: Vec<DecisionView>,
    /// Comments with where they sit in the newest revision (none: their text is gone).
    pub comments: Vec<AnchoredComment>,
    /// Share (0..1) of the newest revision's words that came from AI revisions.
    pub ai_share: Option<f64>,
    pub publications: Vec<Publication>,
    pub gates: Gates,
    /// What the core says stands before the next step.
    pub obstacles: Vec<Obstacle>,
}

/// The files a publication wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PublishedFiles {
    pub dir: String,
    pub markdown: String,
    pub html: String,
    pub evidence: String,
}

impl Workspace {
    /// The `[workflow]` gates of imprimatur.toml.
    pub fn gates(&self) -> WorkspaceResult<Gates> {
        Ok(Gates::from_table(self.settings.workflow.as_ref())?)
    }

    /// Who is acting, and every member with whether this keychain holds their key.
    pub fn identity(
        &self,
        acting: Option<&Actor>,
        keys: &dyn SigningKeys,
    ) -> WorkspaceResult<IdentityView> {
        let mut members = Vec::new();
        for member in self.store.members()? {
            // A keychain that cannot be read holds no key we could use.
            let key_here = imprimatur_review::keys::public_key(keys, &member.id)
                .ok()
                .flatten()
                .is_some_and(|k| k == member.public_key);
            members.push(MemberKey { member, key_here });
        }
        Ok(IdentityView {
            acting: acting.map(|a| a.member().clone()),
            members,
        })
    }

    /// Proves that this computer holds `member`'s registered key (signs a fresh
    /// challenge); the returned actor signs everything `member` does from now on.
    pub fn unlock(
        &self,
        member: &str,
        keys: &dyn SigningKeys,
        now: Timestamp,
    ) -> WorkspaceResult<Actor> {
        Ok(Actor::prove(&self.store, member, keys, now)?)
    }

    /// Registers a member with a key pair created in `keys` (this computer's keychain),
    /// or with `public_key` when they sent theirs. The first member registers themself
    /// and must be an admin; after that an admin acts.
    #[allow(clippy::too_many_arguments)]
    pub fn add_member(
        &mut self,
        admin: Option<&Actor>,
        id: &str,
        name: &str,
        roles: &[Role],
        public_key: Option<&str>,
        keys: &dyn SigningKeys,
        now: Timestamp,
    ) -> WorkspaceResult<Member> {
        imprimatur_review::keys::check_member_id(id)?;
        let key = match public_key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => k.to_string(),
            None => imprimatur_review::ensure_key(keys, id)?,
        };
        Ok(imprimatur_review::add_member(
            &mut self.store,
            admin,
            id,
            name,
            roles,
            &key,
            now,
        )?)
    }

    pub fn set_member_roles(
        &mut self,
        admin: &Actor,
        id: &str,
        roles: &[Role],
        now: Timestamp,
    ) -> WorkspaceResult<Member> {
        Ok(imprimatur_review::set_roles(
            &mut self.store,
            admin,
            id,
            roles,
            now,
        )?)
    }

    /// The review panel's view of document `id`.
    pub fn review_overview(&self, id: &DocumentId) -> WorkspaceResult<ReviewOverview> {
        let gates = self.gates()?;
        let status = imprimatur_review::status(&self.store, id, &gates)?;
        let history = self.store.history(id)?;
        let number = |rev: &imprimatur_store::RevisionId| {
            history
                .iter()
                .find(|r| &r.id == rev)
                .map_or(0, |r| r.number)
        };
        let last_approved = status
            .decisions
            .iter()
            .rev()
            .filter(|d| d.verdict == Verdict::Approve)
            .find_map(|d| history.iter().find(|r| r.id == d.revision_id).cloned());
        let ai_share = match status.head {
            Some(_) => Some(imprimatur_review::review_view(&self.store, id, &gates)?.ai_share),
            None => None,
        };
        let decisions = status
            .decisions
            .iter()
            .map(|d| DecisionView {
                decision: d.clone(),
                revision: number(&d.revision_id),
                current: status.approval.as_ref().is_some_and(|a| a.id == d.id),
            })
            .collect();
        Ok(ReviewOverview {
            document_id: id.clone(),
            state: status.state,
            head: status.head,
            last_approved,
            approval_valid: status.approval.is_some(),
            voided: status.voided,
            authors: status.authors,
            report: status.report,
            blocking: status.blockers,
            waivers: status
                .waivers
                .into_iter()
                .filter(|w| w.revoked_at.is_none())
                .collect(),
            decisions,
            comments: status.comments,
            ai_share,
            publications: self.store.publications(id)?,
            gates,
            obstacles: status.obstacles,
        })
    }

    /// The check report the gates judge for the saved newest revision of `id`: every
    /// check, with the workspace's other documents for duplicates, and *without* the
    /// user's ignores, so ignoring a finding never lets it past review (only a reviewer's
    /// waiver does).
    pub fn review_report(&self, id: &DocumentId) -> WorkspaceResult<CheckReport> {
        let content = self.store.head(id)?.map(|h| h.content).unwrap_or_default();
        Ok(self.check_in_workspace(&content, &[], Some(id)))
    }

    /// Submits the saved newest revision for review, with its check report.
    pub fn review_submit(
        &mut self,
        actor: &Actor,
        id: &DocumentId,
        now: Timestamp,
    ) -> WorkspaceResult<ReviewOverview> {
        let report = self.review_report(id)?;
        let gates = self.gates()?;
        imprimatur_review::submit(&mut self.store, actor, id, &report, &gates, now)?;
        self.review_overview(id)
    }

    /// Approves or requests changes for the saved newest revision, signed by `actor`.
    pub fn review_decide(
        &mut self,
        actor: &Actor,
        id: &DocumentId,
        verdict: Verdict,
        comment: &str,
        now: Timestamp,
    ) -> WorkspaceResult<ReviewOverview> {
        let gates = self.gates()?;
        match verdict {
            Verdict::Approve => {
                imprimatur_review::approve(&mut self.store, actor, id, comment, &[], &gates, now)?
            }
            Verdict::RequestChanges => imprimatur_review::request_changes(
                &mut self.store,
                actor,
                id,
                comment,
                &[],
                &gates,
                now,
            )?,
        };
        self.review_overview(id)
    }

    /// Waives the blocking finding `code` at byte `start` of the newest revision.
    pub fn review_waive(
        &mut self,
        actor: &Actor,
        id: &DocumentId,
        code: &str,
        start: u32,
        reason: &str,
        now: Timestamp,
    ) -> WorkspaceResult<ReviewOverview> {
        let gates = self.gates()?;
        imprimatur_review::waive(&mut self.store, actor, id, code, start, reason, &gates, now)?;
        self.review_overview(id)
    }

    /// Comments on bytes `start..end` of the newest revision.
    pub fn review_comment(
        &mut self,
        actor: &Actor,
        id: &DocumentId,
        start: u32,
        end: u32,
        body: &str,
        now: Timestamp,
    ) -> WorkspaceResult<ReviewOverview> {
        let new = NewComment {
            start,
            end,
            body: body.to_string(),
        };
        imprimatur_review::comment(&mut self.store, actor, id, &new, now)?;
        self.review_overview(id)
    }
}

/// A path the user typed: `~/` is their home folder, a relative path is relative to the
/// workspace (the app has no working directory the user would know).
pub fn user_path(root: &Path, typed: &str) -> PathBuf {
    let typed = typed.trim();
    if let Some(rest) = typed.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    let p = PathBuf::from(typed);
    if p.is_absolute() {
        p
    } else {
        root.join(p)
    }
}

/// Between computers: review bundles out, decision files in; and publishing.
impl Workspace {
    /// Publishes the approved newest revision: Markdown and HTML with front matter and
    /// the signed evidence pack, written into `dir`.
    pub fn review_publish(
        &mut self,
        actor: &Actor,
        id: &DocumentId,
        dir: &Path,
        now: Timestamp,
    ) -> WorkspaceResult<PublishedFiles> {
        let sources = self.cited_sources(id)?;
        let gates = self.gates()?;
        let done =
            imprimatur_review::publish(&mut self.store, actor, id, dir, sources, &gates, now)?;
        Ok(PublishedFiles {
            dir: dir.display().to_string(),
            markdown: done.markdown,
            html: done.html,
            evidence: done.evidence,
        })
    }

    /// Writes a signed review bundle of the submitted newest revision to `path`.
    pub fn review_export_bundle(
        &mut self,
        actor: &Actor,
        id: &DocumentId,
        path: &Path,
        now: Timestamp,
    ) -> WorkspaceResult<PathBuf> {
        let sources = self.cited_sources(id)?;
        let bytes = imprimatur_review::export_bundle(&mut self.store, actor, id, sources, now)?;
        write_file(path, &bytes)?;
        Ok(path.to_path_buf())
    }

    /// The reviewer's side: opens the bundle at `bundle` (refused if tampered, signed by
    /// a stranger, …), decides as `actor` and writes the signed decision file to `out`.
    #[allow(clippy::too_many_arguments)]
    pub fn review_decide_bundle(
        &self,
        actor: &Actor,
        bundle: &Path,
        verdict: Verdict,
        comment: &str,
        out: &Path,
        now: Timestamp,
    ) -> WorkspaceResult<PathBuf> {
        let bytes = std::fs::read(bundle).map_err(crate::error::io(bundle))?;
        let opened = imprimatur_review::open_bundle(&self.store, &bytes)?;
        let gates = self.gates()?;
        let file =
            imprimatur_review::decide(&opened, actor, verdict, comment, &[], &[], &gates, now)?;
        write_file(out, &file)?;
        Ok(out.to_path_buf())
    }

    /// Verifies and records a decision file (signature, reviewer role, exact revision).
    pub fn review_import_decision(
        &mut self,
        path: &Path,
        now: Timestamp,
    ) -> WorkspaceResult<ReviewOverview> {
        let bytes = std::fs::read(path).map_err(crate::error::io(path))?;
        let gates = self.gates()?;
        let decision = imprimatur_review::import_decision(&mut self.store, &bytes, &gates, now)?;
        self.review_overview(&decision.document_id)
    }

    /// The knowledge files the document's newest revision cites (`knowledge/…` paths in
    /// its links and reference definitions), with their text, for the review bundle.
    fn cited_sources(
        &self,
        id: &DocumentId,
    ) -> WorkspaceResult<Vec<imprimatur_review::BundleSource>> {
        let content = self.store.head(id)?.map(|h| h.content).unwrap_or_default();
        let mut out: Vec<imprimatur_review::BundleSource> = Vec::new();
        for (at, _) in content.match_indices("knowledge/") {
            let rest = &content[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | '>' | '"' | '#'))
                .unwrap_or(rest.len());
            let rel = &rest[..end];
            if out.iter().any(|s| s.path == rel) || rel.contains("..") {
                continue;
            }
            // Cited files that are not text (PDF, DOCX) or are gone stay out of the bundle.
            if let Ok(text) = crate::read_text(&self.root.join(rel)) {
                out.push(imprimatur_review::BundleSource {
                    path: rel.to_string(),
                    content_hash: imprimatur_store::content_hash(&text),
                    text,
                });
            }
        }
        Ok(out)
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> WorkspaceResult<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(crate::error::io(dir))?;
    }
    std::fs::write(path, bytes).map_err(crate::error::io(path))
}

/// What the app shell needs to hold an identity and call the commands above.
pub use imprimatur_model::Keychain;
pub use imprimatur_review::{Actor as ProvedActor, Member as WorkspaceMember, Role as MemberRole};

//! Publishing: Markdown and HTML with front matter, and an evidence pack (JSON) that a
//! third party verifies offline with `imprimatur evidence verify FILE`: the revisions and
//! a diff summary, the model calls (audit records), the sources cited, the check report
//! and waivers, and the approvals with their signatures and public keys. It is the
//! record of human editorial responsibility for AI-assisted text (EU AI Act Art. 50(4)).

use std::path::{Path, PathBuf};

use imprimatur_check::CheckReport;
use imprimatur_store::{AuditEntry, Revision};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::bundle::{check_hash, BundleRevision, BundleSource};
use crate::error::io;
use crate::signing::{open, seal, sha256_hex, verify_decision, verify_waiver};
use crate::workflow::{blockers, check_decision_signature, Record};
use crate::{
    Actor, Author, Decision, DocumentId, Gates, Member, Publication, Refusal, ReviewError,
    ReviewResult, ReviewState, RevisionId, Role, Store, Timestamp, Verdict, Waiver,
};

pub const EVIDENCE_FORMAT: &str = "imprimatur.evidence/1";

/// A published file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EvidenceFile {
    pub name: String,
    pub sha256: String,
}

/// Words inserted and deleted from one revision to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DiffSummary {
    pub from: u32,
    pub to: u32,
    pub inserted_words: u32,
    pub deleted_words: u32,
}

/// The evidence pack's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EvidencePack {
    pub document_id: DocumentId,
    pub title: String,
    pub revision_id: RevisionId,
    pub revision_number: u32,
    pub content_hash: String,
    pub publisher: String,
    pub published_at: Timestamp,
    pub files: Vec<EvidenceFile>,
    /// Every revision with its text, oldest first.
    pub revisions: Vec<BundleRevision>,
    pub diff_summary: Vec<DiffSummary>,
    /// Share of the published text's bytes that are AI text (the store's provenance).
    pub ai_share: f64,
    /// The `model.call` audit records of the document, with their chain hashes.
    pub model_calls: Vec<AuditEntry>,
    pub sources: Vec<BundleSource>,
    /// The check report of the published revision as stored (JSON text), and its hash.
    pub report: String,
    pub report_hash: String,
    pub gates: Gates,
    pub waivers: Vec<Waiver>,
    /// Every decision on the document; `approval` names the one publishing rests on.
    pub decisions: Vec<Decision>,
    pub approval: String,
    pub authors: Vec<Author>,
    /// The members who signed anything here, with roles and public keys at publishing time.
    pub members: Vec<Member>,
}

/// What `publish` wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Published {
    pub markdown: String,
    pub html: String,
    pub evidence: String,
    pub publication: Publication,
}

/// What `evidence verify` found in an intact pack.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EvidenceSummary {
    pub document_id: DocumentId,
    pub title: String,
    pub revision_number: u32,
    pub content_hash: String,
    pub publisher: String,
    pub approver: String,
    pub approved_at: Timestamp,
    pub revisions: usize,
    pub model_calls: usize,
    pub waivers: usize,
    pub ai_share: f64,
    /// Published files found next to the pack whose hash matched.
    pub files_checked: Vec<String>,
    /// Published files named in the pack but not found next to it.
    pub files_missing: Vec<String>,
    /// Signers and their public keys, for comparison with a key list the verifier trusts.
    pub keys: Vec<(String, String)>,
}

/// Publishes the newest revision into `out_dir`: `<slug>.md`, `<slug>.html` and
/// `<slug>.evidence.json`. Refused unless the actor is an editor, the revision has a
/// valid approval of exactly this text, and no blocking finding is open.
pub fn publish(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    out_dir: &Path,
    sources: Vec<BundleSource>,
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Published> {
    actor.require(Role::Editor, "publish")?;
    let rec = Record::load(store, doc)?;
    let head = rec.head()?;
    match (rec.state(), &rec.row) {
        (ReviewState::Approved, _) => {}
        (ReviewState::Published, _) => {
            return Err(ReviewError::WrongState {
                action: "publish",
                state: ReviewState::Published,
                hint: "this revision is published already",
            })
        }
        (_, Some(row)) if matches!(row.state, ReviewState::Approved | ReviewState::Published) => {
            let approved = rec
                .history
                .iter()
                .find(|r| r.id == row.revision_id)
                .map_or(0, |r| r.number);
            let by = rec
                .history
                .iter()
                .find(|r| r.number == approved + 1)
                .map_or_else(String::new, |r| r.author.clone());
            return Err(ReviewError::EditedSinceApproval {
                approved,
                head: head.meta.number,
                by,
            });
        }
        _ => {
            return Err(ReviewError::NotApproved {
                head: head.meta.number,
            })
        }
    }
    let approval = rec.head_approval().ok_or(ReviewError::NotApproved {
        head: head.meta.number,
    })?;
    check_decision_signature(approval, head.meta.number)?;
    let approver = store.member(&approval.reviewer)?;
    if approver.as_ref().map(|m| &m.public_key) != Some(&approval.public_key) {
        return Err(ReviewError::ApprovalInvalid {
            number: head.meta.number,
            reviewer: approval.reviewer.clone(),
            why: "it was not signed with the key registered for the reviewer".into(),
        });
    }
    let (report, stored) = rec.head_report()?;
    if approval.report_hash != stored.report_hash || approval.content_hash != head.meta.content_hash
    {
        return Err(ReviewError::ApprovalInvalid {
            number: head.meta.number,
            reviewer: approval.reviewer.clone(),
            why: "it is about another text or check report".into(),
        });
    }
    if let Some(e) = crate::workflow::blocked("publish", &rec.blockers(&report, gates)) {
        return Err(e);
    }

    let fm = imprimatur_check::Document::parse(head.content.as_str(), imprimatur_check::Lang::De)
        .front_matter;
    let title = store.document(doc)?.title;
    let slug = fm
        .slug
        .clone()
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .unwrap_or_else(|| doc.to_string());
    let markdown = with_front_matter(&head.content, &title);
    let html = render_html(
        &head.content,
        &fm,
        &title,
        &format!("{slug}.evidence.json"),
        head,
    );
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let md_path = out_dir.join(format!("{slug}.md"));
    let html_path = out_dir.join(format!("{slug}.html"));
    let ev_path = out_dir.join(format!("{slug}.evidence.json"));

    let revisions: Vec<Revision> = rec
        .history
        .iter()
        .map(|m| store.revision(&m.id))
        .collect::<Result<_, _>>()?;
    let diff_summary = revisions
        .windows(2)
        .map(|w| {
            let d = imprimatur_store::word_diff(&w[0], &w[1]);
            DiffSummary {
                from: w[0].meta.number,
                to: w[1].meta.number,
                inserted_words: d.inserted_words,
                deleted_words: d.deleted_words,
            }
        })
        .collect();
    let mut signers: Vec<String> = rec.decisions.iter().map(|d| d.reviewer.clone()).collect();
    signers.extend(rec.waivers.iter().map(|w| w.reviewer.clone()));
    signers.push(actor.id().to_string());
    signers.sort();
    signers.dedup();
    let members = store
        .members()?
        .into_iter()
        .filter(|m| signers.contains(&m.id))
        .collect();
    let pack = EvidencePack {
        document_id: doc.clone(),
        title,
        revision_id: head.meta.id.clone(),
        revision_number: head.meta.number,
        content_hash: head.meta.content_hash.clone(),
        publisher: actor.id().to_string(),
        published_at: now,
        files: vec![
            EvidenceFile {
                name: file_name(&md_path),
                sha256: sha256_hex(markdown.as_bytes()),
            },
            EvidenceFile {
                name: file_name(&html_path),
                sha256: sha256_hex(html.as_bytes()),
            },
        ],
        ai_share: store.ai_share(&head.meta.id)?,
        revisions: revisions
            .iter()
            .map(|r| BundleRevision::of(&r.meta, r.content.clone()))
            .collect(),
        diff_summary,
        model_calls: store.audit_about(doc.as_str(), Some("model.call"))?,
        sources,
        report: stored.report.clone(),
        report_hash: stored.report_hash.clone(),
        gates: gates.clone(),
        waivers: rec.waivers.clone(),
        decisions: rec.decisions.clone(),
        approval: approval.id.clone(),
        authors: rec.authors(store)?,
        members,
    };
    let bytes = seal(EVIDENCE_FORMAT, &pack, actor);
    for (path, data) in [
        (&md_path, markdown.as_bytes()),
        (&html_path, html.as_bytes()),
        (&ev_path, &bytes[..]),
    ] {
        std::fs::write(path, data).map_err(io(path))?;
    }
    let publication = Publication {
        id: format!("p{}", uuid::Uuid::new_v4().simple()),
        document_id: doc.clone(),
        revision_id: head.meta.id.clone(),
        content_hash: head.meta.content_hash.clone(),
        decision_id: approval.id.clone(),
        publisher: actor.id().to_string(),
        published_at: now,
        evidence_hash: sha256_hex(&bytes),
    };
    store.record_publication(&publication, now)?;
    Ok(Published {
        markdown: md_path.display().to_string(),
        html: html_path.display().to_string(),
        evidence: ev_path.display().to_string(),
        publication,
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Splits `---` front matter off a Markdown text: (front matter lines, body).
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(rest) = t.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---") {
            let after = &rest[end + 4..];
            let body = after.split_once('\n').map_or("", |(_, b)| b);
            return (Some(&rest[..end]), body);
        }
    }
    (None, t)
}

/// The Markdown to publish: the text as is when it has front matter, else with a
/// front matter holding its title.
fn with_front_matter(text: &str, title: &str) -> String {
    match split_front_matter(text) {
        (Some(_), _) => text.to_string(),
        (None, body) => format!("---\ntitle: {}\n---\n{body}", serde_json::json!(title)),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An HTML page: the front matter as `<title>` and `<meta>` tags, the body rendered.
fn render_html(
    text: &str,
    fm: &imprimatur_check::FrontMatter,
    title: &str,
    evidence: &str,
    head: &Revision,
) -> String {
    let (_, body) = split_front_matter(text);
    let mut rendered = String::new();
    pulldown_cmark::html::push_html(&mut rendered, pulldown_cmark::Parser::new(body));
    let lang = fm.lang.map_or("de", |l| l.as_str());
    let mut meta = String::new();
    if let Some(d) = &fm.description {
        meta.push_str(&format!(
            "<meta name=\"description\" content=\"{}\">\n",
            escape(d)
        ));
    }
    if let Some(k) = &fm.keyphrase {
        meta.push_str(&format!(
            "<meta name=\"keywords\" content=\"{}\">\n",
            escape(k)
        ));
    }
    if let Some(s) = &fm.slug {
        meta.push_str(&format!("<meta name=\"slug\" content=\"{}\">\n", escape(s)));
    }
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n{meta}<meta name=\"imprimatur:revision\" content=\"{} {}\">\n<meta name=\"imprimatur:evidence\" content=\"{}\">\n</head>\n<body>\n{rendered}</body>\n</html>\n",
        escape(fm.title.as_deref().unwrap_or(title)),
        head.meta.id,
        head.meta.content_hash,
        escape(evidence),
    )
}

fn refused(reason: Refusal) -> ReviewError {
    ReviewError::Refused {
        what: "the evidence pack",
        reason,
    }
}

fn inconsistent(s: String) -> ReviewError {
    refused(Refusal::Inconsistent(s))
}

/// Verifies an evidence pack offline: the publisher's seal; every revision's text
/// against its hash; the check report against its hash and the published text; the
/// approval's signature over exactly the published revision and report, by a reviewer
/// who is not an author; every decision and waiver signature; every model-call record's
/// chain hash; no open blocking finding; and the published files found in `dir` (the
/// pack's folder) against their hashes.
pub fn verify_evidence(bytes: &[u8], dir: Option<&Path>) -> ReviewResult<EvidenceSummary> {
    let (env, pack): (_, EvidencePack) = open(bytes, EVIDENCE_FORMAT).map_err(refused)?;
    let key_of = |id: &str| pack.members.iter().find(|m| m.id == id);
    if env.signer != pack.publisher {
        return Err(inconsistent(format!(
            "it names {} as publisher but {} sealed it",
            pack.publisher, env.signer
        )));
    }
    if key_of(&env.signer).map(|m| &m.public_key) != Some(&env.public_key) {
        return Err(refused(Refusal::WrongKey {
            signer: env.signer.clone(),
        }));
    }
    for r in &pack.revisions {
        check_hash(
            &format!("revision {}", r.number),
            &r.content,
            &r.content_hash,
        )
        .map_err(refused)?;
    }
    let published = pack
        .revisions
        .iter()
        .find(|r| r.id == pack.revision_id)
        .ok_or_else(|| inconsistent("the published revision is not among its revisions".into()))?;
    if published.content_hash != pack.content_hash || published.number != pack.revision_number {
        return Err(inconsistent(format!(
            "revision {} is not the published text it names",
            published.number
        )));
    }
    check_hash("the check report", &pack.report, &pack.report_hash).map_err(refused)?;
    let report: CheckReport = serde_json::from_str(&pack.report)
        .map_err(|e| inconsistent(format!("its check report is unreadable: {e}")))?;
    if report.content_hash != pack.content_hash {
        return Err(inconsistent(
            "its check report is about another text than the published one".into(),
        ));
    }
    for d in &pack.decisions {
        if !verify_decision(d) {
            return Err(refused(Refusal::BadSignature {
                signer: d.reviewer.clone(),
            }));
        }
        if key_of(&d.reviewer).map(|m| &m.public_key) != Some(&d.public_key) {
            return Err(refused(Refusal::WrongKey {
                signer: d.reviewer.clone(),
            }));
        }
    }
    for w in &pack.waivers {
        if !verify_waiver(w) {
            return Err(refused(Refusal::BadSignature {
                signer: w.reviewer.clone(),
            }));
        }
    }
    let approval = pack
        .decisions
        .iter()
        .find(|d| d.id == pack.approval)
        .ok_or_else(|| inconsistent(format!("the approval {} is missing", pack.approval)))?;
    if approval.verdict != Verdict::Approve
        || approval.revision_id != pack.revision_id
        || approval.content_hash != pack.content_hash
        || approval.report_hash != pack.report_hash
    {
        return Err(inconsistent(
            "the approval is not an approval of exactly the published revision and its check report"
                .into(),
        ));
    }
    if !key_of(&approval.reviewer).is_some_and(|m| m.has(Role::Reviewer)) {
        return Err(refused(Refusal::NotAReviewer {
            signer: approval.reviewer.clone(),
        }));
    }
    for e in &pack.model_calls {
        if e.recompute_hash() != e.hash {
            return Err(refused(Refusal::HashMismatch {
                what: format!("model-call audit record {}", e.seq),
                detail: "its fields no longer produce its hash".into(),
            }));
        }
    }
    // The authors since the approval before this one: whoever saved a later revision or
    // started a model call for the document after it.
    let previous = pack
        .decisions
        .iter()
        .filter(|d| d.verdict == Verdict::Approve && d.id != approval.id)
        .filter_map(|d| pack.revisions.iter().find(|r| r.id == d.revision_id))
        .filter(|r| r.number < published.number)
        .max_by_key(|r| r.number);
    let (since_number, since_time) =
        previous.map_or((0, Timestamp(i64::MIN)), |r| (r.number, r.created_at));
    let mut authors: Vec<&str> = pack
        .revisions
        .iter()
        .filter(|r| r.number > since_number && r.number <= published.number)
        .map(|r| r.author.as_str())
        .collect();
    authors.extend(
        pack.model_calls
            .iter()
            .filter(|e| e.at > since_time)
            .map(|e| e.actor.as_str()),
    );
    if authors.contains(&approval.reviewer.as_str()) {
        return Err(refused(Refusal::OwnText {
            signer: approval.reviewer.clone(),
            revisions: "of the published text".into(),
        }));
    }
    let open: Vec<String> = blockers(&report, &published.content, &pack.waivers, &pack.gates)
        .into_iter()
        .filter(|b| b.waiver.is_none())
        .map(|b| format!("{} at line {}", b.finding.code, b.finding.span.line))
        .collect();
    if !open.is_empty() {
        return Err(inconsistent(format!(
            "it was published with unresolved blocking findings: {}",
            open.join("; ")
        )));
    }
    let (mut files_checked, mut files_missing) = (Vec::new(), Vec::new());
    if let Some(dir) = dir {
        for f in &pack.files {
            let path: PathBuf = dir.join(&f.name);
            match std::fs::read(&path) {
                Ok(data) => {
                    let actual = sha256_hex(&data);
                    if actual != f.sha256 {
                        return Err(refused(Refusal::HashMismatch {
                            what: format!("the published file {}", f.name),
                            detail: format!("recorded {}, computed {actual}", f.sha256),
                        }));
                    }
                    files_checked.push(f.name.clone());
                }
                Err(_) => files_missing.push(f.name.clone()),
            }
        }
    }
    let mut keys: Vec<(String, String)> = pack
        .members
        .iter()
        .map(|m| (m.id.clone(), m.public_key.clone()))
        .collect();
    keys.sort();
    Ok(EvidenceSummary {
        document_id: pack.document_id.clone(),
        title: pack.title.clone(),
        revision_number: pack.revision_number,
        content_hash: pack.content_hash.clone(),
        publisher: pack.publisher.clone(),
        approver: approval.reviewer.clone(),
        approved_at: approval.decided_at,
        revisions: pack.revisions.len(),
        model_calls: pack.model_calls.len(),
        waivers: pack.waivers.len(),
        ai_share: pack.ai_share,
        files_checked,
        files_missing,
        keys,
    })
}

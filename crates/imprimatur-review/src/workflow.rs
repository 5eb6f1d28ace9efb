//! The states and their rules: `draft` → `in_review` → `changes_requested` | `approved`
//! → `published`, four eyes on every approval, signed decisions bound to one exact
//! revision and its check report, gates on blocking findings.
//!
//! A recorded state is about one revision. When the text moves on (any save), the
//! document is a draft again: an edit voids a submission and an approval without anyone
//! having to remember to void them.

use std::collections::BTreeMap;

use imprimatur_check::{CheckReport, Finding, Lang};
use imprimatur_store::{Revision, RevisionMeta, WordDiff};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::anchor::{anchor_all, before, AnchoredComment, CONTEXT_CHARS};
use crate::signing::{
    decision_statement, verify_decision, waiver_statement, DECISION_DOMAIN, WAIVER_DOMAIN,
};
use crate::{
    Actor, Comment, Decision, DocumentId, Gates, ReviewError, ReviewResult, ReviewState, Role,
    Store, StoredReport, Timestamp, Verdict, Waiver, WorkflowRow,
};

/// A comment on a byte range of the newest revision's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewComment {
    pub start: u32,
    pub end: u32,
    pub body: String,
}

/// Someone who wrote a revision since the last approval, or started an AI generation for
/// the document since then. Authors may not approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Author {
    pub member: String,
    /// Numbers of the revisions they saved since the last approval.
    pub revisions: Vec<u32>,
    /// AI generations (model calls) they started for this document since then.
    pub ai_generations: u32,
}

/// A blocking finding of the newest revision's report, and the waiver that lets it stand.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Blocker {
    pub finding: Finding,
    /// The text the finding covers.
    pub matched: String,
    pub waiver: Option<Waiver>,
}

/// One step of the guided path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Brief,
    Draft,
    Checks,
    Review,
    Approved,
    Published,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Current,
    Blocked,
    Todo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PathStep {
    pub step: Step,
    pub state: StepState,
}

/// Where clicking an obstacle takes the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A front matter field of the text.
    FrontMatter { field: String },
    /// A range of the text (a finding, a comment).
    Text { start: u32, end: u32 },
    /// The checks panel.
    Checks,
    /// The review panel (submit, decide).
    Review,
}

/// What stands before the next step, with a stable code, a message and where to go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Obstacle {
    pub step: Step,
    /// `brief.missing_field`, `text.missing`, `review.not_submitted`, `finding.blocking`,
    /// `approval.missing`, `approval.voided`, `review.changes_requested`.
    pub code: String,
    pub message: String,
    pub target: Option<Target>,
}

/// Where a document stands, what blocks the next step, and the review record.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReviewStatus {
    pub document_id: DocumentId,
    /// The state of the newest revision (a draft when the text changed since the
    /// recorded state).
    pub state: ReviewState,
    /// The recorded state and the revision it is about.
    pub recorded: Option<WorkflowRow>,
    pub head: Option<RevisionMeta>,
    pub authors: Vec<Author>,
    /// The stored check report of the newest revision, and its hash.
    pub report: Option<CheckReport>,
    pub report_hash: Option<String>,
    pub blockers: Vec<Blocker>,
    /// The valid approval of the newest revision, if any.
    pub approval: Option<Decision>,
    /// The approval an edit voided: approved revision number and the revision now.
    pub voided: Option<Voided>,
    pub decisions: Vec<Decision>,
    pub waivers: Vec<Waiver>,
    pub comments: Vec<AnchoredComment>,
    pub path: Vec<PathStep>,
    pub obstacles: Vec<Obstacle>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Voided {
    pub approved: u32,
    pub head: u32,
    /// Who saved the revision after the approved one.
    pub edited_by: String,
}

impl ReviewStatus {
    /// The blockers no waiver covers.
    pub fn unresolved(&self) -> impl Iterator<Item = &Blocker> {
        self.blockers.iter().filter(|b| b.waiver.is_none())
    }
}

/// What a reviewer looks at: the diff against the last approved revision, the check
/// report, the share of AI-written words, and the comments.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReviewView {
    pub status: ReviewStatus,
    /// The last approved revision, if there was one, and the word diff from it to now.
    pub base: Option<RevisionMeta>,
    pub diff: Option<WordDiff>,
    /// Share (0..1) of the newest revision's bytes that are AI text (the store's provenance).
    pub ai_share: f64,
    pub content: String,
}

/// Everything about a document the rules look at, read once.
pub(crate) struct Record {
    pub doc: DocumentId,
    pub head: Option<Revision>,
    pub history: Vec<RevisionMeta>,
    pub row: Option<WorkflowRow>,
    pub decisions: Vec<Decision>,
    pub waivers: Vec<Waiver>,
    pub report: Option<StoredReport>,
}

impl Record {
    pub fn load(store: &Store, doc: &DocumentId) -> ReviewResult<Record> {
        let head = store.head(doc)?;
        let history = store.history(doc)?;
        let report = match &head {
            Some(h) => store.check_report(doc, &h.meta.content_hash)?,
            None => None,
        };
        Ok(Record {
            doc: doc.clone(),
            head,
            history,
            row: store.workflow(doc)?,
            decisions: store.decisions(doc)?,
            waivers: store.waivers(doc)?,
            report,
        })
    }

    pub fn head(&self) -> ReviewResult<&Revision> {
        self.head.as_ref().ok_or_else(|| ReviewError::NoRevision {
            doc: self.doc.to_string(),
        })
    }

    fn number_of(&self, rev: &imprimatur_store::RevisionId) -> Option<u32> {
        self.history.iter().find(|r| &r.id == rev).map(|r| r.number)
    }

    /// The state of the newest revision.
    pub fn state(&self) -> ReviewState {
        match (&self.row, &self.head) {
            (Some(row), Some(head)) if row.revision_id == head.meta.id => row.state,
            _ => ReviewState::Draft,
        }
    }

    /// The newest approving decision on any revision, with that revision's number.
    pub fn last_approval(&self) -> Option<(&Decision, u32)> {
        self.decisions
            .iter()
            .rev()
            .filter(|d| d.verdict == Verdict::Approve)
            .find_map(|d| self.number_of(&d.revision_id).map(|n| (d, n)))
    }

    /// The approval of the newest revision, if the recorded state still stands on it.
    pub fn head_approval(&self) -> Option<&Decision> {
        let head = self.head.as_ref()?;
        if !matches!(self.state(), ReviewState::Approved | ReviewState::Published) {
            return None;
        }
        self.decisions
            .iter()
            .rev()
            .find(|d| d.revision_id == head.meta.id)
            .filter(|d| d.verdict == Verdict::Approve)
    }

    /// Authors since the last approval: savers of later revisions and starters of AI
    /// generations (model calls recorded for the document) after the approved revision.
    pub fn authors(&self, store: &Store) -> ReviewResult<Vec<Author>> {
        let (since_number, since_time) = match self.last_approval() {
            Some((_, n)) => {
                let at = self
                    .history
                    .iter()
                    .find(|r| r.number == n)
                    .map_or(Timestamp(i64::MIN), |r| r.created_at);
                (n, at)
            }
            None => (0, Timestamp(i64::MIN)),
        };
        let mut by: BTreeMap<String, Author> = BTreeMap::new();
        for r in self.history.iter().filter(|r| r.number > since_number) {
            by.entry(r.author.clone())
                .or_insert_with(|| Author {
                    member: r.author.clone(),
                    revisions: Vec::new(),
                    ai_generations: 0,
                })
                .revisions
                .push(r.number);
        }
        for call in store.audit_about(self.doc.as_str(), Some("model.call"))? {
            if call.at > since_time {
                by.entry(call.actor.clone())
                    .or_insert_with(|| Author {
                        member: call.actor.clone(),
                        revisions: Vec::new(),
                        ai_generations: 0,
                    })
                    .ai_generations += 1;
            }
        }
        Ok(by.into_values().collect())
    }

    /// The stored report of the newest revision, checked against its hash.
    pub fn head_report(&self) -> ReviewResult<(CheckReport, &StoredReport)> {
        let head = self.head()?;
        let stored = self.report.as_ref().ok_or(ReviewError::NoReport {
            number: head.meta.number,
        })?;
        let altered = ReviewError::ReportAltered {
            number: head.meta.number,
        };
        if imprimatur_store::content_hash(&stored.report) != stored.report_hash {
            return Err(altered);
        }
        let report: CheckReport = serde_json::from_str(&stored.report).map_err(|_| altered)?;
        Ok((report, stored))
    }

    pub fn blockers(&self, report: &CheckReport, gates: &Gates) -> Vec<Blocker> {
        let Some(head) = &self.head else {
            return Vec::new();
        };
        blockers(report, &head.content, &self.waivers, gates)
    }
}

/// The blocking findings of `report` on `text`, each with the waiver covering it.
pub fn blockers(
    report: &CheckReport,
    text: &str,
    waivers: &[Waiver],
    gates: &Gates,
) -> Vec<Blocker> {
    report
        .findings
        .iter()
        .filter(|f| gates.blocks(f))
        .map(|f| {
            let (s, e) = (f.span.start as usize, f.span.end as usize);
            let matched = text.get(s..e).unwrap_or("").to_string();
            let before_text = text.get(..s).unwrap_or("");
            let waiver = waivers
                .iter()
                .rev()
                .find(|w| w.covers(&f.code, &matched, before_text))
                .cloned();
            Blocker {
                finding: f.clone(),
                matched,
                waiver,
            }
        })
        .collect()
}

pub(crate) fn blocked(action: &'static str, blockers: &[Blocker]) -> Option<ReviewError> {
    let open: Vec<&Blocker> = blockers.iter().filter(|b| b.waiver.is_none()).collect();
    if open.is_empty() {
        return None;
    }
    let list = open
        .iter()
        .map(|b| {
            format!(
                "{} at line {} ({:?})",
                b.finding.code, b.finding.span.line, b.matched
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(ReviewError::Blocked {
        action,
        count: open.len(),
        list,
    })
}

fn revisions_text(a: &Author) -> String {
    let mut parts: Vec<String> = a.revisions.iter().map(|n| n.to_string()).collect();
    if a.ai_generations > 0 {
        parts.push(format!("{} AI generation(s)", a.ai_generations));
    }
    parts.join(", ")
}

/// The authors since the last approval.
pub fn authors(store: &Store, doc: &DocumentId) -> ReviewResult<Vec<Author>> {
    Record::load(store, doc)?.authors(store)
}

/// Where `doc` stands: state, blockers, approval, comments, the guided path and what
/// blocks the next step.
pub fn status(store: &Store, doc: &DocumentId, gates: &Gates) -> ReviewResult<ReviewStatus> {
    let rec = Record::load(store, doc)?;
    status_of(store, &rec, gates)
}

fn status_of(store: &Store, rec: &Record, gates: &Gates) -> ReviewResult<ReviewStatus> {
    let state = rec.state();
    let authors = rec.authors(store)?;
    let (report, report_hash) = match rec.head_report() {
        Ok((r, stored)) => (Some(r), Some(stored.report_hash.clone())),
        Err(ReviewError::NoReport { .. }) | Err(ReviewError::NoRevision { .. }) => (None, None),
        Err(e) => return Err(e),
    };
    let blockers = report
        .as_ref()
        .map(|r| rec.blockers(r, gates))
        .unwrap_or_default();
    let approval = rec.head_approval().cloned();
    let voided = match (&rec.row, &rec.head) {
        (Some(row), Some(head))
            if row.revision_id != head.meta.id
                && matches!(row.state, ReviewState::Approved | ReviewState::Published) =>
        {
            let approved = rec.number_of(&row.revision_id).unwrap_or(0);
            let edited_by = rec
                .history
                .iter()
                .find(|r| r.number == approved + 1)
                .map_or_else(String::new, |r| r.author.clone());
            Some(Voided {
                approved,
                head: head.meta.number,
                edited_by,
            })
        }
        _ => None,
    };
    let content = rec.head.as_ref().map_or("", |h| h.content.as_str());
    let comments = anchor_all(&store.comments(&rec.doc)?, content);
    let mut status = ReviewStatus {
        document_id: rec.doc.clone(),
        state,
        recorded: rec.row.clone(),
        head: rec.head.as_ref().map(|h| h.meta.clone()),
        authors,
        report,
        report_hash,
        blockers,
        approval,
        voided,
        decisions: rec.decisions.clone(),
        waivers: rec.waivers.clone(),
        comments,
        path: Vec::new(),
        obstacles: Vec::new(),
    };
    guide(&mut status, content);
    Ok(status)
}

/// Fills the guided path brief → draft → checks → review → approved → published, and
/// names what blocks the next step.
fn guide(s: &mut ReviewStatus, content: &str) {
    let mut obstacles = Vec::new();
    let fm = imprimatur_check::Document::parse(content, Lang::De).front_matter;
    for (field, value) in [("title", &fm.title), ("description", &fm.description)] {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            obstacles.push(Obstacle {
                step: Step::Brief,
                code: "brief.missing_field".into(),
                message: format!("The brief field `{field}` is missing in the front matter."),
                target: Some(Target::FrontMatter {
                    field: field.into(),
                }),
            });
        }
    }
    if s.head.is_none() || content.trim().is_empty() {
        obstacles.push(Obstacle {
            step: Step::Draft,
            code: "text.missing".into(),
            message: "The document has no text yet.".into(),
            target: None,
        });
    }
    for b in s.unresolved() {
        obstacles.push(Obstacle {
            step: Step::Checks,
            code: "finding.blocking".into(),
            message: format!(
                "Blocking finding {} at line {}: {}",
                b.finding.code, b.finding.span.line, b.finding.message.text
            ),
            target: Some(Target::Text {
                start: b.finding.span.start,
                end: b.finding.span.end,
            }),
        });
    }
    match s.state {
        ReviewState::Draft => {
            let (code, message) = match &s.voided {
                Some(v) => (
                    "approval.voided",
                    format!(
                        "Revision {} was approved, then edited by {} (now revision {}); submit it for review again.",
                        v.approved, v.edited_by, v.head
                    ),
                ),
                None => (
                    "review.not_submitted",
                    "The text has not been submitted for review.".to_string(),
                ),
            };
            obstacles.push(Obstacle {
                step: Step::Review,
                code: code.into(),
                message,
                target: Some(Target::Review),
            });
        }
        ReviewState::ChangesRequested => obstacles.push(Obstacle {
            step: Step::Review,
            code: "review.changes_requested".into(),
            message: "A reviewer requested changes; edit the text and submit it again.".into(),
            target: Some(Target::Review),
        }),
        ReviewState::InReview => obstacles.push(Obstacle {
            step: Step::Approved,
            code: "approval.missing".into(),
            message: "A reviewer who is not an author has to approve this revision.".into(),
            target: Some(Target::Review),
        }),
        ReviewState::Approved | ReviewState::Published => {}
    }
    let blocked_step = |step: Step| obstacles.iter().any(|o| o.step == step);
    let reached = match s.state {
        ReviewState::Draft | ReviewState::ChangesRequested => {
            if s.report.is_some() {
                3
            } else if s.head.is_some() {
                2
            } else {
                1
            }
        }
        ReviewState::InReview => 3,
        ReviewState::Approved => 5,
        ReviewState::Published => 6,
    };
    let steps = [
        Step::Brief,
        Step::Draft,
        Step::Checks,
        Step::Review,
        Step::Approved,
        Step::Published,
    ];
    s.path = steps
        .iter()
        .enumerate()
        .map(|(i, &step)| PathStep {
            step,
            state: if blocked_step(step) {
                StepState::Blocked
            } else if i < reached {
                StepState::Done
            } else if i == reached {
                StepState::Current
            } else {
                StepState::Todo
            },
        })
        .collect();
    s.obstacles = obstacles;
}

/// Submits the newest revision for review with its check report (which is stored,
/// keyed by the revision's content hash, so the reviewer sees what the editor saw).
/// Needs the editor role; the document must be a draft or have changes requested.
pub fn submit(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    report: &CheckReport,
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<ReviewStatus> {
    actor.require(Role::Editor, "submit for review")?;
    let rec = Record::load(store, doc)?;
    let head = rec.head()?;
    match rec.state() {
        ReviewState::Draft | ReviewState::ChangesRequested => {}
        state => {
            return Err(ReviewError::WrongState {
                action: "submit for review",
                state,
                hint: "only a draft or a text with changes requested can be submitted",
            })
        }
    }
    if report.content_hash != head.meta.content_hash {
        return Err(ReviewError::ReportForOtherText {
            report_hash_of: report.content_hash.clone(),
            head: head.meta.content_hash.clone(),
        });
    }
    let mut report = report.clone();
    report.normalise();
    let json = serde_json::to_string(&report).expect("reports serialise");
    let stored = store.save_check_report(doc, &head.meta.content_hash, &json, actor.id(), now)?;
    store.set_workflow(
        doc,
        ReviewState::InReview,
        &head.meta.id,
        actor.id(),
        "review.submit",
        &serde_json::json!({
            "content_hash": head.meta.content_hash,
            "report_hash": stored.report_hash,
            "number": head.meta.number,
        }),
        now,
    )?;
    status(store, doc, gates)
}

/// Checks the comment ranges against `text` and makes comment rows.
pub(crate) fn make_comments(
    doc: &DocumentId,
    (rev, text): (&imprimatur_store::RevisionId, &str),
    comments: &[NewComment],
    author: &str,
    decision_id: Option<&str>,
    at: Timestamp,
) -> ReviewResult<Vec<Comment>> {
    comments
        .iter()
        .map(|c| {
            let (s, e) = (c.start as usize, c.end as usize);
            let quote = match text.get(s..e) {
                Some(q) if s < e => q,
                _ => {
                    return Err(ReviewError::BadRange {
                        start: c.start,
                        end: c.end,
                        len: text.len(),
                    })
                }
            };
            Ok(Comment {
                id: format!("c{}", uuid::Uuid::new_v4().simple()),
                document_id: doc.clone(),
                revision_id: rev.clone(),
                start: c.start,
                end: c.end,
                quote: quote.to_string(),
                prefix: before(text, s, CONTEXT_CHARS).to_string(),
                suffix: crate::anchor::after(text, e, CONTEXT_CHARS).to_string(),
                body: c.body.clone(),
                author: author.to_string(),
                created_at: at,
                decision_id: decision_id.map(str::to_string),
                resolved_by: None,
                resolved_at: None,
            })
        })
        .collect()
}

/// The checks every approval passes, wherever it is made: reviewer role, not an author,
/// the document in review at this very revision with its stored report, no unresolved
/// blocking finding.
pub(crate) fn check_approvable(
    store: &Store,
    rec: &Record,
    reviewer: &str,
    reviewer_is_reviewer: bool,
    verdict: Verdict,
    gates: &Gates,
) -> ReviewResult<String> {
    let action = match verdict {
        Verdict::Approve => "approve",
        Verdict::RequestChanges => "request changes",
    };
    if !reviewer_is_reviewer {
        return Err(ReviewError::MissingRole {
            actor: reviewer.to_string(),
            role: Role::Reviewer,
            action,
        });
    }
    rec.head()?;
    if rec.state() != ReviewState::InReview {
        return Err(ReviewError::WrongState {
            action,
            state: rec.state(),
            hint: "a reviewer decides on a revision that is in review; the editor submits it first",
        });
    }
    let (report, stored) = rec.head_report()?;
    if verdict == Verdict::Approve {
        if let Some(a) = rec
            .authors(store)?
            .into_iter()
            .find(|a| a.member == reviewer)
        {
            return Err(ReviewError::OwnText {
                actor: reviewer.to_string(),
                action,
                revisions: revisions_text(&a),
            });
        }
        if let Some(e) = blocked(action, &rec.blockers(&report, gates)) {
            return Err(e);
        }
    }
    Ok(stored.report_hash.clone())
}

#[allow(clippy::too_many_arguments)]
fn decide_here(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    verdict: Verdict,
    comment: &str,
    comments: &[NewComment],
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Decision> {
    let rec = Record::load(store, doc)?;
    let report_hash = check_approvable(
        store,
        &rec,
        actor.id(),
        actor.has(Role::Reviewer),
        verdict,
        gates,
    )?;
    let head = rec.head()?;
    let mut d = Decision {
        id: format!("a{}", uuid::Uuid::new_v4().simple()),
        document_id: doc.clone(),
        revision_id: head.meta.id.clone(),
        content_hash: head.meta.content_hash.clone(),
        report_hash,
        verdict,
        reviewer: actor.id().to_string(),
        decided_at: now,
        comment: comment.trim().to_string(),
        public_key: actor.public_key(),
        signature: String::new(),
        via: "local".into(),
    };
    d.signature = actor.sign(DECISION_DOMAIN, &decision_statement(&d));
    let rows = make_comments(
        doc,
        (&head.meta.id, &head.content),
        comments,
        actor.id(),
        Some(&d.id),
        now,
    )?;
    let state = match verdict {
        Verdict::Approve => ReviewState::Approved,
        Verdict::RequestChanges => ReviewState::ChangesRequested,
    };
    store.record_decision(&d, &rows, state, now)?;
    Ok(d)
}

/// Approves the newest revision: a signature over document id, revision, exact content
/// hash, check-report hash, verdict, reviewer and time. Refused unless the actor has the
/// reviewer role, is not an author since the last approval, the revision is in review,
/// and every blocking finding is resolved or waived.
pub fn approve(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    comment: &str,
    comments: &[NewComment],
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Decision> {
    decide_here(
        store,
        actor,
        doc,
        Verdict::Approve,
        comment,
        comments,
        gates,
        now,
    )
}

/// Requests changes on the newest revision, with a comment and comments on text ranges.
pub fn request_changes(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    comment: &str,
    comments: &[NewComment],
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Decision> {
    decide_here(
        store,
        actor,
        doc,
        Verdict::RequestChanges,
        comment,
        comments,
        gates,
        now,
    )
}

/// Waives the blocking finding `code` that starts at byte `start` of the newest
/// revision, with a written reason. Needs the reviewer role and a reviewer who is not an
/// author; the waiver is signed and holds while the finding's text is unchanged.
#[allow(clippy::too_many_arguments)]
pub fn waive(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    code: &str,
    start: u32,
    reason: &str,
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Waiver> {
    actor.require(Role::Reviewer, "waive a blocking finding")?;
    if reason.trim().is_empty() {
        return Err(ReviewError::ReasonRequired);
    }
    let rec = Record::load(store, doc)?;
    let head = rec.head()?;
    if let Some(a) = rec
        .authors(store)?
        .into_iter()
        .find(|a| a.member == actor.id())
    {
        return Err(ReviewError::OwnText {
            actor: actor.id().to_string(),
            action: "waive a blocking finding",
            revisions: revisions_text(&a),
        });
    }
    let (report, _) = rec.head_report()?;
    let w = make_waiver(
        actor,
        doc,
        (&head.meta.id, &head.content),
        &report,
        (code, start, reason),
        gates,
        now,
    )?;
    store.record_waiver(&w, now)?;
    Ok(w)
}

/// A signed waiver of the blocking finding `code` at byte `start` of `text`.
pub(crate) fn make_waiver(
    actor: &Actor,
    doc: &DocumentId,
    (rev, text): (&imprimatur_store::RevisionId, &str),
    report: &CheckReport,
    (code, start, reason): (&str, u32, &str),
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Waiver> {
    if reason.trim().is_empty() {
        return Err(ReviewError::ReasonRequired);
    }
    let finding = report
        .findings
        .iter()
        .find(|f| f.code == code && f.span.start == start && gates.blocks(f))
        .ok_or_else(|| ReviewError::NoSuchFinding {
            code: code.to_string(),
            at: format!("byte {start}"),
        })?;
    let (s, e) = (finding.span.start as usize, finding.span.end as usize);
    let mut w = Waiver {
        id: format!("w{}", uuid::Uuid::new_v4().simple()),
        document_id: doc.clone(),
        revision_id: rev.clone(),
        code: code.to_string(),
        matched: text.get(s..e).unwrap_or("").to_string(),
        context: before(text, s, 40).to_string(),
        reason: reason.trim().to_string(),
        reviewer: actor.id().to_string(),
        waived_at: now,
        public_key: actor.public_key(),
        signature: String::new(),
        revoked_by: None,
        revoked_at: None,
    };
    w.signature = actor.sign(WAIVER_DOMAIN, &waiver_statement(&w));
    Ok(w)
}

/// Takes a waiver back (reviewer or admin); the finding blocks again.
pub fn revoke_waiver(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    waiver: &str,
    now: Timestamp,
) -> ReviewResult<Waiver> {
    if !actor.has(Role::Admin) {
        actor.require(Role::Reviewer, "revoke a waiver")?;
    }
    Ok(store.revoke_waiver(doc, waiver, actor.id(), now)?)
}

/// Comments on a range of the newest revision (any member).
pub fn comment(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    new: &NewComment,
    now: Timestamp,
) -> ReviewResult<Comment> {
    let rec = Record::load(store, doc)?;
    let head = rec.head()?;
    let mut rows = make_comments(
        doc,
        (&head.meta.id, &head.content),
        std::slice::from_ref(new),
        actor.id(),
        None,
        now,
    )?;
    let c = rows.remove(0);
    store.add_comment(&c, now)?;
    Ok(c)
}

/// What the reviewer sees: status, diff against the last approved revision, the share
/// of AI-written words and the text.
pub fn review_view(store: &Store, doc: &DocumentId, gates: &Gates) -> ReviewResult<ReviewView> {
    let rec = Record::load(store, doc)?;
    let status = status_of(store, &rec, gates)?;
    let head = rec.head()?;
    let base = rec
        .last_approval()
        .and_then(|(d, _)| rec.history.iter().find(|r| r.id == d.revision_id).cloned());
    let diff = match &base {
        Some(b) => Some(store.diff_of(doc, &b.id, &head.meta.id)?),
        None => None,
    };
    Ok(ReviewView {
        status,
        base,
        diff,
        // The store carries AI/human provenance across every save (provenance.rs).
        ai_share: store.ai_share(&head.meta.id)?,
        content: head.content.clone(),
    })
}

/// Verifies a recorded decision's signature; used before publishing on it.
pub(crate) fn check_decision_signature(d: &Decision, number: u32) -> ReviewResult<()> {
    if verify_decision(d) {
        Ok(())
    } else {
        Err(ReviewError::ApprovalInvalid {
            number,
            reviewer: d.reviewer.clone(),
            why: "its signature does not verify".into(),
        })
    }
}

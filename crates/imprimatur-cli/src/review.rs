//! `member …`, `review …`, `publish` and `evidence verify`: the review workflow of
//! imprimatur-review on the command line. The acting person is `--author`; they act only
//! if this computer's keychain holds their registered signing key.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use imprimatur_model::Keychain;
use imprimatur_review::{
    self as review, Actor, BundleSource, Gates, NewComment, ReviewError, ReviewStatus, Role,
    Verdict,
};
use imprimatur_workspace::ipc::IpcError;
use imprimatur_workspace::store::{DocumentId, Timestamp};
use imprimatur_workspace::{Workspace, WorkspaceError};
use serde_json::json;

use crate::{print_json, time, Outcome};

#[derive(Subcommand)]
pub(crate) enum MemberCommand {
    /// Register a member (an admin acts; the very first member registers themself and
    /// must be admin). Without --public-key, the key pair is created in this computer's
    /// keychain (for a person working on this computer).
    Add {
        id: String,
        #[arg(long, default_value = "")]
        name: String,
        /// editor, reviewer, brand_manager, admin (comma-separated or repeated).
        #[arg(long = "role", value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// The member's Ed25519 public key (64 hex digits), from `imprimatur member key` on their computer.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// List the members with roles and public keys.
    List,
    /// Create (once) the signing key of ID (default: --author) in this computer's keychain
    /// and print its public key, for an admin to register.
    Key { id: Option<String> },
    /// Replace a member's roles (admin only); an empty value takes every role away.
    Roles {
        id: String,
        #[arg(value_delimiter = ',')]
        roles: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ReviewCommand {
    /// Submit the newest revision for review: runs the checks and stores the report.
    Submit { id: String },
    /// Approve the newest revision (reviewer, not an author; no open blocking finding).
    Approve {
        id: String,
        #[arg(long, default_value = "")]
        comment: String,
        /// A comment on a text range: START:END:TEXT (byte offsets), repeatable.
        #[arg(long = "on")]
        on: Vec<String>,
    },
    /// Request changes on the newest revision, with a comment.
    RequestChanges {
        id: String,
        #[arg(long)]
        comment: String,
        #[arg(long = "on")]
        on: Vec<String>,
    },
    /// Waive the blocking finding CODE starting at byte START, with a written reason.
    Waive {
        id: String,
        code: String,
        start: u32,
        #[arg(long)]
        reason: String,
    },
    /// Take a waiver back.
    Unwaive { id: String, waiver: String },
    /// Where the document stands: state, authors, blockers, approval, comments, next steps.
    Status { id: String },
    /// Write a signed review bundle of the revision in review.
    ExportBundle {
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Reviewer: decide on a bundle and write a signed decision file.
    Decide {
        bundle: PathBuf,
        #[arg(
            long,
            conflicts_with = "request_changes",
            required_unless_present = "request_changes"
        )]
        approve: bool,
        #[arg(long)]
        request_changes: bool,
        #[arg(long, default_value = "")]
        comment: String,
        #[arg(long = "on")]
        on: Vec<String>,
        /// Waive a blocking finding: CODE:START:REASON, repeatable.
        #[arg(long = "waive")]
        waive: Vec<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a decision file (signature, reviewer role, revision hash) and record it.
    ImportDecision { file: PathBuf },
}

#[derive(Subcommand)]
pub(crate) enum EvidenceCommand {
    /// Verify an evidence pack offline; exit 3 with the reason when it was tampered with.
    Verify { file: PathBuf },
}

fn err(e: WorkspaceError) -> IpcError {
    e.into()
}

fn serr(e: imprimatur_workspace::store::StoreError) -> IpcError {
    review_err(ReviewError::Store(e))
}

fn review_err(e: ReviewError) -> IpcError {
    IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

fn usage(message: String) -> IpcError {
    IpcError {
        code: "cli.usage".into(),
        message,
    }
}

/// The keychain signing keys live in; IMPRIMATUR_KEYCHAIN_SERVICE files them under
/// another service name (tests, a second profile) instead of the default.
fn keychain() -> Keychain {
    match std::env::var("IMPRIMATUR_KEYCHAIN_SERVICE") {
        Ok(s) if !s.is_empty() => Keychain::with_service(&s),
        _ => Keychain::default(),
    }
}

fn roles(names: &[String]) -> Result<Vec<Role>, IpcError> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            Role::parse(n).ok_or_else(|| {
                usage(format!(
                    "unknown role {n:?}; roles are editor, reviewer, brand_manager, admin"
                ))
            })
        })
        .collect()
}

fn gates(ws: &Workspace) -> Result<Gates, IpcError> {
    Gates::from_table(ws.settings().workflow.as_ref()).map_err(review_err)
}

fn prove(ws: &Workspace, author: &str, now: Timestamp) -> Result<Actor, IpcError> {
    Actor::prove(ws.store(), author, &keychain(), now).map_err(review_err)
}

/// START:END:TEXT → a comment on that byte range.
fn comments(on: &[String]) -> Result<Vec<NewComment>, IpcError> {
    on.iter()
        .map(|s| {
            let mut parts = s.splitn(3, ':');
            let (Some(a), Some(b), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(usage(format!("--on expects START:END:TEXT, got {s:?}")));
            };
            let (start, end) = (a.parse(), b.parse());
            match (start, end) {
                (Ok(start), Ok(end)) => Ok(NewComment {
                    start,
                    end,
                    body: body.to_string(),
                }),
                _ => Err(usage(format!(
                    "--on expects byte offsets START:END:TEXT, got {s:?}"
                ))),
            }
        })
        .collect()
}

fn doc_id(ws: &Workspace, id: &str) -> Result<DocumentId, IpcError> {
    ws.store().resolve_document(id).map_err(serr)
}

/// The workspace files the check report cites as evidence (`source` or `path`), so a
/// bundle and an evidence pack carry the sources the text rests on.
fn sources(
    ws: &Workspace,
    report: Option<&imprimatur_workspace::checks::CheckReport>,
) -> Vec<BundleSource> {
    let mut paths: Vec<String> = report
        .into_iter()
        .flat_map(|r| &r.findings)
        .filter_map(|f| f.evidence.as_ref())
        .flat_map(|e| {
            ["source", "path"].map(|k| e.get(k).and_then(|v| v.as_str()).map(str::to_string))
        })
        .flatten()
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|p| {
            let full = ws.root().join(&p);
            let inside = full.canonicalize().ok()?.starts_with(ws.root());
            let text = std::fs::read_to_string(&full).ok().filter(|_| inside)?;
            Some(BundleSource {
                content_hash: imprimatur_workspace::store::content_hash(&text),
                path: p,
                text,
            })
        })
        .collect()
}

pub(crate) fn member(
    cmd: &MemberCommand,
    workspace: &Path,
    author: &str,
    json: bool,
) -> Result<Outcome, IpcError> {
    let now = Timestamp::now();
    let mut ws = Workspace::open(workspace).map_err(err)?;
    match cmd {
        MemberCommand::Add {
            id,
            name,
            roles: role_names,
            public_key,
        } => {
            let roles = roles(role_names)?;
            let first = ws.store().members().map_err(serr)?.is_empty();
            let admin = if first {
                None
            } else {
                Some(prove(&ws, author, now)?)
            };
            let key = match public_key {
                Some(k) => k.clone(),
                None => review::ensure_key(&keychain(), id).map_err(review_err)?,
            };
            let m = review::add_member(ws.store_mut(), admin.as_ref(), id, name, &roles, &key, now)
                .map_err(review_err)?;
            if json {
                print_json(&m);
            } else {
                println!("{}\t{}\t{}", m.id, role_list(&m.roles), m.public_key);
            }
        }
        MemberCommand::List => {
            let members = ws.store().members().map_err(serr)?;
            if json {
                print_json(&members);
            } else {
                for m in members {
                    println!(
                        "{}\t{}\t{}\t{}",
                        m.id,
                        m.name,
                        role_list(&m.roles),
                        m.public_key
                    );
                }
            }
        }
        MemberCommand::Key { id } => {
            let id = id.as_deref().unwrap_or(author);
            let key = review::ensure_key(&keychain(), id).map_err(review_err)?;
            if json {
                print_json(&json!({ "member": id, "public_key": key }));
            } else {
                println!("{key}");
            }
        }
        MemberCommand::Roles { id, roles: names } => {
            let admin = prove(&ws, author, now)?;
            let m = review::set_roles(ws.store_mut(), &admin, id, &roles(names)?, now)
                .map_err(review_err)?;
            if json {
                print_json(&m);
            } else {
                println!("{}\t{}", m.id, role_list(&m.roles));
            }
        }
    }
    Ok(Outcome::Done)
}

fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn run(
    cmd: &ReviewCommand,
    workspace: &Path,
    author: &str,
    json: bool,
) -> Result<Outcome, IpcError> {
    let now = Timestamp::now();
    let mut ws = Workspace::open(workspace).map_err(err)?;
    let gates = gates(&ws)?;
    match cmd {
        ReviewCommand::Submit { id } => {
            let doc = doc_id(&ws, id)?;
            let actor = prove(&ws, author, now)?;
            let head = ws.store().head(&doc).map_err(serr)?.ok_or_else(|| {
                review_err(ReviewError::NoRevision {
                    doc: doc.to_string(),
                })
            })?;
            let report = ws.check_document(&doc, &head.content, &[]).map_err(err)?;
            let s = review::submit(ws.store_mut(), &actor, &doc, &report, &gates, now)
                .map_err(review_err)?;
            print_status(&s, json);
        }
        ReviewCommand::Approve { id, comment, on }
        | ReviewCommand::RequestChanges { id, comment, on } => {
            let doc = doc_id(&ws, id)?;
            let actor = prove(&ws, author, now)?;
            let on = comments(on)?;
            let d = if matches!(cmd, ReviewCommand::Approve { .. }) {
                review::approve(ws.store_mut(), &actor, &doc, comment, &on, &gates, now)
            } else {
                review::request_changes(ws.store_mut(), &actor, &doc, comment, &on, &gates, now)
            }
            .map_err(review_err)?;
            if json {
                print_json(&d);
            } else {
                println!("{}\t{}\t{}", d.id, d.verdict.as_str(), d.signature);
            }
        }
        ReviewCommand::Waive {
            id,
            code,
            start,
            reason,
        } => {
            let doc = doc_id(&ws, id)?;
            let actor = prove(&ws, author, now)?;
            let w = review::waive(
                ws.store_mut(),
                &actor,
                &doc,
                code,
                *start,
                reason,
                &gates,
                now,
            )
            .map_err(review_err)?;
            if json {
                print_json(&w);
            } else {
                println!("{}", w.id);
            }
        }
        ReviewCommand::Unwaive { id, waiver } => {
            let doc = doc_id(&ws, id)?;
            let actor = prove(&ws, author, now)?;
            let w = review::revoke_waiver(ws.store_mut(), &actor, &doc, waiver, now)
                .map_err(review_err)?;
            if json {
                print_json(&w);
            }
        }
        ReviewCommand::Status { id } => {
            let doc = doc_id(&ws, id)?;
            let s = review::status(ws.store(), &doc, &gates).map_err(review_err)?;
            print_status(&s, json);
        }
        ReviewCommand::ExportBundle { id, out } => {
            let doc = doc_id(&ws, id)?;
            let actor = prove(&ws, author, now)?;
            let s = review::status(ws.store(), &doc, &gates).map_err(review_err)?;
            let srcs = sources(&ws, s.report.as_ref());
            let bytes = review::export_bundle(ws.store_mut(), &actor, &doc, srcs, now)
                .map_err(review_err)?;
            write(out, &bytes)?;
            if json {
                print_json(&json!({ "file": out, "sha256": review::signing::sha256_hex(&bytes) }));
            } else {
                println!("{}", out.display());
            }
        }
        ReviewCommand::Decide {
            bundle,
            approve,
            comment,
            on,
            waive,
            out,
            ..
        } => {
            let bytes = read(bundle)?;
            let opened = review::open_bundle(ws.store(), &bytes).map_err(review_err)?;
            let actor = prove(&ws, author, now)?;
            let waive = waive
                .iter()
                .map(|s| {
                    let mut p = s.splitn(3, ':');
                    match (p.next(), p.next().map(str::parse::<u32>), p.next()) {
                        (Some(code), Some(Ok(start)), Some(reason)) => {
                            Ok((code.to_string(), start, reason.to_string()))
                        }
                        _ => Err(usage(format!(
                            "--waive expects CODE:START:REASON, got {s:?}"
                        ))),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let verdict = if *approve {
                Verdict::Approve
            } else {
                Verdict::RequestChanges
            };
            let file = review::decide(
                &opened,
                &actor,
                verdict,
                comment,
                &comments(on)?,
                &waive,
                &gates,
                now,
            )
            .map_err(review_err)?;
            write(out, &file)?;
            if json {
                print_json(
                    &json!({ "file": out, "verdict": verdict, "document": opened.bundle.document_id }),
                );
            } else {
                println!("{}", out.display());
            }
        }
        ReviewCommand::ImportDecision { file } => {
            let bytes = read(file)?;
            let d =
                review::import_decision(ws.store_mut(), &bytes, &gates, now).map_err(review_err)?;
            if json {
                print_json(&d);
            } else {
                println!("{}\t{}\t{}", d.id, d.verdict.as_str(), d.reviewer);
            }
        }
    }
    Ok(Outcome::Done)
}

fn read(path: &Path) -> Result<Vec<u8>, IpcError> {
    std::fs::read(path).map_err(|source| {
        err(WorkspaceError::Io {
            path: path.into(),
            source,
        })
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), IpcError> {
    std::fs::write(path, bytes).map_err(|source| {
        err(WorkspaceError::Io {
            path: path.into(),
            source,
        })
    })
}

fn print_status(s: &ReviewStatus, json: bool) {
    if json {
        print_json(s);
        return;
    }
    let head = s.head.as_ref();
    println!(
        "state: {}{}",
        s.state.as_str(),
        head.map_or(String::new(), |h| format!(
            " (revision {}, {})",
            h.number,
            &h.content_hash[..12]
        ))
    );
    let authors: Vec<&str> = s.authors.iter().map(|a| a.member.as_str()).collect();
    println!("authors since the last approval: {}", authors.join(", "));
    if let Some(a) = &s.approval {
        println!("approved by {} at {}", a.reviewer, time(a.decided_at));
    }
    for b in &s.blockers {
        match &b.waiver {
            Some(w) => println!(
                "waived: {} at line {} by {}: {}",
                b.finding.code, b.finding.span.line, w.reviewer, w.reason
            ),
            None => println!(
                "blocking: {} at line {} (byte {}): {}",
                b.finding.code, b.finding.span.line, b.finding.span.start, b.finding.message.text
            ),
        }
    }
    for c in &s.comments {
        let at = c.anchor.map_or("detached".to_string(), |a| {
            format!("bytes {}..{}", a.start, a.end)
        });
        println!(
            "comment by {} on {:?} ({at}): {}",
            c.comment.author, c.comment.quote, c.comment.body
        );
    }
    let path: Vec<String> = s
        .path
        .iter()
        .map(|p| format!("{:?}:{:?}", p.step, p.state).to_lowercase())
        .collect();
    println!("path: {}", path.join(" → "));
    for o in &s.obstacles {
        println!("next: [{}] {}", o.code, o.message);
    }
}

pub(crate) fn publish(
    id: &str,
    out: &Path,
    workspace: &Path,
    author: &str,
    json: bool,
) -> Result<Outcome, IpcError> {
    let now = Timestamp::now();
    let mut ws = Workspace::open(workspace).map_err(err)?;
    let gates = gates(&ws)?;
    let doc = doc_id(&ws, id)?;
    let actor = prove(&ws, author, now)?;
    let s = review::status(ws.store(), &doc, &gates).map_err(review_err)?;
    let srcs = sources(&ws, s.report.as_ref());
    let p = review::publish(ws.store_mut(), &actor, &doc, out, srcs, &gates, now)
        .map_err(review_err)?;
    if json {
        print_json(&p);
    } else {
        println!("{}\n{}\n{}", p.markdown, p.html, p.evidence);
    }
    Ok(Outcome::Done)
}

/// `evidence verify FILE`: needs no workspace. Exit 3 with the reason on tamper.
pub(crate) fn evidence(cmd: &EvidenceCommand, json: bool) -> Result<Outcome, IpcError> {
    let EvidenceCommand::Verify { file } = cmd;
    let bytes = read(file)?;
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match review::verify_evidence(&bytes, Some(dir)) {
        Ok(s) => {
            if json {
                print_json(&json!({ "verified": true, "summary": s }));
            } else {
                println!(
                    "evidence intact: {} (revision {}, {}), approved by {} at {}, published by {}; {} revisions, {} model calls, {} waivers, AI share {:.0} %",
                    s.title, s.revision_number, &s.content_hash[..12], s.approver, time(s.approved_at),
                    s.publisher, s.revisions, s.model_calls, s.waivers, s.ai_share * 100.0
                );
                for f in &s.files_checked {
                    println!("file matches: {f}");
                }
                for f in &s.files_missing {
                    println!("file not found next to the pack (not checked): {f}");
                }
                for (who, key) in &s.keys {
                    println!("key of {who}: {key}");
                }
            }
            Ok(Outcome::Done)
        }
        Err(e @ ReviewError::Refused { .. }) => {
            if json {
                print_json(
                    &json!({ "verified": false, "code": e.code(), "reason": e.to_string() }),
                );
            }
            eprintln!("error: {e}");
            Ok(Outcome::Failed)
        }
        Err(e) => Err(review_err(e)),
    }
}

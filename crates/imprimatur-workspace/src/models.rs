//! The model settings screen and the app's model calls.
//!
//! Settings: the providers of `[models]` with their kind (local/cloud) and key state,
//! added, edited and removed in `imprimatur.toml` (each change audited as
//! `settings.change`), API keys stored and removed in the OS keychain (audited as
//! `settings.key`, by name only: a key's value never reaches a file, the database, a log
//! or the screen), a connection test, and the routing policy as it resolves: for each
//! task and confidentiality, the chain the router will try.
//!
//! Calls: [`Models`] loads embedded GGUF models once per app and builds a [`Router`] per
//! call from the settings on disk, so a change in the settings screen applies to the
//! next call. Calls open their own connection to the workspace database, so a model
//! answering for half a minute never blocks autosave.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use imprimatur_local_model::EmbeddedModel;
use imprimatur_model::ledger;
use imprimatur_model::{
    admit, Ask, Cancel, Event, KeyMap, KeySource, Message, ModelsConfig, Preset, PriceTable,
    ProviderDef, Router, Spend, Task,
};
use imprimatur_store::{DocumentCost, ModelCost, Timestamp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use imprimatur_model::{Keychain, Secret};

use crate::error::io;
use crate::{settings, Workspace, WorkspaceError, WorkspaceResult};

/// Whether a provider's API key is in the keychain. The key itself is never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// The provider needs no key.
    None,
    Stored,
    Missing,
    /// The OS keychain could not be asked (no Secret Service running).
    Unavailable,
}

/// One provider as the settings screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProviderView {
    pub name: String,
    pub preset: String,
    pub model: String,
    /// As written in the file (absent: the preset's default, see `endpoint`).
    pub base_url: Option<String>,
    /// Where calls go: the base URL, or the GGUF file of an embedded model.
    pub endpoint: String,
    /// The key's name in the OS keychain.
    pub key: Option<String>,
    pub key_state: KeyState,
    /// `local` or `cloud`, as the confidentiality gate sees it.
    pub locality: String,
    /// `locality` as written in the file, if it overrides the automatic one.
    pub locality_set: Option<String>,
    pub tier: String,
    pub path: Option<String>,
    pub api_version: Option<String>,
}

/// A preset the "add provider" form offers, with what it needs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PresetInfo {
    pub preset: String,
    pub base_url: Option<String>,
    /// A hosted service: always cloud, needs a key.
    pub cloud: bool,
    pub embedded: bool,
    pub suggested_key: Option<String>,
}

/// One line of the routing policy as it resolves.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PolicyRow {
    pub task: String,
    pub confidential: bool,
    /// The models that may answer, in order (after the confidentiality gate).
    pub chain: Vec<String>,
    /// Models of the route that the gate refuses for this row.
    pub refused: Vec<String>,
    /// Which rule chose the chain (route n, default, or why nothing may answer).
    pub rule: String,
}

/// A configured route of `[[models.routes]]`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RouteView {
    pub task: Option<String>,
    pub confidential: Option<bool>,
    pub pii: Option<bool>,
    pub max_tier: Option<String>,
    pub chain: Vec<String>,
}

/// Everything the model settings screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModelSettings {
    pub providers: Vec<ProviderView>,
    pub default_chain: Vec<String>,
    pub routes: Vec<RouteView>,
    pub policy: Vec<PolicyRow>,
    /// `mask`, `local` or `allow`.
    pub pii: String,
    pub budget_monthly: Option<f64>,
    pub budget_per_document: Option<f64>,
    pub currency: String,
    pub presets: Vec<PresetInfo>,
    /// Why the keychain cannot be used, if it cannot.
    pub keychain_problem: Option<String>,
    pub settings_file: String,
}

/// A provider as the settings form submits it. Empty strings count as absent.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
pub struct ProviderInput {
    pub name: String,
    pub preset: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    /// `local`, `cloud` or absent (automatic).
    #[serde(default)]
    pub locality: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub api_version: Option<String>,
}

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConnectionTest {
    pub name: String,
    pub ok: bool,
    pub locality: String,
    /// The answer (a few tokens), or empty.
    pub text: String,
    #[ts(type = "number")]
    pub latency_ms: u64,
    pub message: Option<String>,
}

/// Costs of one calendar month (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MonthCosts {
    /// `YYYY-MM`.
    pub month: String,
    #[ts(type = "number")]
    pub total_micros: i64,
    #[ts(type = "number")]
    pub cloud_micros: i64,
    pub by_model: Vec<ModelCost>,
}

/// All-time model costs of one document.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DocumentCosts {
    pub document: String,
    /// The document's title (its id when it is gone).
    pub title: String,
    pub cost: DocumentCost,
}

/// The costs view: this and the past months, per provider; per document; the budget.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CostsOverview {
    /// Newest first; months without calls are left out.
    pub months: Vec<MonthCosts>,
    pub documents: Vec<DocumentCosts>,
    pub current_month: String,
    #[ts(type = "number")]
    pub current_cloud_micros: i64,
    pub budget_monthly: Option<f64>,
    pub budget_per_document: Option<f64>,
    pub currency: String,
    pub price_table: String,
}

const TASKS: [Task; 4] = [Task::Draft, Task::Rewrite, Task::FactCheck, Task::Summary];
/// How many months the costs view goes back.
pub const COST_MONTHS: u32 = 12;

fn key_state(keys: &dyn KeySource, key: &Option<String>) -> (KeyState, Option<String>) {
    match key {
        None => (KeyState::None, None),
        Some(k) => match keys.get(k) {
            Ok(Some(_)) => (KeyState::Stored, None),
            Ok(None) => (KeyState::Missing, None),
            Err(e) => (KeyState::Unavailable, Some(e.to_string())),
        },
    }
}

fn view(name: &str, p: &ProviderDef, keys: &dyn KeySource) -> (ProviderView, Option<String>) {
    let (state, problem) = key_state(keys, &p.key);
    let endpoint = match p.preset {
        Preset::Embedded => p.path.clone().unwrap_or_else(|| {
            imprimatur_local_model::default_model_path()
                .display()
                .to_string()
        }),
        _ => p.base_url().unwrap_or_default(),
    };
    (
        ProviderView {
            name: name.to_string(),
            preset: p.preset.to_string(),
            model: p.model.clone(),
            base_url: p.base_url.clone(),
            endpoint,
            key: p.key.clone(),
            key_state: state,
            locality: p.locality().as_str().to_string(),
            locality_set: p.locality.map(|l| l.as_str().to_string()),
            tier: p.tier().as_str().to_string(),
            path: p.path.clone(),
            api_version: p.api_version.clone(),
        },
        problem,
    )
}

/// For each task and confidentiality: the chain the router plans (without PII and
/// spending), and which of its models the confidentiality gate refuses.
pub fn policy(config: &ModelsConfig) -> Vec<PolicyRow> {
    let router = Router::new(config.clone(), Arc::new(KeyMap::new()));
    let mut rows = Vec::new();
    for task in TASKS {
        for confidential in [false, true] {
            let mut ask = Ask::new(task, Vec::new(), "");
            ask.confidential = confidential;
            let row = match router.plan(&ask, false, Spend::default()) {
                Ok(plan) => {
                    let (mut chain, mut refused) = (Vec::new(), Vec::new());
                    for name in plan.steps {
                        let def = config.provider(&name).expect("planned models exist");
                        match admit(&name, def, &ask) {
                            Ok(()) => chain.push(name),
                            Err(_) => refused.push(name),
                        }
                    }
                    PolicyRow {
                        task: task.as_str().to_string(),
                        confidential,
                        chain,
                        refused,
                        rule: plan.decisions.join("; "),
                    }
                }
                Err(e) => PolicyRow {
                    task: task.as_str().to_string(),
                    confidential,
                    chain: Vec::new(),
                    refused: Vec::new(),
                    rule: e.to_string(),
                },
            };
            rows.push(row);
        }
    }
    rows
}

fn presets() -> Vec<PresetInfo> {
    Preset::ALL
        .iter()
        .filter(|p| **p != Preset::Vllm)
        .map(|p| PresetInfo {
            preset: p.to_string(),
            base_url: p.base_url().map(str::to_string),
            cloud: p.is_cloud_service(),
            embedded: *p == Preset::Embedded,
            suggested_key: p.is_cloud_service().then(|| p.to_string()),
        })
        .chain(std::iter::once(PresetInfo {
            preset: Preset::Vllm.to_string(),
            base_url: Preset::Vllm.base_url().map(str::to_string),
            cloud: false,
            embedded: false,
            suggested_key: None,
        }))
        .collect()
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn provider_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

impl Workspace {
    fn models_config(&self) -> ModelsConfig {
        self.settings().models.clone().unwrap_or_default()
    }

    /// What the model settings screen shows; `keys` answers "is this key stored?".
    pub fn model_settings(&self, keys: &dyn KeySource) -> ModelSettings {
        let config = self.models_config();
        let mut keychain_problem = None;
        let providers = config
            .providers
            .iter()
            .map(|(name, p)| {
                let (v, problem) = view(name, p, keys);
                keychain_problem = keychain_problem.take().or(problem);
                v
            })
            .collect();
        let routes = config
            .routes
            .iter()
            .map(|r| RouteView {
                task: r.task.map(|t| t.as_str().to_string()),
                confidential: r.confidential,
                pii: r.pii,
                max_tier: r.max_tier.map(|t| t.as_str().to_string()),
                chain: r.chain.clone(),
            })
            .collect();
        let pii = serde_json::to_value(config.pii)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        ModelSettings {
            providers,
            default_chain: config.default.clone(),
            routes,
            policy: policy(&config),
            pii,
            budget_monthly: config.budget.monthly,
            budget_per_document: config.budget.per_document,
            currency: PriceTable::current().currency,
            presets: presets(),
            keychain_problem,
            settings_file: settings::FILE_NAME.to_string(),
        }
    }

    /// Rewrites `imprimatur.toml` with `change` applied to its TOML document, refusing a
    /// result that does not parse or validate (nothing is written then), and records
    /// the change as `settings.change`.
    fn change_models(
        &mut self,
        what: &str,
        details: serde_json::Value,
        actor: &str,
        now: Timestamp,
        change: impl FnOnce(&mut toml_edit::DocumentMut) -> WorkspaceResult<()>,
    ) -> WorkspaceResult<()> {
        let file = self.root().join(settings::FILE_NAME);
        let old = std::fs::read_to_string(&file).map_err(io(&file))?;
        let mut doc: toml_edit::DocumentMut = old.parse().map_err(|e: toml_edit::TomlError| {
            let (line, column) = e
                .span()
                .map(|s| settings::line_col(&old, s.start))
                .unwrap_or((1, 1));
            WorkspaceError::Settings {
                file: file.clone(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        change(&mut doc)?;
        let new = doc.to_string();
        let parsed = settings::parse(&file, &new)?;
        settings::write_atomically(&file, &new)?;
        self.settings = parsed;
        let hash = imprimatur_store::content_hash;
        let mut details = details;
        details["key"] = serde_json::json!(what);
        details["before"] = serde_json::json!(hash(&old));
        details["after"] = serde_json::json!(hash(&new));
        self.store
            .record(actor, "settings.change", settings::FILE_NAME, &details, now)?;
        Ok(())
    }

    /// Adds or replaces `[models.providers.NAME]`.
    pub fn save_provider(
        &mut self,
        input: &ProviderInput,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<ProviderView> {
        let name = input.name.trim().to_string();
        if !provider_name_ok(&name) {
            return Err(WorkspaceError::Settings {
                file: self.root().join(settings::FILE_NAME),
                line: 1,
                column: 1,
                message: format!(
                    "{name:?} cannot name a model: use letters, digits, '-' and '_' (up to 40)"
                ),
            });
        }
        let existed = self.models_config().providers.contains_key(&name);
        let mut table = toml_edit::Table::new();
        table["preset"] = toml_edit::value(input.preset.trim());
        if !input.model.trim().is_empty() {
            table["model"] = toml_edit::value(input.model.trim());
        }
        for (k, v) in [
            ("base_url", &input.base_url),
            ("key", &input.key),
            ("locality", &input.locality),
            ("tier", &input.tier),
            ("api_version", &input.api_version),
            ("path", &input.path),
        ] {
            if let Some(v) = blank(v) {
                table[k] = toml_edit::value(v);
            }
        }
        let details = serde_json::json!({
            "action": if existed { "edit" } else { "add" },
            "model": name,
            "preset": input.preset.trim(),
        });
        self.change_models(
            &format!("models.providers.{name}"),
            details,
            actor,
            now,
            |doc| {
                let models = doc
                    .entry("models")
                    .or_insert_with(|| {
                        let mut t = toml_edit::Table::new();
                        t.set_implicit(true);
                        toml_edit::Item::Table(t)
                    })
                    .as_table_mut()
                    .ok_or_else(|| not_a_table("models"))?;
                let providers = models
                    .entry("providers")
                    .or_insert_with(|| {
                        let mut t = toml_edit::Table::new();
                        t.set_implicit(true);
                        toml_edit::Item::Table(t)
                    })
                    .as_table_mut()
                    .ok_or_else(|| not_a_table("models.providers"))?;
                providers.insert(&name, toml_edit::Item::Table(table));
                Ok(())
            },
        )?;
        let config = self.models_config();
        let def = config.provider(&name)?;
        Ok(view(&name, def, &KeyMap::new()).0)
    }

    /// Removes `[models.providers.NAME]` and the name from the default chain and the
    /// routes (a route left with no model is removed).
    pub fn remove_provider(
        &mut self,
        name: &str,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<()> {
        if !self.models_config().providers.contains_key(name) {
            return Err(WorkspaceError::UnknownProvider(name.to_string()));
        }
        let details = serde_json::json!({ "action": "remove", "model": name });
        self.change_models(
            &format!("models.providers.{name}"),
            details,
            actor,
            now,
            |doc| {
                let models = doc["models"]
                    .as_table_mut()
                    .ok_or_else(|| not_a_table("models"))?;
                if let Some(p) = models.get_mut("providers").and_then(|p| p.as_table_mut()) {
                    p.remove(name);
                }
                if let Some(a) = models.get_mut("default").and_then(|d| d.as_array_mut()) {
                    a.retain(|v| v.as_str() != Some(name));
                }
                if let Some(routes) = models
                    .get_mut("routes")
                    .and_then(|r| r.as_array_of_tables_mut())
                {
                    for r in routes.iter_mut() {
                        if let Some(a) = r.get_mut("chain").and_then(|c| c.as_array_mut()) {
                            a.retain(|v| v.as_str() != Some(name));
                        }
                    }
                    routes.retain(|r| {
                        r.get("chain")
                            .and_then(|c| c.as_array())
                            .is_some_and(|a| !a.is_empty())
                    });
                }
                Ok(())
            },
        )
    }

    /// Sets `[models] default`, the chain used when no route matches.
    pub fn set_default_chain(
        &mut self,
        chain: &[String],
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<()> {
        let details = serde_json::json!({ "action": "edit", "chain": chain });
        self.change_models("models.default", details, actor, now, |doc| {
            let models = doc
                .entry("models")
                .or_insert_with(toml_edit::table)
                .as_table_mut()
                .ok_or_else(|| not_a_table("models"))?;
            // Keys directly in [models] need its header written out.
            models.set_implicit(false);
            let mut a = toml_edit::Array::new();
            for n in chain {
                a.push(n.as_str());
            }
            models.insert("default", toml_edit::value(a));
            Ok(())
        })
    }

    /// Stores an API key in the OS keychain under `name` and records that it was set
    /// (the name and who, never the value).
    pub fn store_key(
        &mut self,
        keychain: &Keychain,
        name: &str,
        secret: &Secret,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<()> {
        keychain.set(name, secret)?;
        self.store.record(
            actor,
            "settings.key",
            name,
            &serde_json::json!({ "action": "set", "keychain": "os" }),
            now,
        )?;
        Ok(())
    }

    /// Removes an API key from the OS keychain; `false` when there was none.
    pub fn delete_key(
        &mut self,
        keychain: &Keychain,
        name: &str,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<bool> {
        let removed = keychain.delete(name)?;
        self.store.record(
            actor,
            "settings.key",
            name,
            &serde_json::json!({ "action": "delete", "removed": removed }),
            now,
        )?;
        Ok(removed)
    }

    /// The costs view: the last [`COST_MONTHS`] months per provider and model (months
    /// without calls left out), all-time costs per document, the budget.
    pub fn costs_overview(&self, now: Timestamp) -> WorkspaceResult<CostsOverview> {
        let config = self.models_config();
        let prices = PriceTable::current();
        let mut months = Vec::new();
        let mut at = now;
        for _ in 0..COST_MONTHS {
            let name = ledger::month_name(at);
            let (from, _) = ledger::month_of(at);
            let report = ledger::costs_report(self.store(), &name)?;
            if !report.by_model.is_empty() {
                months.push(MonthCosts {
                    month: name,
                    total_micros: report.total_micros,
                    cloud_micros: report.cloud_micros,
                    by_model: report.by_model,
                });
            }
            at = Timestamp(from.0 - 1);
        }
        let (from, to) = ledger::month_of(now);
        let titles: HashMap<String, String> = self
            .store()
            .documents()?
            .into_iter()
            .map(|d| (d.id.to_string(), d.title))
            .collect();
        let documents = self
            .store()
            .model_document_costs(Timestamp(0), Timestamp(i64::MAX))?
            .into_iter()
            .map(|cost| DocumentCosts {
                document: cost.document.clone(),
                title: titles
                    .get(&cost.document)
                    .cloned()
                    .unwrap_or_else(|| cost.document.clone()),
                cost,
            })
            .collect();
        Ok(CostsOverview {
            months,
            documents,
            current_month: ledger::month_name(now),
            current_cloud_micros: self.store().model_cloud_spend(from, to)?,
            budget_monthly: config.budget.monthly,
            budget_per_document: config.budget.per_document,
            currency: prices.currency,
            price_table: prices.version,
        })
    }
}

fn not_a_table(key: &str) -> WorkspaceError {
    WorkspaceError::Settings {
        file: PathBuf::from(settings::FILE_NAME),
        line: 1,
        column: 1,
        message: format!("`{key}` is not a table; fix the file by hand"),
    }
}

/// The app's model runtime: embedded models loaded once, the keychain, and the cancel
/// switch of the running call.
pub struct Models {
    keychain: Keychain,
    embedded: Mutex<HashMap<PathBuf, Arc<EmbeddedModel>>>,
    running: Mutex<Option<Cancel>>,
}

impl Models {
    pub fn new(keychain: Keychain) -> Models {
        Models {
            keychain,
            embedded: Mutex::new(HashMap::new()),
            running: Mutex::new(None),
        }
    }

    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// A router over the settings on disk, with every installed embedded model
    /// registered (loaded on first use, under a second for SmolLM2).
    pub fn router(&self, ws: &Workspace) -> WorkspaceResult<Router> {
        let config = ws.models_config();
        if config.providers.is_empty() {
            return Err(WorkspaceError::NoModels);
        }
        let cache = ws.root().join(".imprimatur").join("model-cache.db");
        let mut router =
            Router::new(config.clone(), Arc::new(self.keychain.clone())).with_cache(&cache)?;
        for (name, def) in &config.providers {
            if def.preset != Preset::Embedded {
                continue;
            }
            let path = def
                .path
                .as_ref()
                .map(|p| ws.root().join(p))
                .unwrap_or_else(imprimatur_local_model::default_model_path);
            if !path.is_file() {
                continue; // the router says how to install it
            }
            let model = {
                let mut loaded = self.embedded.lock().unwrap_or_else(|p| p.into_inner());
                match loaded.get(&path) {
                    Some(m) => m.clone(),
                    None => {
                        let m = Arc::new(EmbeddedModel::load(&path)?);
                        loaded.insert(path.clone(), m.clone());
                        m
                    }
                }
            };
            router.register(name, model);
        }
        Ok(router)
    }

    /// A fresh cancel switch for the next call (cancelling any call still running).
    pub(crate) fn start(&self) -> Cancel {
        let cancel = Cancel::new();
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = running.replace(cancel.clone()) {
            old.cancel();
        }
        cancel
    }

    /// Stops the running call; its partial text is discarded.
    pub fn cancel(&self) {
        if let Some(c) = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            c.cancel();
        }
    }

    /// Sends a short prompt to the model `name` (by name: routes are skipped, the
    /// confidentiality gate and budgets are not) and reports what came back.
    pub fn test_connection(
        &self,
        root: &Path,
        name: &str,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<ConnectionTest> {
        let mut ws = Workspace::open(root)?;
        let config = ws.models_config();
        let def = config
            .providers
            .get(name)
            .ok_or_else(|| WorkspaceError::UnknownProvider(name.to_string()))?;
        let locality = def.locality().as_str().to_string();
        let router = self.router(&ws)?;
        let mut ask = Ask::new(
            Task::Test,
            vec![Message::user(
                "Reply with the single word OK. Antworte nur mit dem Wort OK.",
            )],
            actor,
        );
        ask.model = Some(name.to_string());
        ask.params.max_tokens = 8;
        ask.params.temperature = 0.0;
        let cancel = self.start();
        let started = std::time::Instant::now();
        let result = router.ask(ws.store_mut(), &ask, now, &mut |_: Event<'_>| {}, &cancel);
        let latency_ms = started.elapsed().as_millis() as u64;
        Ok(match result {
            Ok(a) => ConnectionTest {
                name: name.to_string(),
                ok: true,
                locality,
                text: a.text.trim().to_string(),
                latency_ms: a.latency_ms,
                message: None,
            },
            Err(e) => ConnectionTest {
                name: name.to_string(),
                ok: false,
                locality,
                text: String::new(),
                latency_ms,
                message: Some(e.to_string()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws() -> (tempfile::TempDir, Workspace) {
        let d = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&d.path().join("w"), "t", Timestamp(1)).unwrap();
        (d, ws)
    }

    fn input(name: &str, preset: &str, model: &str) -> ProviderInput {
        ProviderInput {
            name: name.into(),
            preset: preset.into(),
            model: model.into(),
            base_url: None,
            key: None,
            locality: None,
            tier: None,
            path: None,
            api_version: None,
        }
    }

    #[test]
    fn providers_are_added_edited_removed_and_audited() {
        let (_d, mut ws) = ws();
        ws.save_provider(&input("smol", "embedded", ""), "anna", Timestamp(2))
            .unwrap();
        let mut gpt = input("gpt", "openai", "gpt-4o-mini");
        gpt.key = Some("openai".into());
        gpt.base_url = Some("http://127.0.0.1:9/v1".into());
        let v = ws.save_provider(&gpt, "anna", Timestamp(3)).unwrap();
        // A hosted service stays cloud whatever its URL says.
        assert_eq!(v.locality, "cloud");
        ws.set_default_chain(&["gpt".into(), "smol".into()], "anna", Timestamp(4))
            .unwrap();
        let text = std::fs::read_to_string(ws.root().join("imprimatur.toml")).unwrap();
        assert!(text.contains("[models.providers.gpt]"), "{text}");
        assert!(text.contains("default = [\"gpt\", \"smol\"]"), "{text}");
        assert!(!text.contains("sk-"), "no key value in the file");

        let keys = KeyMap::new();
        keys.insert("openai", Secret::new("sk-test-123"));
        let s = ws.model_settings(&keys);
        let states: Vec<_> = s
            .providers
            .iter()
            .map(|p| (p.name.as_str(), p.key_state))
            .collect();
        assert_eq!(
            states,
            [("gpt", KeyState::Stored), ("smol", KeyState::None)]
        );
        // Routing policy: the default chain, with the cloud model refused when confidential.
        let rewrite = |c: bool| {
            s.policy
                .iter()
                .find(|r| r.task == "rewrite" && r.confidential == c)
                .unwrap()
                .clone()
        };
        assert_eq!(rewrite(false).chain, ["gpt", "smol"]);
        assert_eq!(rewrite(true).chain, ["smol"]);
        assert_eq!(rewrite(true).refused, ["gpt"]);

        // A cloud preset without a key is refused and nothing is written.
        let before = std::fs::read_to_string(ws.root().join("imprimatur.toml")).unwrap();
        let err = ws
            .save_provider(
                &input("claude", "anthropic", "claude-3-5-haiku"),
                "anna",
                Timestamp(5),
            )
            .unwrap_err();
        assert!(err.to_string().contains("needs `key`"), "{err}");
        let after = std::fs::read_to_string(ws.root().join("imprimatur.toml")).unwrap();
        assert_eq!(before, after);

        ws.remove_provider("gpt", "anna", Timestamp(6)).unwrap();
        let c = ws.settings().models.clone().unwrap();
        assert_eq!(c.default, ["smol"]);
        assert!(!c.providers.contains_key("gpt"));
        let changes: Vec<_> = ws
            .store()
            .audit_log(0, 100)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "settings.change")
            .map(|e| {
                let d: serde_json::Value = serde_json::from_str(&e.details).unwrap();
                d["key"].as_str().unwrap_or("").to_string()
            })
            .collect();
        assert_eq!(
            changes,
            [
                "models.providers.smol",
                "models.providers.gpt",
                "models.default",
                "models.providers.gpt"
            ]
        );
    }

    #[test]
    fn costs_overview_of_an_empty_ledger() {
        let (_d, ws) = ws();
        let c = ws.costs_overview(Timestamp(1_795_501_105_000)).unwrap();
        assert_eq!(c.current_month, "2026-11");
        assert!(c.months.is_empty() && c.documents.is_empty());
    }
}

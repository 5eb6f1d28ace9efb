//! The rule editor of a workspace: the brand manager lists the packs and rules in
//! `styleguides/`, turns rules on and off, sets their levels, edits a rule's YAML and
//! tries a rule on sample text before saving it.
//!
//! Where a change goes follows Vale: a rule file says what the pack's author meant (its
//! own `level:`), and the project's configuration overrides it (`.vale.ini`'s
//! `Pack.Rule = NO|error|…`, here `[style.levels]` in `imprimatur.toml`). So turning a
//! rule off or changing its level writes `[style.levels]` and leaves the rule file as
//! written (a pack copied from elsewhere stays comparable with its source, and "off" has
//! no YAML spelling at all); editing the YAML changes the rule itself.
//!
//! Every change is a revision of the changed file in the revision store (its own
//! document, outside the article list) plus one audit entry naming the actor, the rule
//! and the change, written in one transaction. A file that does not compile is never
//! written. The style engine is cached by the files' sizes and modification times and by
//! the `[style]` settings, so the next check after a change uses the changed rules.

use std::path::{Path, PathBuf};

use imprimatur_check::Finding;
use imprimatur_store::{NewRevision, Origin, Timestamp};
use imprimatur_style::{Level, LevelSetting, StyleConfig, StyleError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::io;
use crate::{settings, Workspace, WorkspaceError, WorkspaceResult};

const STYLES: &str = "styleguides";
/// Folders under `styleguides/` that hold configuration, not rules (Vale's names).
const NOT_PACKS: [&str; 2] = ["config", "Vocab"];

/// A rule's level as the rule editor sets it; `off` turns the rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Suggestion,
    Warning,
    Error,
}

impl RuleLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleLevel::Off => "off",
            RuleLevel::Suggestion => "suggestion",
            RuleLevel::Warning => "warning",
            RuleLevel::Error => "error",
        }
    }

    fn of(level: Level) -> RuleLevel {
        match level {
            Level::Suggestion => RuleLevel::Suggestion,
            Level::Warning => RuleLevel::Warning,
            Level::Error => RuleLevel::Error,
        }
    }

    fn of_setting(s: LevelSetting) -> RuleLevel {
        match s {
            LevelSetting::Off => RuleLevel::Off,
            LevelSetting::Suggestion => RuleLevel::Suggestion,
            LevelSetting::Warning => RuleLevel::Warning,
            LevelSetting::Error => RuleLevel::Error,
        }
    }
}

/// Where a rule file is wrong: line and column (1-based) in its YAML, and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RuleProblem {
    /// The style error's code: `style.yaml`, `style.regex`, `style.unknown_kind`, …
    pub code: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// One rule file as the rule editor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RuleEntry {
    /// `Pack.Rule`, the code of its findings and its key in `[style.levels]`.
    pub code: String,
    pub pack: String,
    pub name: String,
    /// `extends:` (existence, substitution, …; `sequence`/`script` load but do not run).
    pub kind: String,
    /// The level the rule file gives (`level:`, default suggestion).
    pub level: RuleLevel,
    /// The level it runs at after `[style.levels]`: `off` when turned off there.
    pub effective: RuleLevel,
    /// Whether `[style.levels]` overrides the file's level.
    pub overridden: bool,
    /// Whether it runs at all: its pack is active, it is not off, it is not a
    /// `sequence`/`script` rule, and its `when:` fits the house settings.
    pub active: bool,
    /// `when:` of the rule, e.g. `address=du`.
    pub condition: Option<String>,
    /// The file, relative to the workspace (`styleguides/Pack/Rule.yml`).
    pub file: String,
    pub message: String,
    /// The YAML as it is on disk.
    pub source: String,
    /// Why the file does not load, if it does not (with its line).
    pub problem: Option<RuleProblem>,
    /// A note about a rule that loads but does not run.
    pub warning: Option<String>,
    /// Revisions of the file recorded by the rule editor (0: never changed there).
    pub revisions: u32,
}

/// A folder of rules under `styleguides/`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RulePack {
    pub name: String,
    /// Languages whose documents this pack checks (`[style] packs` / `packs_en`); empty
    /// when the pack is not in use.
    pub languages: Vec<String>,
    pub rules: Vec<RuleEntry>,
}

/// Every pack of the workspace, active ones first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RuleListing {
    pub packs: Vec<RulePack>,
    /// The file that holds the level overrides.
    pub settings_file: String,
}

/// A rule (possibly unsaved) run on sample text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RuleTrial {
    /// Why the YAML does not compile; then there are no findings.
    pub problem: Option<RuleProblem>,
    /// A rule that compiles but does not run (`sequence`, `script`).
    pub warning: Option<String>,
    /// Findings of this rule alone in the sample, at the file's own level, whatever
    /// `when:` and `[style.levels]` say.
    pub findings: Vec<Finding>,
}

impl Workspace {
    /// Every pack in `styleguides/` with its rules, their levels before and after the
    /// `[style.levels]` overrides, and their YAML. A rule file that does not load is
    /// listed with its problem, so it can be fixed here.
    pub fn rules(&self) -> WorkspaceResult<RuleListing> {
        let cfg = self.style_config();
        let dir = self.root().join(STYLES);
        let mut packs = Vec::new();
        for name in pack_names(&dir)? {
            let languages: Vec<String> = [("de", &cfg.packs), ("en", &cfg.packs_en)]
                .into_iter()
                .filter(|(_, p)| p.contains(&name))
                .map(|(l, _)| l.to_string())
                .collect();
            let mut rules = Vec::new();
            for file in rule_files(&dir.join(&name))? {
                let rule = file_stem(&file);
                rules.push(self.rule_entry(&cfg, &name, &rule, &languages)?);
            }
            packs.push(RulePack {
                name,
                languages,
                rules,
            });
        }
        packs.sort_by_key(|p| p.languages.is_empty());
        Ok(RuleListing {
            packs,
            settings_file: settings::FILE_NAME.to_string(),
        })
    }

    /// One rule, as [`Workspace::rules`] lists it.
    pub fn rule(&self, code: &str) -> WorkspaceResult<RuleEntry> {
        let (pack, name) = self.existing_rule(code)?;
        let cfg = self.style_config();
        let languages = [("de", &cfg.packs), ("en", &cfg.packs_en)]
            .into_iter()
            .filter(|(_, p)| p.contains(&pack))
            .map(|(l, _)| l.to_string())
            .collect::<Vec<_>>();
        self.rule_entry(&cfg, &pack, &name, &languages)
    }

    fn rule_entry(
        &self,
        cfg: &StyleConfig,
        pack: &str,
        name: &str,
        languages: &[String],
    ) -> WorkspaceResult<RuleEntry> {
        let rel = rule_path(pack, name);
        let path = self.root().join(&rel);
        let source = std::fs::read_to_string(&path).map_err(io(&path))?;
        let code = format!("{pack}.{name}");
        let mut entry = RuleEntry {
            code: code.clone(),
            pack: pack.to_string(),
            name: name.to_string(),
            kind: extends_of(&source),
            level: RuleLevel::Suggestion,
            effective: RuleLevel::Suggestion,
            overridden: false,
            active: false,
            condition: None,
            file: rel.clone(),
            message: String::new(),
            source: String::new(),
            problem: None,
            warning: None,
            revisions: self.store().file_document(&rel)?.map_or(0, |d| d.revisions),
        };
        let runs = match imprimatur_style::compile_rule(pack, name, &path, &source) {
            Ok(Ok(rule)) => {
                entry.kind = rule.kind.as_str().to_string();
                entry.level = RuleLevel::of(rule.level);
                entry.message = rule.message.clone();
                entry.condition = rule.condition();
                entry
                    .condition
                    .as_deref()
                    .is_none_or(|c| fits_house(c, cfg))
            }
            Ok(Err(not_run)) => {
                entry.level = level_in(&source).unwrap_or(RuleLevel::Suggestion);
                entry.warning = Some(not_run.warning);
                false
            }
            Err(e) => {
                entry.level = level_in(&source).unwrap_or(RuleLevel::Suggestion);
                entry.problem = Some(problem_of(&e, &source));
                false
            }
        };
        let set = cfg.levels.get(&code).copied();
        entry.overridden = set.is_some();
        entry.effective = set.map_or(entry.level, RuleLevel::of_setting);
        entry.active = runs && !languages.is_empty() && entry.effective != RuleLevel::Off;
        entry.source = source;
        Ok(entry)
    }

    /// Sets rule `code`'s level in `[style.levels]` (`off` turns it off). Setting the
    /// level its file already has removes the override, so the settings hold only
    /// deviations. The settings file gets a revision and the audit log an entry
    /// `rule.level` naming the rule, the level before and after.
    pub fn set_rule_level(
        &mut self,
        code: &str,
        level: RuleLevel,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<RuleEntry> {
        let before = self.rule(code)?;
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
        let style = doc
            .entry("style")
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let style = style
            .as_table_like_mut()
            .ok_or_else(|| not_a_table(&file, &old, "style"))?;
        let levels = style
            .entry("levels")
            .or_insert(toml_edit::Item::Table(toml_edit::Table::new()));
        let levels = levels
            .as_table_like_mut()
            .ok_or_else(|| not_a_table(&file, &old, "style.levels"))?;
        if level == before.level && before.problem.is_none() {
            levels.remove(code);
        } else {
            levels.insert(code, toml_edit::value(level.as_str()));
        }
        let new = doc.to_string();
        if new == old {
            return Ok(before);
        }
        let parsed = settings::parse(&file, &new)?;
        settings::write_atomically(&file, &new)?;
        self.settings = parsed;
        let details = serde_json::json!({
            "rule": code,
            "change": "level",
            "before": before.effective.as_str(),
            "after": level.as_str(),
        });
        let message = format!("{code}: {} → {}", before.effective.as_str(), level.as_str());
        self.store.save_file(
            settings::FILE_NAME,
            Some(&old),
            NewRevision {
                content: &new,
                author: actor,
                origin: Origin::Human,
                message: Some(&message),
            },
            "rule.level",
            &details,
            now,
        )?;
        self.rule(code)
    }

    /// Saves the YAML of rule `pack`.`name` (a new rule file when there is none yet)
    /// after checking that it compiles; otherwise nothing is written and the error names
    /// the line and column. The file gets a revision and the audit log an entry
    /// `rule.save` (or `rule.create`).
    pub fn save_rule(
        &mut self,
        pack: &str,
        name: &str,
        source: &str,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<RuleEntry> {
        check_name(pack)?;
        check_name(name)?;
        let pack_dir = self.root().join(STYLES).join(pack);
        if !pack_dir.is_dir() {
            return Err(WorkspaceError::UnknownRule {
                code: format!("{pack}.{name}"),
                styles: self.root().join(STYLES),
            });
        }
        let rel = existing_file(&pack_dir, name).map_or_else(
            || rule_path(pack, name),
            |p| {
                format!(
                    "{STYLES}/{pack}/{}",
                    p.file_name().unwrap().to_string_lossy()
                )
            },
        );
        let path = self.root().join(&rel);
        if let Some(problem) = validate(pack, name, &path, source) {
            return Err(WorkspaceError::InvalidRule {
                file: PathBuf::from(&rel),
                problem,
            });
        }
        let old = match path.is_file() {
            true => Some(std::fs::read_to_string(&path).map_err(io(&path))?),
            false => None,
        };
        let code = format!("{pack}.{name}");
        if old.as_deref() == Some(source) {
            return self.rule(&code);
        }
        write_atomically(&path, source)?;
        let hash = imprimatur_store::content_hash;
        let details = serde_json::json!({
            "rule": code,
            "change": if old.is_some() { "yaml" } else { "create" },
            "before": old.as_deref().map(hash),
            "after": hash(source),
        });
        let action = if old.is_some() {
            "rule.save"
        } else {
            "rule.create"
        };
        self.store.save_file(
            &rel,
            old.as_deref(),
            NewRevision {
                content: source,
                author: actor,
                origin: Origin::Human,
                message: None,
            },
            action,
            &details,
            now,
        )?;
        self.rule(&code)
    }

    /// Runs one rule's YAML (saved or not) on `sample`, parsed as a document in this
    /// workspace's language: its problem if it does not compile, else its findings.
    pub fn try_rule(&self, pack: &str, name: &str, source: &str, sample: &str) -> RuleTrial {
        let path = self.root().join(rule_path(pack, name));
        let rule = match imprimatur_style::compile_rule(pack, name, &path, source) {
            Ok(Ok(rule)) => rule,
            Ok(Err(not_run)) => {
                return RuleTrial {
                    problem: None,
                    warning: Some(not_run.warning),
                    findings: Vec::new(),
                }
            }
            Err(e) => {
                return RuleTrial {
                    problem: Some(problem_of(&e, source)),
                    warning: None,
                    findings: Vec::new(),
                }
            }
        };
        let vocab = imprimatur_style::Vocabulary::default();
        let engine = match imprimatur_style::StyleEngine::build(
            vec![rule.clone()],
            vec![rule],
            &vocab,
            Level::Suggestion,
        ) {
            Ok(engine) => engine,
            Err(e) => {
                return RuleTrial {
                    problem: Some(problem_of(&e, source)),
                    warning: None,
                    findings: Vec::new(),
                }
            }
        };
        let doc = self.parse_document(sample);
        RuleTrial {
            problem: None,
            warning: None,
            findings: imprimatur_style::check(&doc, &engine),
        }
    }

    /// The pack and rule name of `code` (`Pack.Rule`), if that rule file exists.
    fn existing_rule(&self, code: &str) -> WorkspaceResult<(String, String)> {
        let unknown = || WorkspaceError::UnknownRule {
            code: code.to_string(),
            styles: self.root().join(STYLES),
        };
        let (pack, name) = code.split_once('.').ok_or_else(unknown)?;
        if check_name(pack).is_err() || check_name(name).is_err() {
            return Err(unknown());
        }
        let dir = self.root().join(STYLES).join(pack);
        existing_file(&dir, name).ok_or_else(unknown)?;
        Ok((pack.to_string(), name.to_string()))
    }
}

/// Checks a rule's YAML as it would load from `path`: `None` when it compiles (or loads
/// with a warning), else the problem with its line.
pub fn validate(pack: &str, name: &str, path: &Path, source: &str) -> Option<RuleProblem> {
    imprimatur_style::compile_rule(pack, name, path, source)
        .err()
        .map(|e| problem_of(&e, source))
}

/// A style error as a problem at a line of `source`. YAML errors carry their line; for
/// the others, the line of the key or list entry they are about.
pub fn problem_of(e: &StyleError, source: &str) -> RuleProblem {
    let (line, column, message) = match e {
        StyleError::Yaml {
            line,
            column,
            message,
            ..
        } => (*line, *column, message.clone()),
        StyleError::Regex {
            rule,
            pattern,
            message,
            ..
        } => {
            let (line, column) = line_of_pattern(source, pattern).unwrap_or((1, 1));
            let message =
                format!("rule {rule}: the pattern `{pattern}` does not compile: {message}");
            (line, column, message)
        }
        StyleError::UnknownKind {
            rule, kind, known, ..
        } => {
            let (line, column) = line_of_key(source, "extends").unwrap_or((1, 1));
            let message =
                format!("rule {rule}: unknown kind `extends: {kind}`; known kinds: {known}");
            (line, column, message)
        }
        StyleError::InvalidRule { rule, message, .. } => {
            let (line, column) = backticked(message)
                .and_then(|key| line_of_key(source, key))
                .unwrap_or((1, 1));
            (line, column, format!("rule {rule}: {message}"))
        }
        other => (1, 1, other.to_string()),
    };
    RuleProblem {
        code: e.code().to_string(),
        line: line as u32,
        column: column as u32,
        message,
    }
}

/// The line and column of the YAML entry whose text is part of `pattern`, preferring an
/// entry whose brackets do not balance (the usual reason a pattern does not compile).
fn line_of_pattern(source: &str, pattern: &str) -> Option<(usize, usize)> {
    let mut candidates = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let value = trimmed
            .strip_prefix("- ")
            .unwrap_or_else(|| trimmed.split_once(": ").map_or("", |(_, v)| v));
        let value = value.trim().trim_matches(|c| c == '\'' || c == '"');
        if value.len() >= 2 && pattern.contains(value) {
            let column = line.len() - trimmed.len() + 1;
            candidates.push((i + 1, column, unbalanced(value)));
        }
    }
    candidates
        .iter()
        .find(|c| c.2)
        .or(candidates.first())
        .map(|&(l, c, _)| (l, c))
}

fn unbalanced(s: &str) -> bool {
    let mut depth = [0i32; 2];
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth[0] += 1,
            ')' => depth[0] -= 1,
            '[' => depth[1] += 1,
            ']' => depth[1] -= 1,
            _ => {}
        }
    }
    depth != [0, 0]
}

/// The line and column of top-level key `key:` in `source`.
fn line_of_key(source: &str, key: &str) -> Option<(usize, usize)> {
    source.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        rest.trim_start().starts_with(':').then_some((i + 1, 1))
    })
}

/// The first `word` in backticks of a message, up to a colon: "`level: x` is …" → level.
fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = message[start..].find('`')? + start;
    let inner = &message[start..end];
    Some(inner.split(':').next().unwrap_or(inner).trim())
}

/// `extends:` of a YAML text, read plainly, for a file that does not compile.
fn extends_of(source: &str) -> String {
    source
        .lines()
        .find_map(|l| l.strip_prefix("extends:"))
        .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
        .unwrap_or_default()
}

fn level_in(source: &str) -> Option<RuleLevel> {
    let v = source.lines().find_map(|l| l.strip_prefix("level:"))?;
    Level::parse(v.trim().trim_matches(|c| c == '\'' || c == '"')).map(RuleLevel::of)
}

/// Whether a rule's `when:` condition (`address=du,gender=star`) fits the house settings.
fn fits_house(condition: &str, cfg: &StyleConfig) -> bool {
    condition
        .split(',')
        .filter(|p| !p.is_empty())
        .all(|part| match part.split_once('=') {
            Some(("address", v)) => v.eq_ignore_ascii_case(cfg.address.as_str()),
            Some(("gender", v)) => v.eq_ignore_ascii_case(cfg.gender.as_str()),
            _ => true,
        })
}

fn pack_names(dir: &Path) -> WorkspaceResult<Vec<String>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !NOT_PACKS.contains(&n.as_str()) && !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

fn rule_files(dir: &Path) -> WorkspaceResult<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    Ok(files)
}

fn existing_file(pack_dir: &Path, name: &str) -> Option<PathBuf> {
    ["yml", "yaml"]
        .iter()
        .map(|ext| pack_dir.join(format!("{name}.{ext}")))
        .find(|p| p.is_file())
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn rule_path(pack: &str, name: &str) -> String {
    format!("{STYLES}/{pack}/{name}.yml")
}

/// Pack and rule names become folder and file names and the `Pack.Rule` code: letters,
/// digits, `_` and `-` only.
fn check_name(name: &str) -> WorkspaceResult<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(WorkspaceError::RuleName(name.to_string()))
    }
}

fn not_a_table(file: &Path, text: &str, key: &str) -> WorkspaceError {
    let at = text.find(&format!("{key} =")).unwrap_or(0);
    let (line, column) = settings::line_col(text, at);
    WorkspaceError::Settings {
        file: file.to_path_buf(),
        line,
        column,
        message: format!("`{key}` must be a table ([{key}]) to hold rule levels"),
    }
}

/// Via a temporary file and a rename, so the style engine never reads half a rule.
fn write_atomically(file: &Path, text: &str) -> WorkspaceResult<()> {
    let tmp = file.with_extension("yml.tmp");
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    std::fs::rename(&tmp, file).map_err(io(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_pattern_is_found_on_its_line() {
        let src = "extends: existence\nmessage: x\ntokens:\n  - 'gut'\n  - 'sehr (gut'\n";
        assert_eq!(
            line_of_pattern(src, r"(?i)\b(?:gut|sehr (gut)\b"),
            Some((5, 3))
        );
    }

    #[test]
    fn a_key_named_in_backticks_is_found() {
        let src = "extends: existence\nlevel: loud\n";
        let key = backticked("`level: loud` is not a level").unwrap();
        assert_eq!(line_of_key(src, key), Some((2, 1)));
    }

    #[test]
    fn house_conditions() {
        let cfg = StyleConfig::default();
        assert!(fits_house("address=sie", &cfg));
        assert!(!fits_house("address=du", &cfg));
        assert!(fits_house("", &cfg));
        assert!(!fits_house("address=sie,gender=star", &cfg));
    }
}

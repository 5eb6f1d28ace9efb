//! Vale's `.vale.ini`, as far as choosing rules goes: `StylesPath`, `MinAlertLevel`,
//! `Vocab`, `Packages`, and per-glob sections with `BasedOnStyles` and `Pack.Rule = YES
//! | NO | level`. Lets a team point Imprimatur at an existing Vale setup, and drives the
//! compatibility runner over Vale's own test fixtures.

use std::path::{Path, PathBuf};

use crate::engine::{builtin_pack, StyleEngine, Vocabulary};
use crate::error::{io, StyleError};
use crate::rule::{load_pack, Pack, Rule};
use crate::Level;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValeIni {
    /// The folder that holds `.vale.ini`; `styles_path` is relative to it.
    pub dir: PathBuf,
    pub styles_path: PathBuf,
    pub min_level: Option<Level>,
    pub vocab: Vec<String>,
    pub packages: Vec<String>,
    /// `BasedOnStyles` outside any section.
    pub based_on: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub glob: String,
    pub based_on: Vec<String>,
    /// `Pack.Rule` and its value: `YES`, `NO` or a level.
    pub rules: Vec<(String, String)>,
}

impl Section {
    /// Whether this section's glob (`*`, `*.md`, `*.{md,txt}`) covers a file with `ext`.
    pub fn covers(&self, ext: &str) -> bool {
        let g = self.glob.trim();
        if g == "*" {
            return true;
        }
        let Some(pattern) = g.strip_prefix("*.") else {
            return false;
        };
        let options = pattern.trim_start_matches('{').trim_end_matches('}');
        options.split(',').any(|o| o.trim() == ext)
    }
}

pub fn read(file: &Path) -> Result<ValeIni, StyleError> {
    let text = std::fs::read_to_string(file).map_err(io(file))?;
    parse(file, &text)
}

pub fn parse(file: &Path, text: &str) -> Result<ValeIni, StyleError> {
    let mut ini = ValeIni {
        dir: file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        styles_path: PathBuf::from("styles"),
        ..ValeIni::default()
    };
    let mut section: Option<Section> = None;
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some(s) = section.take() {
                ini.sections.push(s);
            }
            section = Some(Section {
                glob: name.to_string(),
                ..Section::default()
            });
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(StyleError::ValeIni {
                file: file.to_path_buf(),
                line: n + 1,
                message: format!("expected `key = value` or `[section]`, found `{line}`"),
            });
        };
        let (key, value) = (key.trim(), value.trim());
        match (&mut section, key) {
            (None, "StylesPath") => ini.styles_path = PathBuf::from(value),
            (None, "MinAlertLevel") => {
                ini.min_level = Some(Level::parse(value).ok_or_else(|| StyleError::ValeIni {
                    file: file.to_path_buf(),
                    line: n + 1,
                    message: format!("`MinAlertLevel = {value}`: use suggestion, warning or error"),
                })?)
            }
            (None, "Vocab") => ini.vocab = list(value),
            (None, "Packages") => ini.packages = list(value),
            (None, "BasedOnStyles") => ini.based_on = list(value),
            (Some(s), "BasedOnStyles") if s.glob != "formats" => s.based_on = list(value),
            (Some(s), k) if k.contains('.') && !k.starts_with('*') && s.glob != "formats" => {
                s.rules.push((k.to_string(), value.to_string()))
            }
            // Other settings (formats, TokenIgnores, BlockIgnores, Transform…) do not choose rules.
            _ => {}
        }
    }
    if let Some(s) = section.take() {
        ini.sections.push(s);
    }
    Ok(ini)
}

impl ValeIni {
    pub fn styles_dir(&self) -> PathBuf {
        self.dir.join(&self.styles_path)
    }

    /// The engine Vale would run on a file with extension `ext`. A package that is not
    /// in the styles folder is looked up as `<source>/<Name>/<Name>` in `package_sources`
    /// (Imprimatur is offline; nothing is downloaded).
    pub fn engine_for(
        &self,
        ext: &str,
        package_sources: &[PathBuf],
    ) -> Result<StyleEngine, StyleError> {
        let styles = self.styles_dir();
        let mut vocab = Vocabulary::default();
        for v in &self.vocab {
            vocab.extend(Vocabulary::load(&styles, v)?);
        }
        let locate = |name: &str| -> Option<PathBuf> {
            let local = styles.join(name);
            if local.is_dir() {
                return Some(local);
            }
            // Vale installs `Packages` into the styles folder; here they come from a local copy.
            package_sources
                .iter()
                .map(|src| src.join(name).join(name))
                .find(|d| d.is_dir())
        };
        let pack = |name: &str| -> Result<Pack, StyleError> {
            if name == "Vale" {
                return builtin_pack(&vocab);
            }
            let dir = locate(name).ok_or_else(|| StyleError::PackNotFound {
                pack: name.to_string(),
                searched: styles.join(name),
            })?;
            load_pack(&dir, name)
        };
        let mut rules: Vec<Rule> = Vec::new();
        let mut warnings = Vec::new();
        let mut based: Vec<String> = self.based_on.clone();
        let sections: Vec<&Section> = self.sections.iter().filter(|s| s.covers(ext)).collect();
        for s in &sections {
            based.extend(s.based_on.iter().cloned());
        }
        based.dedup();
        for name in &based {
            let p = pack(name)?;
            warnings.extend(p.warnings);
            rules.extend(p.rules);
        }
        for s in &sections {
            for (code, value) in &s.rules {
                let Some((pack_name, rule_name)) = code.split_once('.') else {
                    continue;
                };
                let v = value.trim();
                let pos = rules.iter().position(|r| &r.code == code);
                match (v.to_ascii_uppercase().as_str(), pos) {
                    ("NO", Some(i)) => {
                        rules.remove(i);
                    }
                    ("NO", None) => {}
                    (_, None) => {
                        let p = pack(pack_name)?;
                        if let Some(mut r) = p.rules.into_iter().find(|r| r.name == rule_name) {
                            if let Some(l) = Level::parse(v) {
                                r.level = l;
                            }
                            rules.push(r);
                        }
                    }
                    (_, Some(i)) => {
                        if let Some(l) = Level::parse(v) {
                            rules[i].level = l;
                        }
                    }
                }
            }
        }
        if (!vocab.accept.is_empty() || !vocab.reject.is_empty())
            && !based.iter().any(|b| b == "Vale")
        {
            // Vale runs Vale.Terms and Vale.Avoid whenever a vocabulary is set.
            let p = builtin_pack(&vocab)?;
            rules.extend(
                p.rules
                    .into_iter()
                    .filter(|r| r.name == "Terms" || r.name == "Avoid"),
            );
        }
        let mut engine = StyleEngine::build(
            rules.clone(),
            rules,
            &vocab,
            self.min_level.unwrap_or(Level::Suggestion),
        )?;
        engine.add_warnings(warnings);
        Ok(engine)
    }
}

/// A `.vale.ini` for the `[style]` settings of `imprimatur.toml`, so a team can run
/// Vale in CI over the same packs: `StylesPath = styleguides`, `MinAlertLevel`, the
/// vocabularies, one `[*.md]` section with the German packs (Vale has no per-language
/// sections; the English packs are listed in a comment), and every level override.
/// Rules whose `when:` does not fit the house form of address or gender convention are
/// switched off with `Pack.Rule = NO`, as Imprimatur does not run them either.
///
/// Vale itself does not know Imprimatur's `terminology` kind or the `when:` key; such
/// rules are switched off in the export and listed in its header.
pub fn export(workspace_root: &Path, cfg: &crate::StyleConfig) -> Result<String, StyleError> {
    use crate::config::LevelSetting;
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    let styles = workspace_root.join("styleguides");
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    let mut imprimatur_only = Vec::new();
    let mut packs: Vec<&String> = cfg.packs.iter().collect();
    for p in &cfg.packs_en {
        if !packs.contains(&p) {
            packs.push(p);
        }
    }
    for name in &packs {
        let dir = styles.join(name.as_str());
        if !dir.is_dir() {
            return Err(StyleError::PackNotFound {
                pack: name.to_string(),
                searched: dir,
            });
        }
        for rule in load_pack(&dir, name)?.rules {
            if rule.kind == crate::RuleKind::Terminology {
                imprimatur_only.push(rule.code.clone());
                settings.insert(rule.code.clone(), "NO".into());
            } else if !crate::engine::fits_house(&rule, cfg) {
                settings.insert(rule.code.clone(), "NO".into());
            }
        }
    }
    for (code, level) in &cfg.levels {
        let value = match level {
            LevelSetting::Off => "NO",
            LevelSetting::Error => "error",
            LevelSetting::Warning => "warning",
            LevelSetting::Suggestion => "suggestion",
        };
        settings.entry(code.clone()).or_insert_with(|| value.into());
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Generated by Imprimatur from the [style] section of imprimatur.toml."
    );
    let _ = writeln!(
        out,
        "# German packs: {}; English packs: {}.",
        cfg.packs.join(", "),
        cfg.packs_en.join(", ")
    );
    let _ = writeln!(
        out,
        "# House style: address = {}, gender = {}.",
        cfg.address.as_str(),
        cfg.gender.as_str()
    );
    if !imprimatur_only.is_empty() {
        let _ = writeln!(
            out,
            "# Imprimatur-only rules (kind `terminology`), off for Vale: {}.",
            imprimatur_only.join(", ")
        );
    }
    let _ = writeln!(out, "StylesPath = styleguides");
    let _ = writeln!(out, "MinAlertLevel = {}", cfg.min_level.as_str());
    if !cfg.vocab.is_empty() {
        let _ = writeln!(out, "Vocab = {}", cfg.vocab.join(", "));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "[*.md]");
    let _ = writeln!(
        out,
        "BasedOnStyles = {}",
        packs
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (code, value) in &settings {
        let _ = writeln!(out, "{code} = {value}");
    }
    Ok(out)
}

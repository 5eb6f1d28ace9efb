//! `imprimatur.toml`: one section per concern, each owned by the crate that reads it.
//! This crate owns `[workspace]`; the other sections are kept as tables until their
//! crates land, but an unknown section or key is an error that names it and its line.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{io, WorkspaceError, WorkspaceResult};

pub const FILE_NAME: &str = "imprimatur.toml";

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub workspace: WorkspaceSettings,
    // Owned by the checks, knowledge, model and workflow crates as they land.
    /// `[style]`, owned by imprimatur-style: packs, levels, address form, gender convention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<imprimatur_style::StyleConfig>,
    /// `[seo]`, owned by imprimatur-seo (unknown keys are errors there too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seo: Option<imprimatur_seo::SeoConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<toml::Table>,
    /// `[duplicates]`, owned by imprimatur-dup: thresholds, shingle and passage sizes,
    /// the sources a draft is compared with (unknown keys are errors there too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<imprimatur_dup::DupSettings>,
    /// `[models]`, owned by imprimatur-model: providers, routing policy, PII policy, budgets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<imprimatur_model::ModelsConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<toml::Table>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceSettings {
    pub name: String,
    /// The default language of new documents: `de` or `en`.
    #[serde(default = "default_language")]
    pub language: Language,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
}

fn default_language() -> Language {
    Language::De
}

pub(crate) fn default_text(name: &str) -> String {
    format!(
        "# Imprimatur workspace settings. Each section belongs to the part of the app that reads it.\n\
         [workspace]\nname = {}\nlanguage = \"de\"\n",
        toml::Value::String(name.to_string())
    )
}

pub(crate) fn parse(file: &Path, text: &str) -> WorkspaceResult<Settings> {
    let settings: Settings = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        WorkspaceError::Settings {
            file: file.to_path_buf(),
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })?;
    // What serde cannot check: values inside a section (host names in [seo]).
    if let Some(Err(e)) = settings
        .seo
        .as_ref()
        .map(imprimatur_seo::SeoConfig::validate)
    {
        let at = text.find("site_hosts").unwrap_or(0);
        let (line, column) = line_col(text, at);
        return Err(WorkspaceError::Settings {
            file: file.to_path_buf(),
            line,
            column,
            message: e.to_string(),
        });
    }
    // [knowledge] stays a table for imprimatur-knowledge's readers, but its keys are
    // checked here, where the line is known: a typo names itself, its line and the keys.
    if settings.knowledge.is_some() {
        #[derive(Deserialize)]
        struct KnowledgeOnly {
            #[serde(rename = "knowledge")]
            _keys: imprimatur_knowledge::settings::KnowledgeKeys,
        }
        toml::from_str::<KnowledgeOnly>(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            WorkspaceError::Settings {
                file: file.to_path_buf(),
                line,
                column,
                message: format!("[knowledge]: {}", e.message().trim().replace('\n', " ")),
            }
        })?;
    }
    // [models]: every chain names a defined model, each model has what its preset needs.
    if let Some(Err(e)) = settings
        .models
        .as_ref()
        .map(imprimatur_model::ModelsConfig::validate)
    {
        let at = text.find("[models").unwrap_or(0);
        let (line, column) = line_col(text, at);
        return Err(WorkspaceError::Settings {
            file: file.to_path_buf(),
            line,
            column,
            message: e.to_string(),
        });
    }
    Ok(settings)
}

pub(crate) fn load(root: &Path) -> WorkspaceResult<(Settings, String)> {
    let file = root.join(FILE_NAME);
    let text = std::fs::read_to_string(&file).map_err(io(&file))?;
    Ok((parse(&file, &text)?, text))
}

/// Changes one `[workspace]` key in place, keeping the file's comments and layout.
pub(crate) fn set(root: &Path, key: &str, value: &str) -> WorkspaceResult<(String, String)> {
    let file = root.join(FILE_NAME);
    let old = std::fs::read_to_string(&file).map_err(io(&file))?;
    let mut doc: toml_edit::DocumentMut = old.parse().map_err(|e: toml_edit::TomlError| {
        let (line, column) = e.span().map(|s| line_col(&old, s.start)).unwrap_or((1, 1));
        WorkspaceError::Settings {
            file: file.clone(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let field = match key {
        "workspace.name" => "name",
        "workspace.language" => "language",
        _ => return Err(WorkspaceError::UnknownSetting(key.to_string())),
    };
    doc["workspace"][field] = toml_edit::value(value);
    let new = doc.to_string();
    parse(&file, &new)?; // refuse a value that would make the file invalid
    write_atomically(&file, &new)?;
    Ok((old, new))
}

/// Writes via a temporary file and a rename, so a crash leaves the old or the new file, never half of one.
pub(crate) fn write_atomically(file: &Path, text: &str) -> WorkspaceResult<()> {
    let tmp = file.with_extension("toml.tmp");
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    std::fs::rename(&tmp, file).map_err(io(file))
}

pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message `parse` gives for a broken imprimatur.toml.
    fn error_of(text: &str) -> String {
        parse(Path::new("imprimatur.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn an_unknown_key_names_itself_and_its_line() {
        let text = "[workspace]\nname = \"x\"\nlangauge = \"de\"\n";
        let err = parse(Path::new("imprimatur.toml"), text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("line 3"), "{msg}");
        assert!(msg.contains("langauge"), "{msg}");
    }

    #[test]
    fn models_are_typed_and_checked() {
        let ok = "[workspace]\nname = \"x\"\n[models]\ndefault = [\"local\"]\n\
                  [models.providers.local]\npreset = \"ollama\"\nmodel = \"qwen2.5\"\n";
        let s = parse(Path::new("imprimatur.toml"), ok).unwrap();
        assert_eq!(s.models.unwrap().default, vec!["local".to_string()]);
        let typo = "[workspace]\nname = \"x\"\n[models]\ndefualt = []\n";
        let msg = error_of(typo);
        assert!(msg.contains("line 4") && msg.contains("defualt"), "{msg}");
        let dangling = "[workspace]\nname = \"x\"\n[models]\ndefault = [\"gpt\"]\n";
        let msg = error_of(dangling);
        assert!(msg.contains("line 3") && msg.contains("\"gpt\""), "{msg}");
    }

    #[test]
    fn an_unknown_section_is_an_error() {
        let text = "[workspace]\nname = \"x\"\n\n[stlye]\nx = 1\n";
        let msg = error_of(text);
        assert!(msg.contains("line 4") && msg.contains("stlye"), "{msg}");
    }

    #[test]
    fn a_bad_language_is_an_error() {
        let text = "[workspace]\nname = \"x\"\nlanguage = \"fr\"\n";
        let msg = error_of(text);
        assert!(msg.contains("line 3"), "{msg}");
    }

    #[test]
    fn the_seo_section_is_typed() {
        let ok = "[workspace]\nname = \"x\"\n\n[seo]\nsite_hosts = [\"waermewerk-albtal.de\"]\n";
        let s = parse(Path::new("imprimatur.toml"), ok).unwrap();
        assert_eq!(s.seo.unwrap().site_hosts, ["waermewerk-albtal.de"]);
        let typo = "[workspace]\nname = \"x\"\n\n[seo]\nword_form = false\n";
        let msg = error_of(typo);
        assert!(msg.contains("line 5") && msg.contains("word_form"), "{msg}");
        let host = "[workspace]\nname = \"x\"\n[seo]\nsite_hosts = [\"https://x.de/\"]\n";
        let msg = error_of(host);
        assert!(msg.contains("line 4") && msg.contains("host name"), "{msg}");
    }

    #[test]
    fn the_style_section_is_typed() {
        let ok = "[workspace]\nname = \"x\"\n\n[style]\naddress = \"du\"\n[style.levels]\n\"Klartext.Passiv\" = \"off\"\n";
        let s = parse(Path::new("imprimatur.toml"), ok).unwrap();
        assert_eq!(s.style.unwrap().address, imprimatur_style::AddressForm::Du);
        let typo = "[workspace]\nname = \"x\"\n\n[style]\nadress = \"du\"\n";
        let msg = error_of(typo);
        assert!(msg.contains("line 5") && msg.contains("adress"), "{msg}");
    }

    #[test]
    fn the_duplicates_section_is_typed() {
        let ok = "[workspace]\nname = \"x\"\n\n[duplicates]\nnear_duplicate_jaccard = 0.5\nsources = [\"documents\", \"corpus\"]\n";
        let s = parse(Path::new("imprimatur.toml"), ok).unwrap();
        let d = s.duplicates.unwrap();
        assert_eq!(d.near_duplicate_jaccard, 0.5);
        assert_eq!(d.sources.len(), 2);
        let typo = "[workspace]\nname = \"x\"\n\n[duplicates]\nnear_duplicate = 0.5\n";
        let msg = error_of(typo);
        assert!(
            msg.contains("line 5") && msg.contains("near_duplicate"),
            "{msg}"
        );
        let source = "[workspace]\nname = \"x\"\n[duplicates]\nsources = [\"web\"]\n";
        let msg = error_of(source);
        assert!(msg.contains("line 4") && msg.contains("web"), "{msg}");
    }

    #[test]
    fn an_unknown_knowledge_key_names_file_key_line_and_the_valid_keys() {
        let ok = "[workspace]\nname = \"x\"\n\n[knowledge]\nindex = \"qdrant\"\nqdrant_url = \"http://q:6334\"\n";
        let s = parse(Path::new("imprimatur.toml"), ok).unwrap();
        assert_eq!(
            s.knowledge.unwrap()["qdrant_url"].as_str(),
            Some("http://q:6334")
        );
        let typo = "[workspace]\nname = \"x\"\n\n[knowledge]\nindex = \"qdrant\"\nqdrant_ulr = \"http://q:6334\"\n";
        let msg = parse(Path::new("ws/imprimatur.toml"), typo)
            .unwrap_err()
            .to_string();
        for part in [
            "ws/imprimatur.toml",
            "line 6",
            "[knowledge]",
            "qdrant_ulr",
            "qdrant_url",
            "embedder_model",
            "api_key_env",
        ] {
            assert!(msg.contains(part), "{part:?} missing in: {msg}");
        }
    }

    #[test]
    fn the_default_file_parses() {
        let s = parse(Path::new("x"), &default_text("Mein \"Team\"")).unwrap();
        assert_eq!(s.workspace.name, "Mein \"Team\"");
        assert_eq!(s.workspace.language, Language::De);
    }
}

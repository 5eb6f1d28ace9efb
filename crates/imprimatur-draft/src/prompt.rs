//! Versioned prompt templates (`templates/prompts/<id>.toml`): an id and a version that
//! the audit record of every model call names, and a system and user text per language
//! with `{{name}}` placeholders.
//!
//! The app-wide templates are built in; a workspace may override one by putting a file
//! with the same id in its own `templates/prompts/` (give it another version, so the
//! audit record tells them apart).

use std::collections::BTreeMap;
use std::path::Path;

use imprimatur_check::Lang;
use serde::Deserialize;

use crate::error::DraftError;

/// The outline prompt's id.
pub const OUTLINE: &str = "draft-outline";
/// The section prompt's id.
pub const SECTION: &str = "draft-section";

const BUILT_IN: [(&str, &str); 2] = [
    (
        "draft-outline.toml",
        include_str!("../../../templates/prompts/draft-outline.toml"),
    ),
    (
        "draft-section.toml",
        include_str!("../../../templates/prompts/draft-section.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Texts {
    pub system: String,
    pub user: String,
}

/// One prompt template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PromptTemplate {
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    pub de: Texts,
    pub en: Texts,
}

impl PromptTemplate {
    pub fn parse(file: &str, text: &str) -> Result<PromptTemplate, DraftError> {
        toml::from_str(text).map_err(|e| DraftError::Prompt {
            file: file.to_string(),
            message: e.to_string(),
        })
    }

    /// The system and user messages in `lang` with every `{{name}}` replaced by
    /// `vars[name]`; a placeholder without a value becomes empty.
    pub fn render(&self, lang: Lang, vars: &BTreeMap<&str, String>) -> (String, String) {
        let t = match lang {
            Lang::De => &self.de,
            Lang::En => &self.en,
        };
        (fill(&t.system, vars), fill(&t.user, vars))
    }

    /// `(id, version)` as the router's audit record wants it.
    pub fn audit_name(&self) -> (String, String) {
        (self.id.clone(), self.version.clone())
    }
}

fn fill(template: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = after[..close].trim();
                if let Some(v) = vars.get(name) {
                    out.push_str(v);
                }
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// The prompt templates in use: built-in ones, overridden by a workspace's.
#[derive(Debug, Clone)]
pub struct Prompts {
    templates: BTreeMap<String, PromptTemplate>,
}

impl Prompts {
    /// The app-wide templates.
    pub fn built_in() -> Prompts {
        let templates = BUILT_IN
            .iter()
            .map(|(file, text)| {
                let t = PromptTemplate::parse(file, text)
                    .expect("built-in prompt templates parse (tested)");
                (t.id.clone(), t)
            })
            .collect();
        Prompts { templates }
    }

    /// The built-in templates, with those in `dir` (a workspace's `templates/prompts`)
    /// taking precedence by id. A missing folder is not an error.
    pub fn load(dir: &Path) -> Result<Prompts, DraftError> {
        let mut prompts = Prompts::built_in();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(prompts);
        };
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|source| DraftError::Io {
                path: f.display().to_string(),
                source,
            })?;
            // Other prompt files (rewrite, fact check) have other shapes; only those
            // that parse as a draft template with a known id override.
            if let Ok(t) = PromptTemplate::parse(&f.display().to_string(), &text) {
                if BUILT_IN
                    .iter()
                    .any(|(n, _)| n.trim_end_matches(".toml") == t.id)
                {
                    prompts.templates.insert(t.id.clone(), t);
                }
            }
        }
        Ok(prompts)
    }

    pub fn get(&self, id: &str) -> &PromptTemplate {
        self.templates
            .get(id)
            .expect("the draft prompt ids are built in")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_templates_parse_and_render() {
        let p = Prompts::built_in();
        for id in [OUTLINE, SECTION] {
            let t = p.get(id);
            assert_eq!(t.id, id);
            assert!(!t.version.is_empty());
            let mut vars = BTreeMap::new();
            vars.insert("keyphrase", "Wärmepumpe im Altbau".to_string());
            let (system, user) = t.render(Lang::De, &vars);
            assert!(!system.contains("{{"), "{system}");
            assert!(user.contains("Wärmepumpe im Altbau"), "{user}");
        }
    }

    #[test]
    fn unclosed_placeholders_stay() {
        let vars = BTreeMap::from([("a", "x".to_string())]);
        assert_eq!(fill("{{a}} and {{b", &vars), "x and {{b");
    }
}

//! The `[seo]` section of `imprimatur.toml`.

use serde::{Deserialize, Serialize};

/// Settings of the SEO and readability check. Every key is optional.
///
/// ```toml
/// [seo]
/// site_hosts = ["waermewerk-albtal.de"]   # links to these hosts count as internal
/// title_suffix = " – Wärmewerk Albtal"    # appended to SEO titles on result pages
/// word_forms = true                       # match keyphrases across inflection and compounds
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeoConfig {
    /// Hosts whose links count as internal, besides relative links.
    pub site_hosts: Vec<String>,
    /// What the site appends to every SEO title; it counts toward the title's width.
    pub title_suffix: String,
    /// Match the keyphrase across inflection and compounds (see `keyphrase`). Off means
    /// exact word forms, like yoastseo's free build.
    pub word_forms: bool,
}

impl Default for SeoConfig {
    fn default() -> Self {
        SeoConfig {
            site_hosts: Vec::new(),
            title_suffix: String::new(),
            word_forms: true,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SeoConfigError {
    #[error("[seo] site_hosts: {0:?} is not a host name; write it without scheme or path, e.g. \"example.org\"")]
    InvalidHost(String),
}

impl SeoConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            SeoConfigError::InvalidHost(_) => "seo.invalid_host",
        }
    }
}

impl SeoConfig {
    /// Checks what serde cannot: host names without scheme or path.
    pub fn validate(&self) -> Result<(), SeoConfigError> {
        for h in &self.site_hosts {
            if h.is_empty() || h.contains('/') || h.contains(':') || h.contains(char::is_whitespace)
            {
                return Err(SeoConfigError::InvalidHost(h.clone()));
            }
        }
        Ok(())
    }

    /// Whether a link target is on this site: relative, or absolute to one of `site_hosts`.
    pub fn is_internal(&self, url: &str) -> bool {
        match host(url) {
            None => !url.starts_with('#') && !url.contains(':'),
            Some(h) => self.site_hosts.iter().any(|s| {
                h.eq_ignore_ascii_case(s)
                    || h.to_ascii_lowercase() == format!("www.{}", s.to_ascii_lowercase())
            }),
        }
    }

    /// Whether a link leaves the site (http(s) to another host).
    pub fn is_external(&self, url: &str) -> bool {
        host(url).is_some() && !self.is_internal(url)
    }
}

/// The host of an absolute http(s) or protocol-relative URL.
fn host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))?;
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_and_defaults_apply() {
        let cfg: SeoConfig = toml::from_str("site_hosts = [\"waermewerk-albtal.de\"]").unwrap();
        assert!(cfg.word_forms);
        assert!(cfg.is_internal("https://www.waermewerk-albtal.de/foerderung"));
        assert!(cfg.is_internal("/produkte/albair-9"));
        assert!(cfg.is_external("https://www.kfw.de/458"));
        assert!(!cfg.is_internal("mailto:info@example.org"));
        let err = toml::from_str::<SeoConfig>("word_form = false").unwrap_err();
        assert!(err.to_string().contains("word_form"), "{err}");
        let bad = SeoConfig {
            site_hosts: vec!["https://x.de".into()],
            ..SeoConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().code(), "seo.invalid_host");
    }
}

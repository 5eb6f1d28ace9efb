//! The brand voice for the system prompt, made from the style rules that will check the
//! text, so that the rules shape the text too. Deterministic (no model): the same packs
//! and settings give the same summary, and the audit record's prompt hash stays stable.

use imprimatur_check::Lang;
use imprimatur_style::{Level, StyleEngine};

/// One line per rule that checks `lang`, most severe first (errors, warnings, then
/// suggestions; within a level in pack order), at most `max_lines`: the rule file's
/// leading comment (its description) or else its message without the `%s` slots.
///
/// Build the engine with the brief's form of address (`[style] address`) so that only
/// the rules for that form are summarised.
pub fn voice_summary(engine: &StyleEngine, lang: Lang, max_lines: usize) -> String {
    let mut rules: Vec<(usize, &imprimatur_style::Rule)> = engine
        .rules()
        .iter()
        .enumerate()
        .filter(|(i, _)| engine.checks_language(*i, lang))
        .collect();
    // Stable sort: pack order is kept within a level.
    rules.sort_by_key(|(_, r)| std::cmp::Reverse(r.level));
    let mut lines: Vec<String> = Vec::new();
    for (_, rule) in rules {
        if lines.len() >= max_lines {
            break;
        }
        if rule.level < Level::Suggestion {
            continue;
        }
        let description = std::fs::read_to_string(&rule.file)
            .ok()
            .and_then(|t| leading_comment(&t));
        let line = description.unwrap_or_else(|| message_text(&rule.message));
        let line = line.trim().to_string();
        if line.len() < 8 || lines.contains(&line) {
            continue;
        }
        lines.push(line);
    }
    lines
        .iter()
        .map(|l| format!("- {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first sentence of a YAML file's leading `#` comment block.
fn leading_comment(yaml: &str) -> Option<String> {
    let mut text = String::new();
    for line in yaml.lines() {
        let Some(c) = line.strip_prefix('#') else {
            break;
        };
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(c.trim());
    }
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // The first sentence: up to a period followed by a space, not after a digit.
    let mut end = text.len();
    let b = text.as_bytes();
    for i in 1..b.len().saturating_sub(1) {
        if b[i] == b'.' && b[i + 1] == b' ' && !b[i - 1].is_ascii_digit() {
            end = i + 1;
            break;
        }
    }
    Some(text[..end].to_string())
}

/// A rule message with its `'%s'` slots taken out: "Prüfen Sie, ob Sie streichen können."
fn message_text(message: &str) -> String {
    message
        .replace("'%s'", "…")
        .replace("\"%s\"", "…")
        .replace("%s", "…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_comment_sentence() {
        assert_eq!(
            leading_comment("# Wir siezen. Immer.\n# Mehr.\nextends: x\n").as_deref(),
            Some("Wir siezen.")
        );
        assert_eq!(
            leading_comment("# Preise wie 12.490,00 € schreiben.\n").as_deref(),
            Some("Preise wie 12.490,00 € schreiben.")
        );
        assert_eq!(leading_comment("extends: x\n"), None);
    }
}

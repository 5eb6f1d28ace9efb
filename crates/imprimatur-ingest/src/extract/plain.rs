//! Plain text: the file is the text. Paragraphs are runs of non-blank lines; headings are
//! recognised by the conventions of hand-written text files (see [`heading_level`]).

use super::{Block, BlockKind, Extracted, Format, Metadata};

pub(super) fn extract(source: &str) -> Extracted {
    let lines: Vec<(usize, &str)> = source
        .split_inclusive('\n')
        .scan(0, |pos, line| {
            let start = *pos;
            *pos += line.len();
            Some((start, line.trim_end_matches(['\n', '\r'])))
        })
        .collect();
    let mut blocks = Vec::new();
    let mut body: Option<(usize, usize)> = None;
    let flush = |body: &mut Option<(usize, usize)>, blocks: &mut Vec<Block>| {
        if let Some((s, e)) = body.take() {
            blocks.push(Block {
                kind: BlockKind::Body,
                range: s..e,
            });
        }
    };
    let mut seen_text = false;
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush(&mut body, &mut blocks);
            i += 1;
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let range = start + lead..start + lead + trimmed.len();
        let next = lines.get(i + 1).map(|l| l.1);
        if let Some((level, skip)) = heading_level(line, next, !seen_text) {
            flush(&mut body, &mut blocks);
            blocks.push(Block {
                kind: BlockKind::Heading {
                    level,
                    title: trimmed.to_string(),
                },
                range,
            });
            i += 1 + skip;
        } else {
            body = Some(body.map_or((range.start, range.end), |(s, _)| (s, range.end)));
            i += 1;
        }
        seen_text = true;
    }
    flush(&mut body, &mut blocks);
    let title = blocks.iter().find_map(|b| match &b.kind {
        BlockKind::Heading { title, .. } => Some(title.clone()),
        BlockKind::Body => None,
    });
    Extracted {
        format: Format::Text,
        text: source.to_string(),
        blocks,
        meta: Metadata {
            title,
            ..Metadata::default()
        },
        pages: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Whether `line` is a heading, its level and how many following lines belong to it:
/// a line underlined with `===` (1) or `---` (2); an all-capitals first line (1); or a
/// short unindented line without closing punctuation whose following lines are indented,
/// as in `Kontakt\n  Telefon: …` (2).
fn heading_level(line: &str, next: Option<&str>, first: bool) -> Option<(u8, usize)> {
    let trimmed = line.trim();
    let indented = line.starts_with([' ', '\t']);
    if indented || trimmed.chars().count() > 80 {
        return None;
    }
    let next_trimmed = next.map(str::trim).unwrap_or_default();
    if next_trimmed.len() >= 3 {
        if next_trimmed.chars().all(|c| c == '=') {
            return Some((1, 1));
        }
        if next_trimmed.chars().all(|c| c == '-') {
            return Some((2, 1));
        }
    }
    let letters = trimmed.chars().filter(|c| c.is_alphabetic()).count();
    if first && letters >= 4 && !trimmed.chars().any(char::is_lowercase) {
        return Some((1, 0));
    }
    let closes = trimmed.ends_with(['.', ',', ';', ':', '!', '?', ')']);
    let next_indented = next.is_some_and(|n| n.starts_with([' ', '\t']) && !n.trim().is_empty());
    if !closes && letters >= 2 && trimmed.chars().count() <= 60 && next_indented {
        return Some((2, 0));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(x: &Extracted) -> Vec<String> {
        x.blocks
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Heading { level, title } => format!("h{level} {title}"),
                BlockKind::Body => format!("p {}", &x.text[b.range.clone()]),
            })
            .collect()
    }

    #[test]
    fn indented_sections_and_capital_title() {
        let t = "FIRMENDATEN – ÜBERSICHT\nStand: 2026\n\nKontakt\n  Telefon: 0700\n  E-Mail: a@b.example\n\nGarantie\n  5 Jahre.\n";
        let x = extract(t);
        assert_eq!(
            outline(&x),
            [
                "h1 FIRMENDATEN – ÜBERSICHT",
                "p Stand: 2026",
                "h2 Kontakt",
                "p Telefon: 0700\n  E-Mail: a@b.example",
                "h2 Garantie",
                "p 5 Jahre.",
            ]
        );
        assert_eq!(x.meta.title.as_deref(), Some("FIRMENDATEN – ÜBERSICHT"));
    }

    #[test]
    fn setext_headings_and_plain_paragraphs() {
        let t =
            "Wärmepumpen\n===========\n\nEin Absatz\nüber zwei Zeilen.\n\nDetails\n-------\nMehr.";
        assert_eq!(
            outline(&extract(t)),
            [
                "h1 Wärmepumpen",
                "p Ein Absatz\nüber zwei Zeilen.",
                "h2 Details",
                "p Mehr."
            ]
        );
    }
}

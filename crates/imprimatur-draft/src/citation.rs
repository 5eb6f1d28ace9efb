//! Citation markers in model output, and the reference definitions that keep them
//! resolvable in the saved document.
//!
//! A small model cites sloppily: `[1]`, `[1,2]`, `[1][2]`, `[1-3]`, `(1)`, `[Quelle 1]`,
//! `[Source: 2]`, `[^1]`, `[1` (no closing bracket), `1]` (no opening one), `[7]` with
//! three sources, `[0]`. [`parse_citations`] reads all of them: a number that names a
//! retrieved chunk becomes a [`Citation`], a sloppy form is also reported as a
//! [`CitationProblem`] (so the reviewer knows the marker was repaired), and a number out
//! of range is only a problem. It never panics, whatever the text (see the fuzz test).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a cited chunk is: the knowledge source (path relative to `knowledge/`, as the
/// knowledge index and the source view name it) and the chunk's byte offsets in the
/// source's extracted text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct SourceSpan {
    pub path: String,
    pub start: usize,
    pub end: usize,
    /// Headings above the chunk, outermost first (for display).
    pub heading_path: Vec<String>,
}

/// A marker as found in the text, before its numbers are resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RawCitation {
    /// Byte range of the whole marker in the text.
    pub start: usize,
    pub end: usize,
    /// The numbers it names, in order (`[1-3]` names 1, 2, 3).
    pub numbers: Vec<usize>,
    /// False for anything but `[n]` / `[n, m]` / `[n][m]`.
    pub canonical: bool,
}

/// A resolved citation: which retrieved chunk a marker names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Citation {
    /// The number as the model wrote it (1-based index into the retrieved chunks).
    pub number: usize,
    /// Byte range of the marker in the text (several citations share it for `[1,2]`).
    pub start: usize,
    pub end: usize,
    pub source: SourceSpan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CitationProblemKind {
    /// The number names no retrieved chunk (`[7]` of three, `[0]`): dropped.
    OutOfRange,
    /// A sloppy form that was understood and repaired (`(1)`, `[Quelle 1]`, `[1`, `1]`).
    Repaired,
    /// The model cited nothing here; the marker was added because the sentence repeats
    /// a figure or a run of words of that source (see `generate::attribute`).
    Attributed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CitationProblem {
    pub kind: CitationProblemKind,
    /// Byte range of the marker in the text.
    pub start: usize,
    pub end: usize,
    /// The marker as written.
    pub marker: String,
    pub message: String,
}

/// Prefix words a model puts inside a marker (`[Quelle 1]`, `(Source: 2)`), lowercase.
const PREFIXES: [&str; 9] = [
    "quellen", "quelle", "sources", "source", "ref.", "ref", "nr.", "#", "^",
];

/// The largest number taken for a citation in parentheses: `(2026)` is a year.
const MAX_PAREN_NUMBER: usize = 50;

/// Finds every citation marker in `text` and resolves it against `retrieved`
/// (`[1]` is `retrieved[0]`). Returns the citations in text order and the problems.
pub fn parse_citations(
    text: &str,
    retrieved: &[SourceSpan],
) -> (Vec<Citation>, Vec<CitationProblem>) {
    let mut citations = Vec::new();
    let mut problems = Vec::new();
    for raw in find_markers(text) {
        let marker = &text[raw.start..raw.end];
        if !raw.canonical {
            problems.push(CitationProblem {
                kind: CitationProblemKind::Repaired,
                start: raw.start,
                end: raw.end,
                marker: marker.to_string(),
                message: format!(
                    "the citation {marker:?} is not written as [n]; it was read as {}",
                    raw.numbers
                        .iter()
                        .map(|n| format!("[{n}]"))
                        .collect::<String>()
                ),
            });
        }
        for &n in &raw.numbers {
            match n.checked_sub(1).and_then(|i| retrieved.get(i)) {
                Some(source) => citations.push(Citation {
                    number: n,
                    start: raw.start,
                    end: raw.end,
                    source: source.clone(),
                }),
                None => problems.push(CitationProblem {
                    kind: CitationProblemKind::OutOfRange,
                    start: raw.start,
                    end: raw.end,
                    marker: marker.to_string(),
                    message: format!(
                        "the citation [{n}] names no source: {} source(s) were given; the marker is dropped",
                        retrieved.len()
                    ),
                }),
            }
        }
    }
    (citations, problems)
}

/// Every citation marker in `text`, in order, not overlapping.
pub fn find_markers(text: &str) -> Vec<RawCitation> {
    let bytes = text.as_bytes();
    let mut out: Vec<RawCitation> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'[' || c == b'(' {
            if let Some(m) = bracketed(text, i) {
                i = m.end;
                push_merged(&mut out, m, text);
                continue;
            }
        } else if c == b']' {
            // `1]`: digits right before a closing bracket that no `[` opened.
            if let Some(m) = unopened(text, i, out.last().map_or(0, |m| m.end)) {
                push_merged(&mut out, m, text);
            }
        }
        i += 1;
    }
    out
}

/// `[1][2]` is one marker naming 1 and 2.
fn push_merged(out: &mut Vec<RawCitation>, m: RawCitation, _text: &str) {
    if let Some(last) = out.last_mut() {
        if last.end == m.start && last.canonical && m.canonical {
            last.end = m.end;
            last.numbers.extend(m.numbers);
            return;
        }
    }
    out.push(m);
}

/// A marker opening at `start` (`[` or `(`), if the text there is one.
fn bracketed(text: &str, start: usize) -> Option<RawCitation> {
    let open = text.as_bytes()[start];
    let close = if open == b'[' { b']' } else { b')' };
    // Reference definitions (`[1]: knowledge/…` at a line start) are not citations.
    let line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
    let rest = &text[start + 1..];
    // A marker is short and on one line.
    let window_end = rest
        .char_indices()
        .take(32)
        .find(|&(_, ch)| ch == '\n' || ch as u32 == close as u32)
        .map(|(j, ch)| (j, ch == close as char));
    match window_end {
        Some((j, true)) => {
            let inner = &rest[..j];
            let end = start + 1 + j + 1;
            let after = &text[end..];
            if open == b'[' && (after.starts_with('(') || (line_start && after.starts_with(':'))) {
                return None; // a Markdown link or a reference definition
            }
            let Some((numbers, prefixed)) = numbers_in(inner) else {
                let digits = inner.trim();
                if open == b'[' && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                {
                    // `[99999999]`: meant as a citation, names no source (flagged as out of
                    // range, dropped from the document) instead of staying in the text.
                    return Some(RawCitation {
                        start,
                        end,
                        numbers: vec![digits.parse().unwrap_or(usize::MAX)],
                        canonical: true,
                    });
                }
                if open == b'[' && inner.contains('[') {
                    // `[1 laut Liste … [7]`: the `]` closes a later marker; this one is
                    // an unclosed `[1`.
                    return unclosed(text, start);
                }
                return None;
            };
            let canonical = open == b'['
                && !prefixed
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b',' || b == b' ');
            if open == b'(' && !prefixed && numbers.iter().any(|&n| n > MAX_PAREN_NUMBER) {
                return None;
            }
            Some(RawCitation {
                start,
                end,
                numbers,
                canonical,
            })
        }
        _ if open == b'[' => unclosed(text, start),
        _ => None,
    }
}

/// `[1` without its `]` at `start`: the digits right after the bracket, when a space,
/// punctuation or the end follows them (`[2026er` is a word).
fn unclosed(text: &str, start: usize) -> Option<RawCitation> {
    let rest = &text[start + 1..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 || rest[digits..].starts_with(char::is_alphanumeric) {
        return None;
    }
    let n: usize = rest[..digits].parse().ok()?;
    Some(RawCitation {
        start,
        end: start + 1 + digits,
        numbers: vec![n],
        canonical: false,
    })
}

/// `2]` with no opening bracket: digits before `]` at `close`, preceded by a space or
/// the start, not inside an earlier marker.
fn unopened(text: &str, close: usize, not_before: usize) -> Option<RawCitation> {
    let bytes = text.as_bytes();
    let mut s = close;
    while s > not_before && bytes[s - 1].is_ascii_digit() {
        s -= 1;
    }
    if s == close || close - s > 4 {
        return None;
    }
    if s > 0 && !(bytes[s - 1] == b' ' || bytes[s - 1] == b'\n') {
        return None;
    }
    // Is there an unclosed `[` earlier on the line? Then it is not unopened.
    let line = &text[text[..s].rfind('\n').map_or(0, |p| p + 1)..s];
    if line.rfind('[') > line.rfind(']') {
        return None;
    }
    let n: usize = text[s..close].parse().ok()?;
    Some(RawCitation {
        start: s,
        end: close + 1,
        numbers: vec![n],
        canonical: false,
    })
}

/// The numbers inside a marker: `1`, `1, 2`, `1-3`, `Quelle 1`, `Source: 2 and 3`.
/// Returns whether a prefix word was present; `None` when it is not a marker.
fn numbers_in(inner: &str) -> Option<(Vec<usize>, bool)> {
    let mut s = inner.trim();
    let lower = s.to_lowercase();
    let mut prefixed = false;
    for p in PREFIXES {
        if lower.starts_with(p) && s.is_char_boundary(p.len()) {
            s = s[p.len()..].trim_start_matches([':', ' ', '\u{a0}']);
            prefixed = true;
            break;
        }
    }
    if s.is_empty() {
        return None;
    }
    let mut numbers = Vec::new();
    let mut range_from: Option<usize> = None;
    for token in s
        .split_inclusive([',', ';', ' ', '-', '–'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let (word, sep) = match token.char_indices().last() {
            Some((j, ch)) if matches!(ch, ',' | ';' | '-' | '–') => (&token[..j], Some(ch)),
            _ => (token, None),
        };
        let word = word.trim();
        if word.is_empty() {
            if matches!(sep, Some('-' | '–')) {
                range_from = numbers.last().copied();
            }
            continue;
        }
        if matches!(word.to_lowercase().as_str(), "und" | "and" | "&") {
            continue;
        }
        if word.len() > 4 || !word.bytes().all(|b| b.is_ascii_digit()) {
            return None; // words: not a citation (`[siehe oben]`, `(2026er Modell)`)
        }
        let n: usize = word.parse().ok()?;
        match range_from.take() {
            // A range is expanded only when it is short; `[1-999]` is nonsense.
            Some(from) if n > from && n - from <= 10 => numbers.extend(from + 1..=n),
            _ => numbers.push(n),
        }
        if matches!(sep, Some('-' | '–')) {
            range_from = Some(n);
        }
    }
    if numbers.is_empty() {
        None
    } else {
        Some((numbers, prefixed))
    }
}

/// A reference definition at the end of a draft:
/// `[3]: knowledge/faq.md#bytes=120-480 "FAQ › Förderung"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reference {
    pub number: usize,
    pub source: SourceSpan,
    /// Byte range of the definition line in the document.
    pub line_start: usize,
    pub line_end: usize,
}

/// The folder knowledge paths are relative to, as written in reference definitions.
pub const KNOWLEDGE_DIR: &str = "knowledge/";

/// One reference definition line (without newline).
pub fn render_reference(number: usize, source: &SourceSpan) -> String {
    let title = source.heading_path.join(" › ").replace('"', "'");
    let mut line = format!(
        "[{number}]: {KNOWLEDGE_DIR}{}#bytes={}-{}",
        source.path.replace(' ', "%20"),
        source.start,
        source.end
    );
    if !title.is_empty() {
        line.push_str(&format!(" \"{title}\""));
    }
    line
}

/// Every reference definition `[n]: knowledge/PATH#bytes=A-B "…"` in `markdown`: what
/// the `[n]` citations of a saved document resolve to. Lines in another form are
/// ignored.
pub fn references(markdown: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in markdown.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let l = line.trim_end();
        let Some(rest) = l.strip_prefix('[') else {
            continue;
        };
        let Some((num, rest)) = rest.split_once("]: ") else {
            continue;
        };
        let Ok(number) = num.parse::<usize>() else {
            continue;
        };
        let (target, title) = match rest.split_once(' ') {
            Some((t, title)) => (t, title.trim().trim_matches('"')),
            None => (rest, ""),
        };
        let Some(path) = target.strip_prefix(KNOWLEDGE_DIR) else {
            continue;
        };
        let Some((path, range)) = path.rsplit_once("#bytes=") else {
            continue;
        };
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (Ok(a), Ok(b)) = (a.parse(), b.parse()) else {
            continue;
        };
        out.push(Reference {
            number,
            source: SourceSpan {
                path: path.replace("%20", " "),
                start: a,
                end: b,
                heading_path: if title.is_empty() {
                    Vec::new()
                } else {
                    title.split(" › ").map(String::from).collect()
                },
            },
            line_start: start,
            line_end: start + l.len(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(n: usize) -> Vec<SourceSpan> {
        (0..n)
            .map(|i| SourceSpan {
                path: format!("s{i}.md"),
                start: i * 10,
                end: i * 10 + 5,
                heading_path: vec![],
            })
            .collect()
    }

    fn numbers(text: &str, n: usize) -> Vec<usize> {
        parse_citations(text, &spans(n))
            .0
            .iter()
            .map(|c| c.number)
            .collect()
    }

    #[test]
    fn canonical_markers_resolve_without_problems() {
        let t = "Die AlbAir 9 kostet 12.490 € [1]. Sie ist leise [2][3] und effizient [1, 2].";
        let (c, p) = parse_citations(t, &spans(3));
        assert_eq!(
            c.iter().map(|c| c.number).collect::<Vec<_>>(),
            [1, 2, 3, 1, 2]
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(&t[c[0].start..c[0].end], "[1]");
        assert_eq!(&t[c[1].start..c[1].end], "[2][3]");
        assert_eq!(c[0].source.path, "s0.md");
    }

    #[test]
    fn sloppy_forms_are_repaired_and_flagged() {
        for (text, want) in [
            ("Satz (1).", vec![1]),
            ("Satz [Quelle 2].", vec![2]),
            ("Satz [Quellen 1, 2].", vec![1, 2]),
            ("Sentence [Source: 3].", vec![3]),
            ("Satz [1-3].", vec![1, 2, 3]),
            ("Satz [1; 2].", vec![1, 2]),
            ("Satz [^2].", vec![2]),
            ("Satz [2 und 3].", vec![2, 3]),
            ("Satz [1 ohne Klammer", vec![1]),
            ("Satz 2] ohne Klammer", vec![2]),
        ] {
            let (c, p) = parse_citations(text, &spans(3));
            assert_eq!(
                c.iter().map(|c| c.number).collect::<Vec<_>>(),
                want,
                "{text}"
            );
            assert!(
                p.iter().any(|p| p.kind == CitationProblemKind::Repaired),
                "{text}: {p:?}"
            );
        }
    }

    #[test]
    fn out_of_range_numbers_are_problems_not_citations() {
        let (c, p) = parse_citations("A [7]. B [0]. C [2].", &spans(3));
        assert_eq!(c.iter().map(|c| c.number).collect::<Vec<_>>(), [2]);
        assert_eq!(
            p.iter()
                .filter(|p| p.kind == CitationProblemKind::OutOfRange)
                .count(),
            2
        );
        // No sources at all: every marker is a problem.
        let (c, p) = parse_citations("A [1].", &[]);
        assert!(c.is_empty());
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn links_years_and_words_are_not_citations() {
        assert!(numbers("Ein [Link](https://x.de) und\n[1]: knowledge/a.md", 3).is_empty());
        assert!(numbers("Seit (2012) und (2026) [siehe oben] [x]", 60).is_empty());
        assert!(numbers("Preis 1.299,00 € (netto) am 3. März", 3).is_empty());
    }

    #[test]
    fn references_round_trip() {
        let s = SourceSpan {
            path: "produkte/albair 9.md".into(),
            start: 120,
            end: 480,
            heading_path: vec!["AlbAir 9".into(), "Preise".into()],
        };
        let doc = format!("Text [1].\n\n{}\n", render_reference(1, &s));
        let refs = references(&doc);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].number, 1);
        assert_eq!(refs[0].source, s);
        // The definition line is not itself a citation.
        assert_eq!(numbers(&doc, 1), [1]);
    }

    /// Fuzz: random mixes of brackets, digits, words, separators and multibyte text
    /// never panic, and every result points at valid bytes of the text.
    #[test]
    fn never_panics_on_sloppy_output() {
        let atoms = [
            "[",
            "]",
            "(",
            ")",
            "1",
            "2",
            "9",
            "0",
            "12",
            "99999999999999999999999",
            ",",
            ";",
            "-",
            "–",
            " ",
            "\n",
            "Quelle",
            "Source:",
            "^",
            "ü",
            "€",
            "Wärme",
            "und",
            ":",
            "#",
            "[1](",
            "]:",
            "\u{a0}",
            "🙂",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let len = rng.usize(0..24);
            let text: String = (0..len).map(|_| atoms[rng.usize(..atoms.len())]).collect();
            let n = rng.usize(0..5);
            let (c, p) = parse_citations(&text, &spans(n));
            for c in &c {
                assert!(c.start < c.end && c.end <= text.len(), "{text:?}");
                assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
                assert!((1..=n).contains(&c.number), "{text:?}");
            }
            for p in &p {
                assert!(p.start < p.end && p.end <= text.len(), "{text:?}");
                assert!(text.is_char_boundary(p.start) && text.is_char_boundary(p.end));
            }
            let _ = references(&text);
        }
    }
}

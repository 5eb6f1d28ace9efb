//! Word tokens for comparison: the same word written differently gives the same token.
//!
//! German and English text is folded so that spelling variants compare equal: case,
//! umlauts and ß against their transliterations ("Straße" = "STRASSE", "Wärme" =
//! "Waerme"), common Latin accents, soft hyphens, hyphenation at a line break
//! ("Wärme-\npumpe" = "Wärmepumpe"), hyphenated compounds ("E-Mail" = "EMail") and
//! apostrophes inside words. Punctuation separates words. Each token keeps the byte range
//! of the original text it came from, so evidence maps back to exact spans.

use std::ops::Range;

/// One word: where it is in the original text and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Range<usize>,
    pub norm: String,
}

/// A soft hyphen: invisible, marks a possible break inside a word.
const SOFT_HYPHEN: char = '\u{00AD}';

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Appends the folded form of `c` to `out`.
fn fold_into(c: char, out: &mut String) {
    match c {
        'ä' | 'Ä' => out.push_str("ae"),
        'ö' | 'Ö' => out.push_str("oe"),
        'ü' | 'Ü' => out.push_str("ue"),
        'ß' | 'ẞ' => out.push_str("ss"),
        'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => out.push('a'),
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => out.push('e'),
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => out.push('i'),
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => out.push('o'),
        'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => out.push('u'),
        'ç' | 'Ç' => out.push('c'),
        'ñ' | 'Ñ' => out.push('n'),
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => out.extend(c.to_lowercase()),
    }
}

/// The folded form of a single word or phrase (no tokenisation), e.g. for word lists.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != SOFT_HYPHEN {
            fold_into(c, &mut out);
        }
    }
    out
}

/// After a hyphen at byte `i` (of length `hlen`): the offset where the word continues,
/// if the hyphen joins two parts of one word — directly ("E-Mail") or across a line
/// break with optional indentation ("Wärme-\n  pumpe", only before a lower-case letter,
/// since "Nord-\nOst" may as well be a list).
fn hyphen_continuation(text: &str, i: usize, hlen: usize) -> Option<usize> {
    let rest = &text[i + hlen..];
    let first = rest.chars().next()?;
    if is_word_char(first) {
        return Some(i + hlen);
    }
    if first == '\n' || first == '\r' {
        let trimmed = rest.trim_start_matches([' ', '\t', '\r']);
        let trimmed = trimmed.strip_prefix('\n').unwrap_or(trimmed);
        let trimmed = trimmed.trim_start_matches([' ', '\t']);
        let skipped = rest.len() - trimmed.len();
        // Only one line break: a blank line ends the paragraph.
        if rest[..skipped].matches('\n').count() <= 1 {
            if let Some(c) = trimmed.chars().next() {
                if c.is_lowercase() {
                    return Some(i + hlen + skipped);
                }
            }
        }
    }
    None
}

/// The words of `text`, folded, with their byte ranges in `text`.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut iter = text.char_indices().peekable();
    let mut current: Option<Token> = None;
    while let Some((i, c)) = iter.next() {
        if is_word_char(c) {
            let tok = current.get_or_insert_with(|| Token {
                span: i..i,
                norm: String::new(),
            });
            fold_into(c, &mut tok.norm);
            tok.span.end = i + c.len_utf8();
            continue;
        }
        if let Some(tok) = current.as_mut() {
            if c == SOFT_HYPHEN {
                continue;
            }
            if is_hyphen(c) {
                if let Some(next) = hyphen_continuation(text, i, c.len_utf8()) {
                    while iter.peek().is_some_and(|&(j, _)| j < next) {
                        iter.next();
                    }
                    continue;
                }
            }
            if is_apostrophe(c) && iter.peek().is_some_and(|&(_, n)| is_word_char(n)) {
                continue;
            }
            // Decimal and thousands separators inside numbers: "2,5", "1.299".
            if matches!(c, '.' | ',')
                && tok.norm.chars().last().is_some_and(|l| l.is_ascii_digit())
                && iter.peek().is_some_and(|&(_, n)| n.is_ascii_digit())
            {
                tok.norm.push(c);
                continue;
            }
            out.push(current.take().expect("checked above"));
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn umlauts_and_sharp_s_fold_to_their_transliterations() {
        assert_eq!(norms("Straße"), norms("STRASSE"));
        assert_eq!(norms("Wärme Öl Übung"), norms("waerme oel uebung"));
        assert_eq!(norms("Café"), vec!["cafe"]);
    }

    #[test]
    fn hyphenation_soft_hyphens_and_compounds_join() {
        assert_eq!(norms("Wärme-\npumpe"), vec!["waermepumpe"]);
        assert_eq!(
            norms("Wärme-\n   pumpe läuft"),
            vec!["waermepumpe", "laeuft"]
        );
        assert_eq!(norms("Wär\u{ad}me\u{ad}pum\u{ad}pe"), vec!["waermepumpe"]);
        assert_eq!(norms("E-Mail"), norms("EMail"));
        // A dash between words and a hyphen before a capital on the next line stay apart.
        assert_eq!(norms("Nord - Süd"), vec!["nord", "sued"]);
        assert_eq!(norms("Nord-\nOst"), vec!["nord", "ost"]);
        assert_eq!(norms("Ende-\n\nneu"), vec!["ende", "neu"]);
    }

    #[test]
    fn punctuation_separates_and_numbers_keep_separators() {
        assert_eq!(
            norms("Hallo, Welt! Der Preis: 1.299,50 €. Don't."),
            vec!["hallo", "welt", "der", "preis", "1.299,50", "dont"]
        );
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "Die Wärme-\npumpe, bitte.";
        let t = tokens(text);
        assert_eq!(&text[t[0].span.clone()], "Die");
        assert_eq!(&text[t[1].span.clone()], "Wärme-\npumpe");
        assert_eq!(&text[t[2].span.clone()], "bitte");
    }
}

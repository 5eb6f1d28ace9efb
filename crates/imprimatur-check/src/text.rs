//! Words and sentences of prose, German-aware: abbreviations (z. B., bzw., ca., Nr.),
//! ordinals and dates (3. März 2026), and decimal numbers (1.299,00 €) do not end a sentence.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::front_matter::Lang;

/// Words (letters or digits, with inner hyphens and apostrophes), as byte ranges.
pub fn words(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    text.unicode_word_indices()
        .map(|(i, w)| (i..i + w.len(), w))
}

const ABBREVIATIONS_DE: &[&str] = &[
    "z", "B", "bzw", "ca", "Nr", "usw", "etc", "d", "h", "u", "a", "Dr", "Prof", "Hr", "Fr",
    "inkl", "zzgl", "ggf", "evtl", "vgl", "S", "Abb", "max", "min", "mind", "bspw", "sog", "Str",
    "Tel", "Mio", "Mrd", "Jh", "Jan", "Feb", "Mär", "Apr", "Aug", "Sep", "Sept", "Okt", "Nov",
    "Dez", "o", "ä", "v", "Chr", "gem", "lt", "zB", "Mo", "Di", "Mi", "Do", "Sa", "So", "St",
    "geb", "i", "e", "Std", "Min", "Abs", "Art", "Kap", "Hrsg",
];
const ABBREVIATIONS_EN: &[&str] = &[
    "e", "g", "i", "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "vs", "etc", "approx", "No", "Jan",
    "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Inc", "Ltd",
    "Co", "Corp", "U", "S", "fig", "Fig", "p", "pp", "incl",
];

/// Sentences as byte ranges of `text`, trimmed of surrounding white space. A blank line
/// (block boundary in prose) always ends a sentence.
pub fn sentences(text: &str, lang: Lang) -> Vec<Range<usize>> {
    let abbreviations = match lang {
        Lang::De => ABBREVIATIONS_DE,
        Lang::En => ABBREVIATIONS_EN,
    };
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some(ch) = text[i..].chars().next() else {
            break;
        };
        let clen = ch.len_utf8();
        if ch == '\n' && bytes.get(i + 1) == Some(&b'\n') {
            push_trimmed(text, start, i, &mut out);
            start = i;
            i += 1;
            continue;
        }
        if matches!(ch, '.' | '!' | '?' | '…') {
            // Swallow closing quotes and brackets and repeated punctuation.
            let mut j = i + clen;
            while let Some(next) = text[j..].chars().next() {
                if matches!(
                    next,
                    '.' | '!' | '?' | '…' | '"' | '\'' | ')' | '“' | '”' | '«' | '»' | '‘' | '’'
                ) {
                    j += next.len_utf8();
                } else {
                    break;
                }
            }
            let next_is_space = j >= bytes.len() || text[j..].starts_with(char::is_whitespace);
            if next_is_space && !is_abbreviation_or_number(text, i, j, abbreviations) {
                push_trimmed(text, start, j, &mut out);
                start = j;
            }
            i = j;
            continue;
        }
        i += clen;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, s: usize, e: usize, out: &mut Vec<Range<usize>>) {
    let piece = &text[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(s + lead..e - trail);
    }
}

/// Whether the period at `dot` belongs to an abbreviation, an ordinal or a number rather
/// than ending a sentence.
fn is_abbreviation_or_number(text: &str, dot: usize, after: usize, abbreviations: &[&str]) -> bool {
    if text.as_bytes()[dot] != b'.' {
        return false;
    }
    let before = &text[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '(' | '"' | '„' | '“'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    // Single letters and known abbreviations: "z.", "B.", "bzw.", "Nr.".
    let last_part = word.rsplit('.').next().unwrap_or(word);
    if abbreviations.contains(&last_part) {
        return true;
    }
    // An ordinal or a date: "3. März", "1. Januar 2026", "15. 3.": digits followed by
    // a lower-case word or a month or another number.
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == '.') && word.len() <= 4 {
        let next: String = text[after..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        let first = next.chars().next();
        if next.is_empty()
            || first.is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
            || MONTHS.iter().any(|m| next.starts_with(m))
        {
            return true;
        }
    }
    false
}

const MONTHS: &[&str] = &[
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
    "Jänner",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Vec<&str> {
        sentences(t, Lang::De).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn german_abbreviations_dates_and_prices_do_not_split() {
        let t = "Die Förderung beträgt z. B. 30 % bzw. bis zu 21.000 €. Ab dem 3. März 2026 gilt das. Der Preis: 1.299,00 € inkl. Montage! Fertig?";
        assert_eq!(
            split(t),
            [
                "Die Förderung beträgt z. B. 30 % bzw. bis zu 21.000 €.",
                "Ab dem 3. März 2026 gilt das.",
                "Der Preis: 1.299,00 € inkl. Montage!",
                "Fertig?"
            ]
        );
    }

    #[test]
    fn blank_lines_end_sentences_and_quotes_stay_attached() {
        let t = "Überschrift ohne Punkt\n\nEr sagte: „Das ist leise.“ Dann ging er.";
        assert_eq!(
            split(t),
            [
                "Überschrift ohne Punkt",
                "Er sagte: „Das ist leise.“",
                "Dann ging er."
            ]
        );
    }

    #[test]
    fn words_keep_umlauts_and_inner_hyphens() {
        let w: Vec<&str> = words("Die Altbau-Wärmepumpe läuft 24/7.")
            .map(|(_, w)| w)
            .collect();
        assert_eq!(w, ["Die", "Altbau", "Wärmepumpe", "läuft", "24", "7"]);
    }
}

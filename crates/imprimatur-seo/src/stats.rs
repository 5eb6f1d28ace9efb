//! Readability formulas: Flesch reading ease (Amstad's German version, the original for
//! English), the first Wiener Sachtextformel, and LIX, from syllable counts.

use imprimatur_check::Lang;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Counts of a text that the formulas need, and the formulas' values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct TextStats {
    pub words: u32,
    pub sentences: u32,
    pub syllables: u32,
    /// Words with three or more syllables.
    pub polysyllables: u32,
    pub monosyllables: u32,
    /// Words longer than six letters (LIX and Wiener Sachtextformel).
    pub long_words: u32,
    pub flesch_reading_ease: f64,
    /// German school grade (4 = very easy … 15 = very hard); `None` for English.
    pub wiener_sachtextformel: Option<f64>,
    pub lix: f64,
}

/// Syllables of one word: groups of vowels (German diphthongs ei, ie, au, eu, äu are one
/// group by construction), with English silent-e rules. Words without vowels
/// (abbreviations, numbers) count as one.
pub fn syllables(word: &str, lang: Lang) -> u32 {
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if w.is_empty() {
        return 1;
    }
    let vowel = |c: char| match lang {
        Lang::De => matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'ä' | 'ö' | 'ü' | 'y'),
        Lang::En => matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'),
    };
    let mut count = 0u32;
    let mut prev = false;
    for &c in &w {
        let v = vowel(c);
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    if lang == Lang::En && count > 1 {
        let n = w.len();
        let ends = |s: &str| {
            let s: Vec<char> = s.chars().collect();
            n >= s.len() && w[n - s.len()..] == s[..]
        };
        let consonant_before = |k: usize| n > k && !vowel(w[n - 1 - k]);
        // Silent final e ("make", "stone"), but not "-le" after a consonant ("table");
        // silent "-ed" except after t/d ("jumped", "wanted"); silent "-es" except after
        // sibilants ("makes", "boxes").
        let silent_e =
            ends("e") && !(ends("le") && n > 2 && !vowel(w[n - 3])) && consonant_before(1);
        let silent_ed =
            ends("ed") && n > 2 && !matches!(w[n - 3], 't' | 'd') && consonant_before(2);
        let silent_es = ends("es")
            && n > 3
            && !matches!(w[n - 3], 's' | 'x' | 'z' | 'c' | 'g' | 'h')
            && consonant_before(2);
        if silent_e || silent_ed || silent_es {
            count -= 1;
        }
    }
    count.max(1)
}

/// The formulas over words (with letters) and a sentence count.
pub fn text_stats<'a>(
    words: impl Iterator<Item = &'a str>,
    sentences: u32,
    lang: Lang,
) -> TextStats {
    let mut s = TextStats {
        sentences,
        ..TextStats::default()
    };
    for w in words {
        if !w.chars().any(char::is_alphabetic) {
            continue;
        }
        let syl = syllables(w, lang);
        s.words += 1;
        s.syllables += syl;
        if syl >= 3 {
            s.polysyllables += 1;
        }
        if syl == 1 {
            s.monosyllables += 1;
        }
        if w.chars().filter(|c| c.is_alphabetic()).count() > 6 {
            s.long_words += 1;
        }
    }
    if s.words == 0 || s.sentences == 0 {
        return s;
    }
    let words = f64::from(s.words);
    let asl = words / f64::from(s.sentences);
    let asw = f64::from(s.syllables) / words;
    let fre = match lang {
        // Amstad (1978): 180 − ASL − 58.5 × ASW.
        Lang::De => 180.0 - asl - 58.5 * asw,
        // Flesch (1948): 206.835 − 1.015 × ASL − 84.6 × ASW.
        Lang::En => 206.835 - 1.015 * asl - 84.6 * asw,
    };
    s.flesch_reading_ease = round1(fre.clamp(0.0, 100.0));
    s.lix = round1(asl + 100.0 * f64::from(s.long_words) / words);
    if lang == Lang::De {
        // First Wiener Sachtextformel (Bamberger & Vanecek 1984).
        let ms = 100.0 * f64::from(s.polysyllables) / words;
        let iw = 100.0 * f64::from(s.long_words) / words;
        let es = 100.0 * f64::from(s.monosyllables) / words;
        s.wiener_sachtextformel = Some(round1(
            0.1935 * ms + 0.1672 * asl + 0.1297 * iw - 0.0327 * es - 0.875,
        ));
    }
    s
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_syllables() {
        for (w, n) in [
            ("Wärmepumpe", 4),
            ("Heizung", 2),
            ("Altbau", 2),
            ("Vorlauftemperatur", 6),
            ("Haus", 1),
            ("Eigentümer", 4),
            ("AlbAir", 2),
        ] {
            assert_eq!(syllables(w, Lang::De), n, "{w}");
        }
    }

    #[test]
    fn english_syllables() {
        for (w, n) in [
            ("make", 1),
            ("table", 2),
            ("jumped", 1),
            ("wanted", 2),
            ("boxes", 2),
            ("makes", 1),
            ("reading", 2),
            ("the", 1),
        ] {
            assert_eq!(syllables(w, Lang::En), n, "{w}");
        }
    }

    #[test]
    fn amstad_flesch_on_a_simple_german_text() {
        let text = "Die Sonne scheint. Der Hund bellt laut. Wir gehen heute in den Park.";
        let words: Vec<&str> = text.split_whitespace().collect();
        let s = text_stats(words.iter().copied(), 3, Lang::De);
        assert_eq!(s.words, 13);
        // ASL 4.33, ASW 16/13: 180 − 4.33 − 72.0 = 103.7, clamped to 100.
        assert_eq!(s.flesch_reading_ease, 100.0);
        assert!(s.wiener_sachtextformel.unwrap() < 4.0);
    }
}

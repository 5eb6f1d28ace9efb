//! Keyphrase matching across word forms.
//!
//! **The rule.** A keyphrase is reduced to its *content words* (its words minus the
//! language's function words; "Wärmepumpe im Altbau" → `Wärmepumpe`, `Altbau`). Every
//! word, in the keyphrase and in the text, gets a *key*: lower case, Snowball-stemmed
//! (German or English, `rust-stemmers`), umlauts folded (ä→a, ö→o, ü→u, ß→ss). A text
//! word matches a content word when
//! 1. their keys are equal (Wärmepumpe, Wärmepumpen, Wärmepumpe**n** → `warmepump`), or
//! 2. German only, *compounds*: the content word's key has at least 4 letters and the
//!    text word's key begins or ends with it: "Altbauwärmepumpe" (`altbauwarmepump`)
//!    matches both `altbau` and `warmepump`; "Wärmepumpentausch" matches `warmepump`.
//!    Hyphenated compounds ("Altbau-Wärmepumpe") are two words already.
//!
//! A keyphrase occurs in a sentence when every content word matches a word of that
//! sentence, in any order; it occurs as often as its rarest content word does. So
//! "Wärmepumpen im Altbau" and "Altbau-Wärmepumpe" both count for "Wärmepumpe im Altbau".
//!
//! With `word_forms` off, keys are the lower-cased words themselves: yoastseo's free
//! build behaves like that, and the comparison harness uses it to tell word-form
//! improvements from real disagreements.

use rust_stemmers::{Algorithm, Stemmer};

use imprimatur_check::{text, Lang};

use crate::lexicon::Lexicon;

/// Turns words into match keys for one language.
pub struct WordKeys {
    lang: Lang,
    stemmer: Stemmer,
    word_forms: bool,
}

/// A keyphrase or synonym: its words and the keys of its content words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub text: String,
    /// All words, lower case, in order (for exact matches in the title).
    pub words: Vec<String>,
    /// Keys of the content words.
    pub terms: Vec<String>,
}

impl WordKeys {
    pub fn new(lang: Lang, word_forms: bool) -> WordKeys {
        let algorithm = match lang {
            Lang::De => Algorithm::German,
            Lang::En => Algorithm::English,
        };
        WordKeys {
            lang,
            stemmer: Stemmer::create(algorithm),
            word_forms,
        }
    }

    pub fn key(&self, word: &str) -> String {
        let lower = word.to_lowercase().replace(['’', '\''], "");
        if !self.word_forms {
            return lower;
        }
        fold(&self.stemmer.stem(&lower))
    }

    pub fn phrase(&self, text: &str) -> Phrase {
        let lexicon = Lexicon::get(self.lang);
        let words: Vec<String> = text::words(text).map(|(_, w)| w.to_lowercase()).collect();
        let content: Vec<&String> = words
            .iter()
            .filter(|w| !lexicon.function_words.contains(w.as_str()))
            .collect();
        // A keyphrase made only of function words ("das Sein") is matched as written.
        let terms = if content.is_empty() {
            words.iter().map(|w| self.key(w)).collect()
        } else {
            content.iter().map(|w| self.key(w)).collect()
        };
        Phrase {
            text: text.trim().to_string(),
            words,
            terms,
        }
    }

    /// Whether a text word's key matches a content word's key (see the module docs).
    pub fn matches(&self, term: &str, key: &str) -> bool {
        if term == key {
            return true;
        }
        self.word_forms
            && self.lang == Lang::De
            && term.chars().count() >= 4
            && key.len() > term.len()
            && (key.starts_with(term) || key.ends_with(term))
    }

    /// How often `phrase` occurs among `keys` (the words of one sentence): the count of its
    /// rarest content word, 0 when one is missing.
    pub fn count(&self, phrase: &Phrase, keys: &[String]) -> usize {
        phrase
            .terms
            .iter()
            .map(|t| keys.iter().filter(|k| self.matches(t, k)).count())
            .min()
            .unwrap_or(0)
    }

    /// The share (0–100) of the phrase's content words found among `keys`.
    pub fn percent_found(&self, phrase: &Phrase, keys: &[String]) -> f64 {
        if phrase.terms.is_empty() {
            return 0.0;
        }
        let found = phrase
            .terms
            .iter()
            .filter(|t| keys.iter().any(|k| self.matches(t, k)))
            .count();
        found as f64 * 100.0 / phrase.terms.len() as f64
    }

    /// Keys of every word of `text`.
    pub fn keys(&self, text: &str) -> Vec<String> {
        text::words(text).map(|(_, w)| self.key(w)).collect()
    }
}

/// Lower-case umlaut folding, so "Waermepumpe" and "Wärmepumpe" stems agree.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// How German umlauts are written in URLs: ä→ae, ö→oe, ü→ue, ß→ss.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'é' | 'è' | 'ê' => out.push('e'),
            'á' | 'à' | 'â' => out.push('a'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occurs(keyphrase: &str, sentence: &str) -> usize {
        let k = WordKeys::new(Lang::De, true);
        k.count(&k.phrase(keyphrase), &k.keys(sentence))
    }

    #[test]
    fn german_inflection_and_compounds_match() {
        let kp = "Wärmepumpe im Altbau";
        assert_eq!(occurs(kp, "Die Wärmepumpe im Altbau spart Geld."), 1);
        assert_eq!(occurs(kp, "Wärmepumpen im Altbau sparen Geld."), 1);
        assert_eq!(occurs(kp, "Eine Altbau-Wärmepumpe spart Geld."), 1);
        assert_eq!(occurs(kp, "Eine Altbauwärmepumpe spart Geld."), 1);
        assert_eq!(occurs(kp, "In Altbauten laufen Wärmepumpen gut."), 1);
        assert_eq!(occurs(kp, "Die Wärmepumpe im Neubau spart Geld."), 0);
        assert_eq!(occurs(kp, "Der Altbau hat eine Gasheizung."), 0);
    }

    #[test]
    fn exact_mode_needs_the_written_forms() {
        let k = WordKeys::new(Lang::De, false);
        let p = k.phrase("Wärmepumpe im Altbau");
        assert_eq!(k.count(&p, &k.keys("Wärmepumpen im Altbau")), 0);
        assert_eq!(k.count(&p, &k.keys("Die Wärmepumpe im Altbau")), 1);
    }

    #[test]
    fn english_uses_stems_but_no_compounds() {
        let k = WordKeys::new(Lang::En, true);
        let p = k.phrase("heat pump for old houses");
        assert_eq!(p.terms.len(), 4);
        assert_eq!(k.count(&p, &k.keys("Heat pumps suit old house types.")), 1);
        assert_eq!(k.count(&p, &k.keys("A heatpump for old houses.")), 0);
    }

    #[test]
    fn slugs_transliterate_umlauts() {
        assert_eq!(transliterate("Wärmepumpe Größe"), "waermepumpe groesse");
    }
}

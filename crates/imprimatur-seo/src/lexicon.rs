//! The word lists each analysis language needs, as data files in `words/<lang>/` (one
//! entry a line, `#` starts a comment), so a linguist can extend them without Rust.

use std::collections::HashSet;
use std::sync::OnceLock;

use imprimatur_check::Lang;

/// The lists of one language, parsed once per process.
pub struct Lexicon {
    pub function_words: HashSet<&'static str>,
    /// Single-word transition words.
    pub transition_words: HashSet<&'static str>,
    /// Multi-word transition phrases, as their words.
    pub transition_phrases: Vec<Vec<&'static str>>,
    /// Two-part connectors: (first part, second part), each as words.
    pub two_part_transitions: Vec<(Vec<&'static str>, Vec<&'static str>)>,
    pub passive_auxiliaries: HashSet<&'static str>,
    pub irregular_participles: HashSet<&'static str>,
    pub participle_exceptions: HashSet<&'static str>,
    pub first_word_exceptions: HashSet<&'static str>,
}

fn entries(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Lexicon {
    fn build(
        function: &'static str,
        transition: &'static str,
        two_part: &'static str,
        auxiliaries: &'static str,
        irregular: &'static str,
        exceptions: &'static str,
        first_words: &'static str,
    ) -> Lexicon {
        let (phrases, singles): (Vec<&str>, Vec<&str>) =
            entries(transition).partition(|e| e.contains(' '));
        Lexicon {
            function_words: entries(function).collect(),
            transition_words: singles.into_iter().collect(),
            transition_phrases: phrases
                .into_iter()
                .map(|p| p.split_whitespace().collect())
                .collect(),
            two_part_transitions: entries(two_part)
                .filter_map(|l| l.split_once('|'))
                .map(|(a, b)| {
                    (
                        a.split_whitespace().collect(),
                        b.split_whitespace().collect(),
                    )
                })
                .collect(),
            passive_auxiliaries: entries(auxiliaries).collect(),
            irregular_participles: entries(irregular).collect(),
            participle_exceptions: entries(exceptions).collect(),
            first_word_exceptions: entries(first_words).collect(),
        }
    }

    pub fn get(lang: Lang) -> &'static Lexicon {
        static DE: OnceLock<Lexicon> = OnceLock::new();
        static EN: OnceLock<Lexicon> = OnceLock::new();
        match lang {
            Lang::De => DE.get_or_init(|| {
                Lexicon::build(
                    include_str!("../words/de/function_words.txt"),
                    include_str!("../words/de/transition_words.txt"),
                    include_str!("../words/de/two_part_transition_words.txt"),
                    include_str!("../words/de/passive_auxiliaries.txt"),
                    include_str!("../words/de/irregular_participles.txt"),
                    include_str!("../words/de/participle_exceptions.txt"),
                    include_str!("../words/de/first_word_exceptions.txt"),
                )
            }),
            Lang::En => EN.get_or_init(|| {
                Lexicon::build(
                    include_str!("../words/en/function_words.txt"),
                    include_str!("../words/en/transition_words.txt"),
                    include_str!("../words/en/two_part_transition_words.txt"),
                    include_str!("../words/en/passive_auxiliaries.txt"),
                    include_str!("../words/en/irregular_participles.txt"),
                    include_str!("../words/en/participle_exceptions.txt"),
                    include_str!("../words/en/first_word_exceptions.txt"),
                )
            }),
        }
    }

    /// Whether a sentence (its words, lower case) contains a transition word or phrase.
    pub fn has_transition(&self, words: &[String]) -> bool {
        if words
            .iter()
            .any(|w| self.transition_words.contains(w.as_str()))
        {
            return true;
        }
        let at = |i: usize, p: &[&str]| {
            p.iter()
                .enumerate()
                .all(|(k, pw)| words.get(i + k).is_some_and(|w| w == pw))
        };
        let find = |p: &[&str], from: usize| (from..words.len()).find(|&i| at(i, p));
        if self.transition_phrases.iter().any(|p| find(p, 0).is_some()) {
            return true;
        }
        self.two_part_transitions
            .iter()
            .any(|(a, b)| find(a, 0).is_some_and(|i| find(b, i + a.len()).is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(|w| w.to_lowercase()).collect()
    }

    #[test]
    fn german_lists_are_german() {
        let de = Lexicon::get(Lang::De);
        for w in ["außerdem", "deshalb", "trotzdem", "jedoch", "folglich"] {
            assert!(de.transition_words.contains(w), "{w}");
        }
        assert!(de.has_transition(&words("Die Pumpe läuft darüber hinaus leise")));
        assert!(de.has_transition(&words("Sie ist nicht nur leise sondern auch sparsam")));
        assert!(!de.has_transition(&words("Die Pumpe läuft leise")));
        assert!(de.function_words.contains("im") && !de.function_words.contains("altbau"));
        assert!(de.passive_auxiliaries.contains("wurde"));
        let en = Lexicon::get(Lang::En);
        assert!(en.has_transition(&words("However the pump is quiet")));
        assert!(!en.transition_words.contains("deshalb"));
    }
}

//! Regular expressions as Vale writes them. Vale uses a .NET-style engine with
//! lookarounds; most rules need none, so each pattern compiles with `regex` (linear time)
//! and only falls back to `fancy-regex` when it uses lookarounds or backreferences.

use std::ops::Range;

#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    Fast(regex::Regex),
    Fancy(fancy_regex::Regex),
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, String> {
        match regex::Regex::new(source) {
            Ok(re) => Ok(Pattern::Fast(re)),
            Err(fast_err) => fancy_regex::Regex::new(source)
                .map(Pattern::Fancy)
                .map_err(|e| {
                    // The fancy error explains lookaround problems; the plain one syntax errors.
                    if source.contains("(?<") || source.contains("(?=") || source.contains("(?!") {
                        e.to_string()
                    } else {
                        fast_err
                            .to_string()
                            .lines()
                            .last()
                            .unwrap_or("")
                            .trim()
                            .to_string()
                    }
                }),
        }
    }

    pub fn find_all(&self, text: &str) -> Vec<Range<usize>> {
        match self {
            Pattern::Fast(re) => re.find_iter(text).map(|m| m.range()).collect(),
            Pattern::Fancy(re) => re
                .find_iter(text)
                .map_while(Result::ok)
                .map(|m| m.range())
                .collect(),
        }
    }

    /// Every match with its groups (index 0 is the whole match).
    pub fn captures_all(&self, text: &str) -> Vec<Vec<Option<Range<usize>>>> {
        match self {
            Pattern::Fast(re) => re
                .captures_iter(text)
                .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
                .collect(),
            Pattern::Fancy(re) => re
                .captures_iter(text)
                .map_while(Result::ok)
                .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
                .collect(),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Fast(re) => re.is_match(text),
            Pattern::Fancy(re) => re.is_match(text).unwrap_or(false),
        }
    }
}

/// Vale's word template: tokens match whole words unless `nonword` is set.
pub(crate) fn word_template(tokens: &str, ignorecase: bool, nonword: bool) -> String {
    let body = if nonword {
        format!("(?:{tokens})")
    } else {
        format!(r"\b(?:{tokens})\b")
    };
    with_case(&format!("(?m){body}"), ignorecase)
}

pub(crate) fn with_case(re: &str, ignorecase: bool) -> String {
    if ignorecase {
        format!("(?i){re}")
    } else {
        re.to_string()
    }
}

/// A version of `pattern` for the combined prefilter: it must match wherever the rule
/// can match (a superset), and the plain `regex` engine must accept it. Word boundaries
/// are dropped because Unicode `\b` keeps the regex DFA off non-ASCII text.
pub(crate) fn prefilter_source(pattern: &str) -> Option<String> {
    if pattern.contains("(?=")
        || pattern.contains("(?!")
        || pattern.contains("(?<=")
        || pattern.contains("(?<!")
    {
        return None;
    }
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            let Some(&n) = chars.peek() else { break };
            chars.next();
            if !in_class && matches!(n, 'b' | 'B') {
                continue;
            }
            out.push('\\');
            out.push(n);
            continue;
        }
        if c == '^' && !in_class {
            // Anchors inside a scope's text do not hold in the whole prose.
            continue;
        }
        if c == '$' && !in_class {
            continue;
        }
        if c == '[' {
            in_class = true;
        } else if c == ']' {
            in_class = false;
        }
        out.push(c);
    }
    regex::Regex::new(&out).ok().map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookarounds_fall_back_to_the_backtracking_engine() {
        assert!(matches!(
            Pattern::new(r"\bit is").unwrap(),
            Pattern::Fast(_)
        ));
        let p = Pattern::new(r"it is(?!\.)").unwrap();
        assert!(matches!(p, Pattern::Fancy(_)));
        assert_eq!(p.find_all("it is. it is here"), vec![7..12]);
        // Variable-length lookbehind, as in Google.Colons.
        let p = Pattern::new(r"(?<!:[^ ]+?):\s[A-Z]").unwrap();
        assert_eq!(p.find_all("Note: This").len(), 1);
    }

    #[test]
    fn the_prefilter_drops_boundaries_and_anchors_only() {
        assert_eq!(
            prefilter_source(r"(?i)\b(?:foo|b\.ar)\b$").unwrap(),
            r"(?i)(?:foo|b\.ar)"
        );
        assert_eq!(prefilter_source(r"[^x]y").unwrap(), r"[^x]y");
        assert!(prefilter_source(r"a(?!b)").is_none());
    }
}

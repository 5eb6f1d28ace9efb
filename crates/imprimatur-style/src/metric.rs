//! Vale's `metric` rules: a formula over document counts (words, sentences, syllables…)
//! and a condition such as `> 8`. A small recursive-descent evaluator; Vale uses govaluate.

use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    Call(String, Box<Expr>),
}

pub(crate) const VARIABLES: &[&str] = &[
    "words",
    "sentences",
    "characters",
    "syllables",
    "complex_words",
    "long_words",
    "polysyllabic_words",
    "paragraphs",
    "pre",
    "list",
    "blockquote",
    "heading_h1",
    "heading_h2",
    "heading_h3",
    "heading_h4",
    "heading_h5",
    "heading_h6",
];

/// Why a metric formula or condition does not parse; the rule loader names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct FormulaError(pub(crate) String);

impl From<String> for FormulaError {
    fn from(s: String) -> Self {
        FormulaError(s)
    }
}

impl From<&str> for FormulaError {
    fn from(s: &str) -> Self {
        FormulaError(s.to_string())
    }
}

pub(crate) fn parse(src: &str) -> Result<Expr, FormulaError> {
    let tokens = lex(src)?;
    let mut p = Parser { tokens, at: 0 };
    let e = p.sum()?;
    if p.at != p.tokens.len() {
        return Err(FormulaError(format!(
            "unexpected `{}` in formula",
            p.tokens[p.at]
        )));
    }
    Ok(e)
}

pub(crate) fn parse_condition(src: &str) -> Result<(String, f64), FormulaError> {
    let s = src.trim();
    for op in [">=", "<=", "==", "!=", ">", "<"] {
        if let Some(rest) = s.strip_prefix(op) {
            let n = rest
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("condition `{src}`: `{}` is not a number", rest.trim()))?;
            return Ok((op.to_string(), n));
        }
    }
    Err(FormulaError(format!(
        "condition `{src}` must start with one of >, <, >=, <=, ==, != followed by a number"
    )))
}

pub(crate) fn holds(op: &str, value: f64, limit: f64) -> bool {
    match op {
        ">" => value > limit,
        "<" => value < limit,
        ">=" => value >= limit,
        "<=" => value <= limit,
        "==" => (value - limit).abs() < f64::EPSILON,
        _ => (value - limit).abs() >= f64::EPSILON,
    }
}

pub(crate) fn eval(e: &Expr, vars: &BTreeMap<&str, f64>) -> f64 {
    match e {
        Expr::Num(n) => *n,
        Expr::Var(v) => vars.get(v.as_str()).copied().unwrap_or(0.0),
        Expr::Neg(a) => -eval(a, vars),
        Expr::Call(f, a) => {
            let x = eval(a, vars);
            match f.as_str() {
                "sqrt" => x.sqrt(),
                "abs" => x.abs(),
                "round" => x.round(),
                _ => x.ln(),
            }
        }
        Expr::Bin(op, a, b) => {
            let (x, y) = (eval(a, vars), eval(b, vars));
            match op {
                '+' => x + y,
                '-' => x - y,
                '*' => x * y,
                _ => {
                    if y == 0.0 {
                        0.0
                    } else {
                        x / y
                    }
                }
            }
        }
    }
}

fn lex(src: &str) -> Result<Vec<String>, FormulaError> {
    let mut out = Vec::new();
    let mut chars = src.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_ascii_digit() || c == '.' {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
                n.push(d);
                chars.next();
            }
            out.push(n);
        } else if c.is_alphabetic() || c == '_' {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_alphanumeric() || **d == '_') {
                n.push(d);
                chars.next();
            }
            out.push(n);
        } else if "+-*/()".contains(c) {
            out.push(c.to_string());
            chars.next();
        } else {
            return Err(FormulaError(format!(
                "unexpected character `{c}` in formula"
            )));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }
    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut e = self.product()?;
        while let Some(op @ ("+" | "-")) = self.peek() {
            let op = op.chars().next().unwrap_or('+');
            self.at += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.product()?));
        }
        Ok(e)
    }
    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut e = self.unary()?;
        while let Some(op @ ("*" | "/")) = self.peek() {
            let op = op.chars().next().unwrap_or('*');
            self.at += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }
    fn unary(&mut self) -> Result<Expr, FormulaError> {
        if self.peek() == Some("-") {
            self.at += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }
    fn atom(&mut self) -> Result<Expr, FormulaError> {
        let t = self.peek().ok_or("the formula ends too early")?.to_string();
        self.at += 1;
        if t == "(" {
            let e = self.sum()?;
            if self.peek() != Some(")") {
                return Err(FormulaError("missing `)` in formula".into()));
            }
            self.at += 1;
            return Ok(e);
        }
        if let Ok(n) = t.parse::<f64>() {
            return Ok(Expr::Num(n));
        }
        if t.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            if self.peek() == Some("(") {
                if !["sqrt", "abs", "round", "log"].contains(&t.as_str()) {
                    return Err(FormulaError(format!(
                        "unknown function `{t}`; known: sqrt, abs, round, log"
                    )));
                }
                let arg = self.atom()?;
                return Ok(Expr::Call(t, Box::new(arg)));
            }
            if !VARIABLES.contains(&t.as_str()) {
                return Err(FormulaError(format!(
                    "unknown variable `{t}`; known: {}",
                    VARIABLES.join(", ")
                )));
            }
            return Ok(Expr::Var(t));
        }
        Err(FormulaError(format!("unexpected `{t}` in formula")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readability_formula_evaluates() {
        let e =
            parse("(0.39 * (words / sentences)) + (11.8 * (syllables / words)) - 15.59").unwrap();
        let vars = BTreeMap::from([("words", 100.0), ("sentences", 5.0), ("syllables", 150.0)]);
        let v = eval(&e, &vars);
        assert!((v - (0.39 * 20.0 + 11.8 * 1.5 - 15.59)).abs() < 1e-9, "{v}");
        assert!(parse("wordz / 2").unwrap_err().0.contains("known: words"));
        assert_eq!(parse_condition("> 8").unwrap(), (">".to_string(), 8.0));
    }
}

//! The `segment` rule language: `when` expressions over customer features.
//!
//! ```text
//! expr := and ("or" and)*        and := unary ("and" unary)*
//! unary := "not" unary | primary primary := "true" | "(" expr ")" | cmp
//! cmp := value op value          op := < <= > >= == !=
//! value := NUMBER | FEATURE
//! ```
//! A comparison with a `null` feature is false (and `not` of it true).
//! Expressions are parsed once; errors point at the offending column.

use rust_decimal::Decimal;
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    True,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Value, Op, Value),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(Decimal),
    /// Index into the feature list the expression was parsed against.
    Feature(usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(Decimal),
    Word(String),
    Op(Op),
    Open,
    Close,
}

/// Parses `text` against the known feature names.
pub fn parse(text: &str, features: &[&str]) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err("the expression is empty (use `true` for a catch-all rule)".into());
    }
    let mut parser = Parser { tokens, pos: 0, features, text };
    let expr = parser.or()?;
    if let Some((at, token)) = parser.tokens.get(parser.pos) {
        return Err(format!(
            "at column {}: unexpected {} after a complete expression",
            at + 1,
            describe(token)
        ));
    }
    Ok(expr)
}

impl Expr {
    /// Evaluates against one row of feature values (`None` = null).
    pub fn eval(&self, row: &[Option<Decimal>]) -> bool {
        match self {
            Expr::True => true,
            Expr::Not(e) => !e.eval(row),
            Expr::And(a, b) => a.eval(row) && b.eval(row),
            Expr::Or(a, b) => a.eval(row) || b.eval(row),
            Expr::Compare(l, op, r) => match (value(l, row), value(r, row)) {
                (Some(l), Some(r)) => match op {
                    Op::Lt => l < r,
                    Op::Le => l <= r,
                    Op::Gt => l > r,
                    Op::Ge => l >= r,
                    Op::Eq => l == r,
                    Op::Ne => l != r,
                },
                _ => false,
            },
        }
    }
}

fn value(v: &Value, row: &[Option<Decimal>]) -> Option<Decimal> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Feature(i) => row[*i],
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let col = text[..at].chars().count();
        let next = chars.get(i + 1).map(|x| x.1);
        let (token, width) = match (c, next) {
            (c, _) if c.is_whitespace() => {
                i += 1;
                continue;
            }
            ('(', _) => (Token::Open, 1),
            (')', _) => (Token::Close, 1),
            ('<', Some('=')) => (Token::Op(Op::Le), 2),
            ('>', Some('=')) => (Token::Op(Op::Ge), 2),
            ('=', Some('=')) => (Token::Op(Op::Eq), 2),
            ('!', Some('=')) => (Token::Op(Op::Ne), 2),
            ('<', _) => (Token::Op(Op::Lt), 1),
            ('>', _) => (Token::Op(Op::Gt), 1),
            (c, _) if c.is_ascii_digit() || c == '.' || c == '-' => {
                let len =
                    chars[i + 1..].iter().take_while(|x| x.1.is_ascii_digit() || x.1 == '.').count() + 1;
                let literal: String = chars[i..i + len].iter().map(|x| x.1).collect();
                let n = Decimal::from_str(&literal)
                    .map_err(|_| format!("at column {}: '{literal}' is not a number", col + 1))?;
                (Token::Number(n), len)
            }
            (c, _) if c.is_alphabetic() || c == '_' => {
                let len = chars[i..].iter().take_while(|x| x.1.is_alphanumeric() || x.1 == '_').count();
                (Token::Word(chars[i..i + len].iter().map(|x| x.1).collect()), len)
            }
            (c, _) => return Err(format!("at column {}: unexpected character '{c}'", col + 1)),
        };
        tokens.push((col, token));
        i += width;
    }
    Ok(tokens)
}

fn describe(token: &Token) -> String {
    match token {
        Token::Number(n) => format!("number {n}"),
        Token::Word(w) => format!("'{w}'"),
        Token::Op(op) => format!("operator {op:?}"),
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
    }
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    features: &'a [&'a str],
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.1)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.text.chars().count(), |t| t.0) + 1
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(w)) if w == word);
        if found {
            self.pos += 1;
        }
        found
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.keyword("true") {
            return Ok(Expr::True);
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or()?;
            if self.peek() != Some(&Token::Close) {
                return Err(format!("at column {}: expected ')'", self.column()));
            }
            self.pos += 1;
            return Ok(inner);
        }
        let left = self.value()?;
        let Some(Token::Op(op)) = self.peek().cloned() else {
            return Err(format!("at column {}: expected a comparison (< <= > >= == !=)", self.column()));
        };
        self.pos += 1;
        Ok(Expr::Compare(left, op, self.value()?))
    }

    fn value(&mut self) -> Result<Value, String> {
        let column = self.column();
        match self.peek().cloned() {
            Some(Token::Number(n)) => {
                self.pos += 1;
                Ok(Value::Number(n))
            }
            Some(Token::Word(w)) => match self.features.iter().position(|f| *f == w) {
                Some(i) => {
                    self.pos += 1;
                    Ok(Value::Feature(i))
                }
                None => Err(format!(
                    "at column {column}: unknown feature '{w}'; features are {}",
                    self.features.join(", ")
                )),
            },
            Some(other) => {
                Err(format!("at column {column}: expected a number or a feature, found {}", describe(&other)))
            }
            None => Err(format!("at column {column}: the expression ends too early")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &[&str] = &["a", "b", "c"];

    fn eval(text: &str, row: [Option<i64>; 3]) -> bool {
        let row: Vec<Option<Decimal>> = row.iter().map(|v| v.map(Decimal::from)).collect();
        parse(text, F).unwrap().eval(&row)
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // a > 0 or (b > 0 and c > 0)
        assert!(eval("a > 0 or b > 0 and c > 0", [Some(1), Some(0), Some(0)]));
        assert!(!eval("(a > 0 or b > 0) and c > 0", [Some(1), Some(0), Some(0)]));
        assert!(eval("not a > 5 and b == 0", [Some(1), Some(0), None]));
    }

    #[test]
    fn null_comparisons_are_false_and_not_of_them_true() {
        assert!(!eval("c >= 0", [None, None, None]));
        assert!(!eval("c < 0", [None, None, None]));
        assert!(eval("not c >= 50", [None, None, None]));
        assert!(eval("true", [None, None, None]));
        assert!(eval("a <= -1.5", [Some(-2), None, None]));
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let err = parse("a > 1 and d < 2", F).unwrap_err();
        assert!(
            err.contains("column 11") && err.contains("unknown feature 'd'") && err.contains("a, b, c"),
            "{err}"
        );
        assert!(parse("a > 1 b", F).unwrap_err().contains("column 7"));
        assert!(parse("", F).unwrap_err().contains("empty"));
        assert!(parse("   ", F).unwrap_err().contains("empty"));
        assert!(parse("(a > 1", F).unwrap_err().contains("expected ')'"));
        assert!(parse("a >", F).unwrap_err().contains("ends too early"));
        assert!(parse("a", F).unwrap_err().contains("comparison"));
        assert!(parse("a > 1 @", F).unwrap_err().contains("'@'"));
        assert!(parse("a > 1.2.3", F).unwrap_err().contains("not a number"));
    }
}

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
//! Parentheses and `not` nest at most [`MAX_DEPTH`] levels, so neither the
//! parser nor evaluation can run out of stack; `and`/`or` chains of any
//! length are flat lists, not nested pairs.

use crate::error::excerpt;
use rust_decimal::Decimal;
use std::str::FromStr;

/// How deep parentheses and `not` may nest (`((a > 1))` is 2 levels).
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    True,
    Not(Box<Expr>),
    /// True when every term is (two or more terms).
    And(Vec<Expr>),
    /// True when any term is (two or more terms).
    Or(Vec<Expr>),
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

impl Op {
    /// The operator as a rule writes it.
    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
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
    let mut parser = Parser { tokens, pos: 0, depth: 0, features, text };
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
            Expr::And(terms) => terms.iter().all(|t| t.eval(row)),
            Expr::Or(terms) => terms.iter().any(|t| t.eval(row)),
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
    // Indexed by character, so an index is the (0-based) column.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (col, c) = (i, chars[i].1);
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
                let n = Decimal::from_str(&literal).map_err(|_| {
                    format!("at column {}: '{}' is not a number", col + 1, excerpt(&literal, 40))
                })?;
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
        Token::Word(w) => format!("'{}'", excerpt(w, 40)),
        Token::Op(op) => format!("operator '{}'", op.symbol()),
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
    }
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    /// Parentheses and `not` open around the current token.
    depth: usize,
    features: &'a [&'a str],
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.1)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.pos).map_or_else(|| self.text.chars().count(), |t| t.0) + 1
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(w)) if w == word);
        if found {
            self.pos += 1;
        }
        found
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.and()?];
        while self.keyword("or") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Or(terms) })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut terms = vec![self.unary()?];
        while self.keyword("and") {
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::And(terms) })
    }

    /// One more level of parentheses or `not`, refused past [`MAX_DEPTH`].
    fn nest(&mut self) -> Result<(), String> {
        if self.depth == MAX_DEPTH {
            return Err(format!(
                "at column {}: parentheses and `not` nest deeper than {MAX_DEPTH} levels; simplify the rule",
                self.tokens[self.pos - 1].0 + 1
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.keyword("true") {
            return Ok(Expr::True);
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            self.nest()?;
            let inner = self.or()?;
            if self.peek() != Some(&Token::Close) {
                return Err(format!("at column {}: expected ')'", self.column()));
            }
            self.pos += 1;
            self.depth -= 1;
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
                    "at column {column}: unknown feature '{}'; features are {}",
                    excerpt(&w, 40),
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
    use proptest::prelude::*;

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
        let err = parse("a > > 1", F).unwrap_err();
        assert!(err.contains("operator '>'"), "{err}");
    }

    /// 64 levels parse, 65 are refused at the 65th opening, and 30,000
    /// (which overflowed the stack) are refused as quickly.
    #[test]
    fn nesting_is_limited_and_the_error_points_at_it() {
        let nested = |depth: usize| format!("{}a > 1{}", "(".repeat(depth), ")".repeat(depth));
        assert!(eval(&nested(MAX_DEPTH), [Some(2), None, None]));
        let err = parse(&nested(MAX_DEPTH + 1), F).unwrap_err();
        assert!(err.contains("column 65") && err.contains("deeper than 64"), "{err}");
        assert!(parse(&nested(30_000), F).unwrap_err().contains("deeper than 64"));
        let nots = format!("{}a > 1", "not ".repeat(30_000));
        assert!(parse(&nots, F).unwrap_err().contains("column 257"), "4 columns per `not `");
        // `not` and parentheses count together.
        let mixed = format!("{}a > 1{}", "not (".repeat(32), ")".repeat(32));
        assert!(parse(&mixed, F).is_ok());
        assert!(parse(&format!("not {mixed}"), F).is_err());
    }

    /// A chain of 100,000 terms is a flat list: no depth, no deep recursion.
    #[test]
    fn long_chains_are_flat() {
        let chain = vec!["a > 1"; 100_000].join(" or ");
        let expr = parse(&format!("{chain} or b == 7"), F).unwrap();
        assert!(matches!(&expr, Expr::Or(terms) if terms.len() == 100_001));
        assert!(expr.eval(&[Some(Decimal::ZERO), Some(Decimal::from(7)), None]));
        assert!(!expr.eval(&[Some(Decimal::ZERO), Some(Decimal::ZERO), None]));
    }

    /// A reference expression, printed fully parenthesized or by precedence.
    #[derive(Clone, Debug)]
    enum Reference {
        Cmp(usize, Op, i64),
        Not(Box<Reference>),
        And(Box<Reference>, Box<Reference>),
        Or(Box<Reference>, Box<Reference>),
    }

    impl Reference {
        fn eval(&self, row: &[Option<i64>; 3]) -> bool {
            match self {
                Reference::Cmp(f, op, n) => row[*f].is_some_and(|v| match op {
                    Op::Lt => v < *n,
                    Op::Le => v <= *n,
                    Op::Gt => v > *n,
                    Op::Ge => v >= *n,
                    Op::Eq => v == *n,
                    Op::Ne => v != *n,
                }),
                Reference::Not(e) => !e.eval(row),
                Reference::And(a, b) => a.eval(row) && b.eval(row),
                Reference::Or(a, b) => a.eval(row) || b.eval(row),
            }
        }

        fn text(&self) -> String {
            match self {
                Reference::Cmp(f, o, n) => format!("{} {} {n}", F[*f], o.symbol()),
                Reference::Not(e) => format!("not ({})", e.text()),
                Reference::And(a, b) => format!("({}) and ({})", a.text(), b.text()),
                Reference::Or(a, b) => format!("({}) or ({})", a.text(), b.text()),
            }
        }
    }

    fn reference() -> impl Strategy<Value = Reference> {
        let op = prop::sample::select(vec![Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Eq, Op::Ne]);
        let leaf = (0usize..3, op, -3i64..4).prop_map(|(f, o, n)| Reference::Cmp(f, o, n));
        leaf.prop_recursive(6, 40, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Reference::Not(Box::new(e))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| Reference::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Reference::Or(Box::new(a), Box::new(b))),
            ]
        })
    }

    fn row() -> impl Strategy<Value = [Option<i64>; 3]> {
        [prop::option::of(-4i64..5), prop::option::of(-4i64..5), prop::option::of(-4i64..5)]
    }

    /// Pieces of the language and of what is not, for hostile input.
    fn fragments() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "(",
            ")",
            "not",
            "and",
            "or",
            "true",
            "a",
            "b",
            "zz",
            "<",
            "<=",
            ">",
            ">=",
            "==",
            "!=",
            "=",
            "!",
            "1",
            "-2.5",
            "1.2.3",
            "-",
            ".",
            "99999999999999999999999999999999",
            "é",
            "@",
            " ",
            "",
        ]);
        prop::collection::vec(piece, 0..40).prop_map(|p| p.join(" "))
    }

    proptest! {
        /// No input panics: it parses or says at which column it fails.
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>(), pieces in fragments()) {
            for t in [&text, &pieces] {
                if let Err(e) = parse(t, F) {
                    prop_assert!(e.starts_with("at column ") || e.contains("empty"), "{e}");
                }
            }
        }

        /// Parsed from its text, an expression evaluates as the reference.
        #[test]
        fn evaluation_agrees_with_the_reference(e in reference(), r in row()) {
            prop_assert_eq!(eval(&e.text(), r), e.eval(&r), "{}", e.text());
        }

        /// Without parentheses, `and` binds tighter than `or`: a chain
        /// `c1 op c2 op ..` is an `or` of `and` groups.
        #[test]
        fn precedence_agrees_with_the_reference(
            cmps in prop::collection::vec((0usize..3, -3i64..4), 1..12),
            ors in prop::collection::vec(any::<bool>(), 11),
            r in row(),
        ) {
            let mut text = String::new();
            let mut groups: Vec<Vec<bool>> = vec![Vec::new()];
            for (i, (f, n)) in cmps.iter().enumerate() {
                if i > 0 {
                    text.push_str(if ors[i - 1] { " or " } else { " and " });
                    if ors[i - 1] {
                        groups.push(Vec::new());
                    }
                }
                text.push_str(&format!("{} >= {n}", F[*f]));
                groups.last_mut().unwrap().push(r[*f].is_some_and(|v| v >= *n));
            }
            let expected = groups.iter().any(|g| g.iter().all(|&b| b));
            prop_assert_eq!(eval(&text, r), expected, "{}", text);
        }
    }
}

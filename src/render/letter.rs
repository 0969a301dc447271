//! Dunning letters: one file per notice from its level's template. Field
//! values are inserted as plain text in one pass (a value that looks like
//! `{total_due}` stays as it is), and file names are built only from safe
//! characters of the customer id plus a hash of it, so no id can climb out
//! of the folder or collide with another.

use crate::files::{self, Staged};
use anyhow::{Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Fills `{name}` placeholders from `value`; `{{`/`}}` are literal braces.
pub fn fill(template: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let (true, Some(close)) = (tail.starts_with('{'), tail.find('}')) {
            out.push_str(&value(&tail[1..close]));
            rest = &tail[close + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `SAFE-ID_CUR_L2_HASH.txt`: letters, digits, `-` and `_` of the id (at
/// most 40), the currency, the level and a hash of the raw id.
pub fn file_name(customer: &str, currency: &str, level: usize) -> String {
    tagged_file_name(customer, currency, &format!("L{level}"))
}

/// `SAFE-ID_CUR_TAG_HASH.txt`, as [`file_name`] with `tag` (made of safe
/// characters by the caller) in place of the level.
pub fn tagged_file_name(customer: &str, currency: &str, tag: &str) -> String {
    let safe: String = customer
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    let currency: String = currency.chars().filter(|c| c.is_ascii_alphanumeric()).take(3).collect();
    let mut hasher = DefaultHasher::new();
    customer.hash(&mut hasher);
    format!("{safe}_{currency}_{tag}_{:08x}.txt", hasher.finish() as u32)
}

/// Checks that every `{name}` of a template is in `known` (`{{` and `}}`
/// are literal braces); `Err` gives the byte offset of the first bad one
/// and what is wrong.
pub fn check_placeholders(template: &str, known: &[&str]) -> Result<(), (usize, String)> {
    let mut at = 0;
    while let Some(open) = template[at..].find('{').map(|o| at + o) {
        if template[open..].starts_with("{{") {
            at = open + 2;
            continue;
        }
        let Some(close) = template[open..].find('}').map(|c| open + c) else {
            return Err((open, "a '{' is never closed".into()));
        };
        let name = &template[open + 1..close];
        if !known.contains(&name) {
            return Err((
                open,
                format!("unknown placeholder {{{name}}}; placeholders are {}", known.join(", ")),
            ));
        }
        at = close + 1;
    }
    Ok(())
}

/// The `--render` folder, created when missing. A folder this run created
/// is removed again (if still empty) unless [`LetterFolder::keep`] is
/// called, so a run that fails before its letters are in place leaves
/// nothing behind.
pub struct LetterFolder {
    dir: PathBuf,
    created: bool,
    kept: bool,
}

impl LetterFolder {
    pub fn create(dir: &Path) -> Result<LetterFolder> {
        let created = !dir.exists();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create --render folder {}", dir.display()))?;
        Ok(LetterFolder { dir: dir.to_path_buf(), created, kept: false })
    }

    /// One letter, complete but not yet in place (commit it).
    pub fn stage(&self, name: &str, text: &str) -> Result<Staged> {
        files::stage(self.dir.join(name), text.as_bytes())
    }

    /// The letters are in place: the folder stays.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for LetterFolder {
    fn drop(&mut self) {
        if self.created && !self.kept {
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_inserted_once_never_expanded() {
        let value =
            |name: &str| if name == "customer_name" { "{total_due}".to_string() } else { "9.99".to_string() };
        assert_eq!(
            fill("Dear {customer_name}, pay {total_due} {{now}}", &value),
            "Dear {total_due}, pay 9.99 {now}"
        );
    }

    #[test]
    fn file_names_are_safe() {
        let name = file_name("../../etc/passwd\0", "EUR", 2);
        assert!(name.starts_with("______etc_passwd__EUR_L2_"), "{name}");
        assert!(!name.contains('/') && !name.contains('\0'));
        assert_ne!(file_name("a/b", "EUR", 1), file_name("a_b", "EUR", 1));
        assert!(file_name(&"x".repeat(5000), "EUR", 1).len() < 80);
    }
}

//! `--config FILE`: TOML defaults for any flag, applied by rewriting the
//! command line before clap sees it, so a config value behaves exactly like
//! the flag typed by hand and the command line always wins.
//!
//! ```toml
//! delimiter = ";"            # top level: for every command that has the flag
//! decimal-comma = true
//! [map]                      # --map FIELD=HEADER (a list tries each header)
//! customer = "Cliente"
//! amount = ["Importe", "Monto"]
//! [age]                      # only for `cobro age` (`["plan schedule"]` for subcommands)
//! buckets = "15,45"
//! ```
//!
//! Single-value flags from the config go right after the subcommand name
//! (a later flag overrides them); repeatable ones (`--map`) go last, so a
//! `--map` typed by hand is tried first.

use crate::error::usage;
use crate::input::amount::exact_float;
use anyhow::{Context, Result};
use clap::{ArgAction, Command};
use std::ffi::OsString;
use toml_edit::{DocumentMut, Item, TableLike, Value};

/// Returns `argv` with the config file's defaults inserted, or unchanged
/// when there is no `--config`.
pub fn expand(argv: Vec<OsString>, command: &Command) -> Result<Vec<OsString>> {
    let Some(path) = config_path(&argv) else {
        return Ok(argv);
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read --config {path}"))?;
    let document: DocumentMut = text.parse().map_err(|e| anyhow::anyhow!("--config {path}: {e}"))?;
    let (path_len, sub) = subcommand_path(&argv, command);
    let Some(sub) = sub else { return Ok(argv) };
    let section_name: String =
        argv[1..path_len].iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ");
    let mut front = Vec::new();
    let mut back = Vec::new();
    for (key, item) in document.iter() {
        if let Some(section) = item.as_table_like() {
            if key == "map" {
                push_map(section, &mut back)?;
            } else if key == section_name {
                for (k, v) in section.iter() {
                    let arg = find_arg(sub, k)
                        .ok_or_else(|| usage(format!("--config {path}: [{key}] has no flag --{k}")))?;
                    push_flag(arg, plain(v)?, &mut front, &mut back)?;
                }
            }
            continue;
        }
        let value = plain(item)?;
        match find_arg(sub, key) {
            Some(arg) => push_flag(arg, value, &mut front, &mut back)?,
            None if any_command_has(command, key) => {}
            None => return Err(usage(format!("--config {path}: no command has a flag --{key}"))),
        }
    }
    let mut out: Vec<OsString> = argv[..path_len].to_vec();
    out.extend(front.into_iter().map(OsString::from));
    out.extend(argv[path_len..].iter().cloned());
    out.extend(back.into_iter().map(OsString::from));
    Ok(out)
}

fn config_path(argv: &[OsString]) -> Option<String> {
    let args: Vec<String> = argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--config=")
            .map(str::to_string)
            .or_else(|| (a == "--config").then(|| args.get(i + 1).cloned()).flatten())
    })
}

/// How many leading argv entries name the subcommand (program included).
fn subcommand_path<'c>(argv: &[OsString], root: &'c Command) -> (usize, Option<&'c Command>) {
    let mut current: Option<&Command> = None;
    let mut cmd = root;
    let mut len = 1;
    while let Some(name) = argv.get(len).map(|a| a.to_string_lossy()) {
        match cmd.find_subcommand(name.as_ref()) {
            Some(sub) => {
                cmd = sub;
                current = Some(sub);
                len += 1;
            }
            None => break,
        }
    }
    (len, current.filter(|c| !c.has_subcommands()))
}

fn normalized_key(key: &str) -> String {
    key.replace('_', "-")
}

fn find_arg<'c>(command: &'c Command, key: &str) -> Option<&'c clap::Arg> {
    let key = normalized_key(key);
    command.get_arguments().find(|a| a.get_long() == Some(key.as_str()))
}

fn any_command_has(command: &Command, key: &str) -> bool {
    command.get_subcommands().any(|s| find_arg(s, key).is_some() || any_command_has(s, key))
}

fn push_flag(arg: &clap::Arg, value: &Value, front: &mut Vec<String>, back: &mut Vec<String>) -> Result<()> {
    let long = format!("--{}", arg.get_long().unwrap_or_default());
    match (arg.get_action(), value) {
        (ArgAction::SetTrue, Value::Boolean(b)) if *b.value() => front.push(long),
        (ArgAction::SetTrue, Value::Boolean(_)) => {}
        (ArgAction::Append, Value::Array(items)) => {
            for item in items {
                back.push(format!("{long}={}", scalar(item)?));
            }
        }
        (ArgAction::Append, v) => back.push(format!("{long}={}", scalar(v)?)),
        (_, Value::Array(items)) => {
            let joined: Result<Vec<String>> = items.iter().map(scalar).collect();
            front.push(format!("{long}={}", joined?.join(",")));
        }
        (_, v) => front.push(format!("{long}={}", scalar(v)?)),
    }
    Ok(())
}

fn push_map(section: &dyn TableLike, back: &mut Vec<String>) -> Result<()> {
    for (field, headers) in section.iter() {
        let headers = match plain(headers)? {
            Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>>>()?,
            v => vec![scalar(v)?],
        };
        back.extend(headers.into_iter().map(|h| format!("--map={field}={h}")));
    }
    Ok(())
}

/// The value of a `key = value` line (an array of tables is no flag's value).
fn plain(item: &Item) -> Result<&Value> {
    item.as_value().ok_or_else(|| usage(format!("config value {item} is not a plain value")))
}

/// A value as the flag's text. A float is written out exactly as in the
/// file (`100000000000000.01` keeps its cents; `1e3` is `1000`), never
/// through a binary float.
fn scalar(value: &Value) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.value().clone()),
        Value::Integer(i) => Ok(i.value().to_string()),
        Value::Float(f) => exact_float(&f.display_repr())
            .map(|d| d.to_string())
            .ok_or_else(|| usage(format!("config value {} is not a finite number", f.display_repr()))),
        Value::Boolean(b) => Ok(b.value().to_string()),
        Value::Datetime(d) => Ok(d.value().to_string()),
        other => Err(usage(format!("config value {other} is not a plain value"))),
    }
}

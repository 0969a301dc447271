//! cobro's entry point: applies `--config`, parses the command line,
//! dispatches to one subcommand and maps the outcome to an exit code
//! (0 success, 1 data or runtime error, 2 usage error). Nothing else.

#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod config;
mod dates;
mod domain;
mod error;
mod files;
mod group;
mod input;
mod money;
mod render;

use clap::{CommandFactory, FromArgMatches};
use cli::{Cli, Command};
use std::process::ExitCode;

/// jemalloc, not the system allocator. Polars decodes on its own threads
/// into buffers that cobro's threads free; glibc's per-thread arenas kept
/// much of that memory, so the peak grew with the file: `age` on the 10M
/// benchmark's Parquet files peaked at 1.9-2.0 GiB with glibc and at
/// 1.5 GiB with jemalloc, in the same time (README, "Speed and memory").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    input::configure_engine();
    let command = with_overrides(Cli::command());
    let argv = match config::expand(std::env::args_os().collect(), &command) {
        Ok(argv) => argv,
        Err(err) => return report(err),
    };
    let matches = match command.try_get_matches_from(argv) {
        Ok(m) => m,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(err.exit_code() as u8);
        }
    };
    let result = Cli::from_arg_matches(&matches).map_err(anyhow::Error::from).and_then(|cli| dispatch(&cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(err),
    }
}

fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Age(args) => cmd::age::run(args),
        Command::Kpi(args) => cmd::kpi::run(args),
        Command::Segment(args) => cmd::segment::run(args),
        Command::Dunning(args) => cmd::dunning::run(args),
        Command::Promise(args) => cmd::promise::run(args),
        Command::Forecast(args) => cmd::forecast::run(args),
        Command::Statement(args) => cmd::statement::run(args),
        Command::Plan(command) => cmd::plan::run(command),
        Command::Report(args) => cmd::report::run(args),
        Command::Completions(args) => cmd::completions::run(args),
        Command::Roll(args) => cmd::roll::run(args),
        Command::Provision(args) => cmd::provision::run(args),
    }
}

/// Lets a flag given twice override itself, so `--config` defaults can be
/// overridden on the command line.
fn with_overrides(command: clap::Command) -> clap::Command {
    command.args_override_self(true).mut_subcommands(with_overrides)
}

/// Prints an error (with its causes) and picks the exit code. A closed
/// pipe (`cobro age ... | head`) is not an error.
fn report(err: anyhow::Error) -> ExitCode {
    if err.chain().any(is_broken_pipe) {
        return ExitCode::SUCCESS;
    }
    let code = if err.downcast_ref::<error::UsageError>().is_some() { 2 } else { 1 };
    eprintln!("cobro: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(code)
}

/// Whether an error is a write to a closed pipe, wrapped or not.
fn is_broken_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        return io.kind() == BrokenPipe;
    }
    if let Some(json) = err.downcast_ref::<serde_json::Error>() {
        return json.io_error_kind() == Some(BrokenPipe);
    }
    if let Some(csv) = err.downcast_ref::<csv::Error>() {
        return matches!(csv.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe);
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

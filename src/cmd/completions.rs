//! `cobro completions SHELL`: shell completion scripts from the same clap
//! definition as the help.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Print a shell completion script.
///
/// Example: cobro completions bash > /etc/bash_completion.d/cobro
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut command = crate::cli::Cli::command();
    clap_complete::generate(args.shell, &mut command, "cobro", &mut std::io::stdout());
    Ok(())
}

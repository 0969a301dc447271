//! One module per subcommand: its clap `Args` (with help and an example)
//! and a `run` that turns them into domain parameters, runs the domain
//! computation and hands a report to the renderer.

pub mod age;
pub mod completions;
pub mod dunning;
pub mod forecast;
pub mod kpi;
pub mod plan;
pub mod promise;
pub mod provision;
pub mod report;
pub mod roll;
pub mod segment;
pub mod side;
pub mod statement;

//! `courtyard`: the one binary. Everything but argument parsing lives in the
//! library crates.

mod bench;
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

//! `courtyard`: the one binary. Everything but argument parsing lives in the
//! library crates.

mod bench;
mod cli;

fn main() -> std::process::ExitCode {
    // A PDF child (docs/adr/0013): no configuration, no logging, no runtime.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == courtyard_app::PDF_CHILD_ARG)
    {
        let code = courtyard_app::pdf_child_main();
        return std::process::ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    cli::main()
}

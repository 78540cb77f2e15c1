//! The PDF child on its own (the `courtyard` binary is one too, with
//! `__pdf-render`): what the tests start for sandboxed templates.

fn main() {
    std::process::exit(courtyard_pdf::sandbox::child_main());
}

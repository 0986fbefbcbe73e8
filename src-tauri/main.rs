// Release builds on Windows get no console window; the CLI subcommands still print when run
// from a terminal.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(clickdial_app::main())
}

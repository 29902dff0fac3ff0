//! The `miniapp` command line: a thin shell over `miniapp_compiler`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miniapp_compiler::render::{self, Checked};
use miniapp_compiler::{Options, Report, codes};

#[derive(Parser)]
#[command(name = "miniapp", version, about = "Validate Karzoun MiniApp definitions (and, soon, compile them to Rust)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check definitions and report every problem with its location.
    ///
    /// Exit status: 0 when there are no errors (warnings allowed), 1 when there are errors (or
    /// warnings with --deny-warnings), 2 on usage errors or unreadable files.
    Check {
        /// Definition files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as failures.
        #[arg(long)]
        deny_warnings: bool,
        /// Also apply the review rules for a partner submission (FORMAT.md §14).
        #[arg(long)]
        submission: bool,
    },
    /// Print the long explanation of a diagnostic code (e.g. `miniapp explain E0105`).
    Explain {
        /// The code, e.g. E0105.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
    },
    /// Print the JSON Schema of the definition document (draft 2020-12).
    Schema,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Check { files, format, deny_warnings, submission } => {
            check(&mut stdout, &files, format, deny_warnings, &Options { submission })
        }
        Command::Explain { code, list } => {
            if list {
                write!(stdout, "{}", render::code_list()).map(|_| ExitCode::SUCCESS)
            } else {
                let id = code.unwrap_or_default();
                match codes::lookup(&id) {
                    Some(code) => write!(stdout, "{}", render::explain(&code)).map(|_| ExitCode::SUCCESS),
                    None => {
                        eprintln!("error: `{id}` is not a miniapp diagnostic code (see `miniapp explain --list`)");
                        Ok(ExitCode::from(2))
                    }
                }
            }
        }
        Command::Schema => writeln!(stdout, "{}", miniapp_compiler::schema::SCHEMA.trim_end()).map(|_| ExitCode::SUCCESS),
    };
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    result.unwrap_or(ExitCode::from(2))
}

fn check(out: &mut impl Write, files: &[PathBuf], format: Format, deny_warnings: bool, options: &Options) -> std::io::Result<ExitCode> {
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut unreadable = false;
    for path in files {
        match std::fs::read(path) {
            Ok(bytes) => reports.push((path.display().to_string(), miniapp_compiler::check(&bytes, options))),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                unreadable = true;
            }
        }
    }
    let checked: Vec<Checked<'_>> = reports.iter().map(|(file, report)| Checked { file, report }).collect();
    match format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for c in &checked {
                write!(out, "{}", render::human(c, color))?;
            }
            for c in &checked {
                writeln!(out, "{}", render::summary(c))?;
            }
        }
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&render::json(&checked)).unwrap_or_default())?,
        Format::Sarif => writeln!(out, "{}", serde_json::to_string_pretty(&render::sarif(&checked)).unwrap_or_default())?,
    }
    let errors = reports.iter().any(|(_, r)| r.has_errors());
    let warnings = reports.iter().any(|(_, r)| !r.diagnostics.is_empty());
    Ok(if unreadable {
        ExitCode::from(2)
    } else if errors || (deny_warnings && warnings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

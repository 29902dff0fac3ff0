//! The `miniapp` command line: a thin shell over `miniapp_compiler`, and (`replay`, `invoke`) over
//! the `miniapp` runtime, which runs a definition without generating code.

use miniapp_cli::{lsp, run};

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miniapp_compiler::render::{self, Checked};
use miniapp_compiler::{Options, Report, codes};

#[derive(Parser)]
#[command(
    name = "miniapp",
    version,
    about = "Check Karzoun MiniApp definitions and compile them to typed Rust connectors",
    long_about = "Check Karzoun MiniApp definitions and compile them to typed Rust connectors.\n\n\
        `miniapp check FILE` reports every problem with its line and column; `miniapp explain CODE` \
        says more about one; `miniapp generate FILE` writes the Rust module (or, with --crate, a \
        crate); `miniapp schema` prints the JSON Schema for editors. The format is described in \
        docs/format.md of the miniapp-rs repository."
)]
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
        /// Also apply the review rules for a partner submission (listing, status, secrets in the
        /// definition, documented `compute` functions).
        #[arg(long)]
        submission: bool,
        /// Check every path that reads provider data against the samples in DIR (one definition
        /// only). By default each definition's `<name>.samples/` folder is used when it exists.
        #[arg(long, value_name = "DIR", conflicts_with = "no_samples")]
        samples: Option<PathBuf>,
        /// Ignore samples folders.
        #[arg(long)]
        no_samples: bool,
    },
    /// Generate the Rust connector for a definition: one formatted file (stdout or `-o`), or a
    /// standalone crate (`--crate DIR`: Cargo.toml, src/lib.rs, src/connector.rs, README.md).
    ///
    /// Exit status: 0 when the code was written (warnings allowed), 1 when the definition has
    /// errors, 2 on usage errors or unreadable files.
    Generate {
        /// The definition file (JSON).
        file: PathBuf,
        /// Write the module here instead of stdout.
        #[arg(short, long, conflicts_with = "crate_dir")]
        output: Option<PathBuf>,
        /// Write a standalone crate into this directory.
        #[arg(long = "crate", value_name = "DIR")]
        crate_dir: Option<PathBuf>,
        /// Where the crate gets the `miniapp` runtime: the `runtime/` directory of a miniapp-rs
        /// checkout, or its git URL (`https://…`, `git+URL`, with an optional `#REV`). Without
        /// it, Cargo.toml holds a placeholder and a comment saying what to set.
        #[arg(long, value_name = "PATH|GIT-URL", requires = "crate_dir", value_parser = parse_runtime)]
        runtime: Option<miniapp_compiler::scaffold::Runtime>,
        /// Type outputs and records from the samples in DIR (and check paths against them). By
        /// default the definition's `<name>.samples/` folder is used when it exists.
        #[arg(long, value_name = "DIR", conflicts_with = "no_samples")]
        samples: Option<PathBuf>,
        /// Ignore the samples folder.
        #[arg(long)]
        no_samples: bool,
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
    /// Run one captured webhook delivery through the definition's webhook block, with the
    /// runtime a compiled connector uses (no code is generated): verification, event, delivery
    /// id, customer, sync handler record. Prints the `Delivery` or the `Rejection` as JSON.
    ///
    /// Exit status: 0 for a delivery, 1 for a rejection, 2 on usage errors, unreadable files or
    /// a definition with errors.
    Replay {
        /// The definition file (JSON).
        file: PathBuf,
        /// A captured delivery: `{"headers": {"Name": "value"}, "query": "a=1", "body": {…}}`,
        /// or `"bodyText": "…"` for the exact bytes the signature covers.
        #[arg(long, value_name = "FILE", required_unless_present = "body", conflicts_with = "body")]
        delivery: Option<PathBuf>,
        /// The raw body instead (give headers with -H and the query with --query).
        #[arg(long, value_name = "FILE")]
        body: Option<PathBuf>,
        /// A header, `Name: value` (repeatable; added to the captured delivery's).
        #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// The query string (replaces the captured delivery's).
        #[arg(long)]
        query: Option<String>,
        /// A credential of the install, by the definition's key name: the verification's
        /// secret, e.g. `--secret hookSigningKey=whsec_…` (repeatable).
        #[arg(long = "secret", value_name = "KEY=VALUE")]
        secrets: Vec<String>,
        /// The install's credentials and metadata: a JSON object by the definition's key names.
        #[arg(long, value_name = "FILE")]
        credentials: Option<PathBuf>,
        /// Read samples from DIR (they type the handler's record, as in the compiled connector).
        #[arg(long, value_name = "DIR", conflicts_with = "no_samples")]
        samples: Option<PathBuf>,
        /// Ignore the samples folder.
        #[arg(long)]
        no_samples: bool,
    },
    /// Run one action of the definition against the provider (a sandbox, or a local server with
    /// --base-url), with the runtime a compiled connector uses (no code is generated). Prints the
    /// output, typed as the connector types it, or the error, as JSON, secrets masked.
    ///
    /// Exit status: 0 with an output, 1 with an error from the provider or the runtime, 2 on
    /// usage errors, unreadable files or a definition with errors.
    Invoke {
        /// The definition file (JSON).
        file: PathBuf,
        /// The action's `name`.
        action: String,
        /// The input: a JSON object of the action's parameters, or `@FILE`.
        #[arg(long, default_value = "{}")]
        input: String,
        /// The install's credentials and metadata: a JSON object by the definition's key names
        /// (`{"accessToken": "…", "storeId": "…"}`).
        #[arg(long, value_name = "FILE")]
        credentials: Option<PathBuf>,
        /// Send every request to this origin instead of the definition's (paths are kept).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Read samples from DIR (they type the output, as in the compiled connector).
        #[arg(long, value_name = "DIR", conflicts_with = "no_samples")]
        samples: Option<PathBuf>,
        /// Ignore the samples folder.
        #[arg(long)]
        no_samples: bool,
    },
    /// Run the language server (LSP 3.17 over stdio) for definitions: every diagnostic while you
    /// type, quick fixes, hovers, definitions, references and completions.
    Lsp,
    /// Print the JSON Schema of the definition document (draft 2020-12), for editors: add
    /// `"$schema": "<path to the saved schema>"` to a definition for completion and hover docs.
    Schema,
}

fn parse_runtime(spec: &str) -> Result<miniapp_compiler::scaffold::Runtime, String> {
    miniapp_compiler::scaffold::Runtime::parse(spec)
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Lsp = cli.command {
        // The server writes stdout from its own thread: the lock below would block it.
        return match lsp::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        };
    }
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Command::Check { files, format, deny_warnings, submission, samples, no_samples } => {
            if samples.is_some() && files.len() > 1 {
                eprintln!(
                    "error: --samples DIR applies to one definition; check the others separately (or rely on their `<name>.samples/` folders)"
                );
                return ExitCode::from(2);
            }
            let samples = Samples { explicit: samples, ignore: no_samples };
            check(&mut stdout, &files, format, deny_warnings, submission, &samples)
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
        Command::Generate { file, output, crate_dir, runtime, samples, no_samples } => {
            let samples = Samples { explicit: samples, ignore: no_samples };
            generate(&mut stdout, &file, output, crate_dir, runtime, &samples)
        }
        Command::Replay { file, delivery, body, headers, query, secrets, credentials, samples, no_samples } => run::replay(
            &mut stdout,
            &run::Replay {
                file: &file,
                delivery: delivery.as_deref(),
                body: body.as_deref(),
                headers: &headers,
                query: query.as_deref(),
                secrets: &secrets,
                credentials: credentials.as_deref(),
                samples: samples.as_deref(),
                no_samples,
            },
        ),
        Command::Invoke { file, action, input, credentials, base_url, samples, no_samples } => run::invoke(
            &mut stdout,
            &run::Invoke {
                file: &file,
                action: &action,
                input: &input,
                credentials: credentials.as_deref(),
                base_url: base_url.as_deref(),
                samples: samples.as_deref(),
                no_samples,
            },
        ),
        Command::Lsp => Ok(ExitCode::SUCCESS),
        Command::Schema => writeln!(stdout, "{}", miniapp_compiler::schema::SCHEMA.trim_end()).map(|_| ExitCode::SUCCESS),
    };
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    result.unwrap_or(ExitCode::from(2))
}

/// Where the samples come from: `--samples DIR`, `--no-samples`, or the conventional folder.
struct Samples {
    explicit: Option<PathBuf>,
    ignore: bool,
}

impl Samples {
    /// The options for checking `definition`: its samples, or why they cannot be read.
    fn options(&self, definition: &Path, submission: bool) -> Result<Options, String> {
        let samples = if self.ignore { None } else { miniapp_compiler::samples::for_definition(definition, self.explicit.as_deref())? };
        Ok(Options { submission, samples: samples.map(std::sync::Arc::new) })
    }
}

fn check(
    out: &mut impl Write,
    files: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    submission: bool,
    samples: &Samples,
) -> std::io::Result<ExitCode> {
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut unreadable = false;
    for path in files {
        let read = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()));
        match read.and_then(|bytes| Ok((bytes, samples.options(path, submission)?))) {
            Ok((bytes, options)) => reports.push((path.display().to_string(), miniapp_compiler::check(&bytes, &options))),
            Err(e) => {
                eprintln!("error: {e}");
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

fn generate(
    out: &mut impl Write,
    file: &Path,
    output: Option<PathBuf>,
    crate_dir: Option<PathBuf>,
    runtime: Option<miniapp_compiler::scaffold::Runtime>,
    samples: &Samples,
) -> std::io::Result<ExitCode> {
    let read = std::fs::read(file).map_err(|e| format!("cannot read `{}`: {e}", file.display()));
    let (bytes, options) = match read.and_then(|bytes| Ok((bytes, samples.options(file, false)?))) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let name = file.display().to_string();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let generated = match miniapp_compiler::generate(&bytes, &options) {
        Ok(generated) => generated,
        Err(report) => {
            let checked = Checked { file: &name, report: &report };
            eprint!("{}", render::human(&checked, color));
            eprintln!("{}", render::summary(&checked));
            return Ok(ExitCode::from(1));
        }
    };
    let checked = Checked { file: &name, report: &generated.report };
    eprint!("{}", render::human(&checked, color));
    let header = format!(
        "// Generated by miniapp-compiler from `{}`. Do not edit.\n\n",
        file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    );
    match (output, crate_dir) {
        (Some(path), _) => std::fs::write(path, format!("{header}{}", generated.code))?,
        (None, Some(dir)) => {
            let dependency = runtime.as_ref().map(miniapp_compiler::scaffold::Runtime::dependency);
            if dependency.is_none() {
                eprintln!(
                    "warning: no --runtime given: set the `miniapp` dependency in {} before building (the comment there says how), or run again with --runtime PATH-OR-GIT-URL",
                    dir.join("Cargo.toml").display()
                );
            }
            let files = miniapp_compiler::scaffold::crate_files(&generated, dependency.as_deref());
            for (rel, text) in files {
                let path = dir.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(path, text)?;
            }
        }
        (None, None) => write!(out, "{header}{}", generated.code)?,
    }
    Ok(ExitCode::SUCCESS)
}

//! Samples: the provider's data, next to the definition, as part of the build.
//!
//! A samples folder (`<definition stem>.samples/` by convention) holds what the provider sends:
//!
//! | File | What it is |
//! |---|---|
//! | `webhooks/<event>.json` | a delivery body of that event |
//! | `webhooks/_challenge.json` | the body of the provider's URL-verification handshake |
//! | `actions/<action>/<step>.json` | the response of the action's step (`<step>` from 1) |
//! | `sync/<resource>/list.json` | a list page of the resource |
//! | `sync/<resource>/details.json` | a details response of the resource |
//! | `sources/<key>.json` | the response of the dropdown source |
//! | `auth/get_token.json`, `auth/user_details.json` | the token and user-details responses |
//!
//! Any of these may instead be a folder of several samples (`webhooks/order.placed/*.json`); they
//! count as one, their types unify. The checks ([`crate::check`](mod@crate::check)) resolve every
//! path that reads provider data against its samples (codes `W0901`–`E0904`), and lowering types
//! outputs and records from what the paths find ([`shape`]).

pub mod shape;
pub mod walk;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// What a sample is a sample of.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Webhook(String),
    Challenge,
    ActionStep { action: String, step: usize },
    SyncList(String),
    SyncDetails(String),
    Source(String),
    GetToken,
    UserDetails,
}

/// One sample document.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Its path in the samples folder, with `/` separators: `webhooks/order.placed.json`.
    pub file: String,
    pub target: Target,
    pub value: Value,
}

/// A file of the samples folder that is not a usable sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// Not where the layout puts samples.
    Unknown { file: String },
    /// Not JSON (or not UTF-8).
    NotJson { file: String, line: usize, column: usize, message: String },
}

/// Every sample of one definition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples {
    /// The folder, as shown in messages.
    pub dir: String,
    /// The samples, sorted by file.
    pub samples: Vec<Sample>,
    /// The files that could not be used.
    pub problems: Vec<FileProblem>,
    /// Every file read (absolute when loaded from disk), for rebuild tracking.
    pub files: Vec<PathBuf>,
}

impl Samples {
    /// Reads a samples folder. Files are read whole; a folder that cannot be listed is an error,
    /// a file that is not JSON is a [`FileProblem`].
    pub fn load(dir: &Path) -> std::io::Result<Samples> {
        let mut found = Vec::new();
        walk_dir(dir, dir, &mut found)?;
        found.sort();
        let mut files = Vec::new();
        let mut read = Vec::new();
        for (rel, path) in found {
            read.push((rel, std::fs::read(&path)?));
            files.push(path);
        }
        let mut samples = Samples::from_files(dir.display().to_string(), read);
        samples.files = files;
        Ok(samples)
    }

    /// Samples from in-memory files: `(path relative to the folder with / separators, bytes)`.
    pub fn from_files(dir: impl Into<String>, files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Samples {
        let mut samples = Samples { dir: dir.into(), ..Samples::default() };
        let mut files: Vec<(String, Vec<u8>)> = files.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (file, bytes) in files {
            let name = file.rsplit('/').next().unwrap_or_default();
            if name.starts_with('.') || name.to_ascii_lowercase().starts_with("readme") {
                continue;
            }
            let Some(target) = target_of(&file) else {
                samples.problems.push(FileProblem::Unknown { file });
                continue;
            };
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => samples.samples.push(Sample { file, target, value }),
                Err(e) => samples.problems.push(FileProblem::NotJson {
                    file,
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
                }),
            }
        }
        samples
    }

    /// The samples of `target`, in file order.
    pub fn of(&self, target: Target) -> impl Iterator<Item = &Sample> {
        self.samples.iter().filter(move |s| s.target == target)
    }

    /// Every delivery sample (not the challenge).
    pub fn webhooks(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter().filter(|s| matches!(s.target, Target::Webhook(_)))
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty() && self.problems.is_empty()
    }
}

/// The conventional samples folder of a definition: `acme-shop.json` → `acme-shop.samples`
/// beside it.
pub fn conventional_dir(definition: &Path) -> PathBuf {
    let stem = definition.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    definition.with_file_name(format!("{stem}.samples"))
}

/// The samples of a definition, as every front end finds them: the `explicit` folder when one is
/// given (an error when it cannot be read), else the conventional one when it exists, else none.
pub fn for_definition(definition: &Path, explicit: Option<&Path>) -> Result<Option<Samples>, String> {
    let (dir, required) = match explicit {
        Some(dir) => (dir.to_path_buf(), true),
        None => (conventional_dir(definition), false),
    };
    if !required && !dir.is_dir() {
        return Ok(None);
    }
    Samples::load(&dir).map(Some).map_err(|e| format!("cannot read the samples folder `{}`: {e}", dir.display()))
}

fn walk_dir(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk_dir(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push((rel.join("/"), path));
        }
    }
    Ok(())
}

/// Where a file belongs in the layout, if anywhere.
fn target_of(file: &str) -> Option<Target> {
    let parts: Vec<&str> = file.split('/').collect();
    // `name.json` directly, or `name/<anything>.json`.
    let named = |rest: &[&str]| -> Option<String> {
        match rest {
            [file] => file.strip_suffix(".json").filter(|s| !s.is_empty()).map(str::to_string),
            [folder, file] if file.ends_with(".json") => Some(folder.to_string()),
            _ => None,
        }
    };
    match parts.as_slice() {
        ["webhooks", rest @ ..] => named(rest).map(|e| if e == "_challenge" { Target::Challenge } else { Target::Webhook(e) }),
        ["actions", action, rest @ ..] => {
            let step = named(rest)?.parse::<usize>().ok().filter(|s| *s >= 1)?;
            Some(Target::ActionStep { action: action.to_string(), step })
        }
        ["sync", resource, rest @ ..] => match named(rest)?.as_str() {
            "list" => Some(Target::SyncList(resource.to_string())),
            "details" => Some(Target::SyncDetails(resource.to_string())),
            _ => None,
        },
        ["sources", rest @ ..] => named(rest).map(Target::Source),
        ["auth", rest @ ..] => match named(rest)?.as_str() {
            "get_token" => Some(Target::GetToken),
            "user_details" => Some(Target::UserDetails),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_layout() {
        for (file, target) in [
            ("webhooks/order.placed.json", Some(Target::Webhook("order.placed".into()))),
            ("webhooks/order.placed/late.json", Some(Target::Webhook("order.placed".into()))),
            ("webhooks/_challenge.json", Some(Target::Challenge)),
            ("actions/createCoupon/1.json", Some(Target::ActionStep { action: "createCoupon".into(), step: 1 })),
            ("actions/createCoupon/2/a.json", Some(Target::ActionStep { action: "createCoupon".into(), step: 2 })),
            ("actions/createCoupon/0.json", None),
            ("actions/createCoupon/first.json", None),
            ("sync/orders/list.json", Some(Target::SyncList("orders".into()))),
            ("sync/orders/details/x.json", Some(Target::SyncDetails("orders".into()))),
            ("sync/orders/page.json", None),
            ("sources/statuses.json", Some(Target::Source("statuses".into()))),
            ("auth/get_token.json", Some(Target::GetToken)),
            ("auth/user_details/a.json", Some(Target::UserDetails)),
            ("auth/refresh.json", None),
            ("webhooks/a/b/c.json", None),
            ("notes.txt", None),
        ] {
            assert_eq!(target_of(file), target, "{file}");
        }
    }

    #[test]
    fn problems_and_skipped_files() {
        let s = Samples::from_files(
            "x.samples",
            [
                ("webhooks/a.json".to_string(), b"{\"id\": 1}".to_vec()),
                ("webhooks/b.json".to_string(), b"{\"id\": ".to_vec()),
                ("README.md".to_string(), b"notes".to_vec()),
                (".DS_Store".to_string(), vec![0]),
                ("hooks/a.json".to_string(), b"{}".to_vec()),
            ],
        );
        assert_eq!(s.samples.len(), 1);
        assert_eq!(s.problems[0], FileProblem::Unknown { file: "hooks/a.json".into() });
        assert!(matches!(&s.problems[1], FileProblem::NotJson { file, line: 1, .. } if file == "webhooks/b.json"));
    }
}

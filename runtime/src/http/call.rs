//! One action run: its variables, its result, and the store as read when it began.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Engine;
use crate::Error;
use crate::rt::template::{self, Tpl};
use crate::rt::{RequestTemplate, Vars};
use crate::store::Snapshot;

/// One action run: its variables (input, then step outputs), its result, and the store as read
/// once when it began.
pub struct Call<'e> {
    pub(super) engine: &'e Engine,
    pub(super) vars: Vars,
    pub(super) result: Vars,
    /// The last HTTP step's outputs and whether they are an object mapping, not yet merged
    /// into `vars` and `result`: the final step's move straight into the result.
    pub(super) pending: Option<(Vars, bool)>,
    pub(super) snapshot: Snapshot,
    pub(super) system: Vec<(&'static str, String)>,
}

/// Shows the variable names only: step outputs can be tokens.
impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("app", &self.engine.app().ns)
            .field("vars", &self.vars.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Call<'_> {
    /// Runs an HTTP step; its outputs become variables of later steps, and an object mapping
    /// becomes the result so far.
    pub async fn step(&mut self, t: &RequestTemplate) -> Result<(), Error> {
        self.settle();
        let out = self.engine.execute(t, &self.vars, &mut self.snapshot, &[]).await?;
        self.pending = Some((out, t.mapping.object));
        Ok(())
    }

    /// Merges the last step's outputs into the variables (and, for an object mapping, makes
    /// them the result so far).
    fn settle(&mut self) {
        if let Some((out, object)) = self.pending.take() {
            if object {
                self.result = out.clone();
            }
            self.vars.extend(out);
        }
    }

    /// Renders an App Function step's arguments.
    pub fn args<T: DeserializeOwned>(&mut self, function: &str, args: &Tpl) -> Result<T, Error> {
        self.settle();
        let value = template::render_value(args, &self.engine.scope(&self.vars, &self.snapshot, &self.system), function)?;
        serde_json::from_value(value).map_err(|e| Error::Function { function: function.to_string(), message: e.to_string() })
    }

    /// Merges an App Function's returned keys into the variables and the result.
    pub fn merge(&mut self, returned: Map<String, Value>) {
        self.settle();
        self.result.extend(returned.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.vars.extend(returned);
    }

    /// The action's result, as its output type.
    pub fn finish<T: DeserializeOwned>(mut self, action: &str) -> Result<T, Error> {
        if let Some((out, true)) = self.pending.take() {
            self.result = out;
        }
        self.result.deserialize().map_err(|e| Error::Output { action: action.to_string(), message: e.to_string() })
    }
}

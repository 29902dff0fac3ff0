//! One action run: its variables, its result, and the store as read when it began.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Engine;
use crate::Error;
use crate::rt::RequestTemplate;
use crate::rt::template::{self, Tpl};
use crate::store::Snapshot;

/// One action run: its variables (input, then step outputs), its result, and the store as read
/// once when it began.
pub struct Call<'e> {
    pub(super) engine: &'e Engine,
    pub(super) vars: Map<String, Value>,
    pub(super) result: Map<String, Value>,
    pub(super) snapshot: Snapshot,
    pub(super) system: Vec<(&'static str, String)>,
}

/// Shows the variable names only: step outputs can be tokens.
impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("app", &self.engine.app().ns)
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Call<'_> {
    /// Runs an HTTP step; its outputs become variables of later steps, and an object mapping
    /// becomes the result so far.
    pub async fn step(&mut self, t: &RequestTemplate) -> Result<(), Error> {
        let out = self.engine.execute(t, &self.vars, &mut self.snapshot, &[]).await?;
        if t.mapping.object {
            self.result = out.clone();
        }
        self.vars.extend(out);
        Ok(())
    }

    /// Renders an App Function step's arguments.
    pub fn args<T: DeserializeOwned>(&self, function: &str, args: &Tpl) -> Result<T, Error> {
        let value = template::render_value(args, &self.engine.scope(&self.vars, &self.snapshot, &self.system), function)?;
        serde_json::from_value(value).map_err(|e| Error::Function { function: function.to_string(), message: e.to_string() })
    }

    /// Merges an App Function's returned keys into the variables and the result.
    pub fn merge(&mut self, returned: Map<String, Value>) {
        self.result.extend(returned.clone());
        self.vars.extend(returned);
    }

    /// The action's result, as its output type.
    pub fn finish<T: DeserializeOwned>(self, action: &str) -> Result<T, Error> {
        serde_json::from_value(Value::Object(self.result)).map_err(|e| Error::Output { action: action.to_string(), message: e.to_string() })
    }
}

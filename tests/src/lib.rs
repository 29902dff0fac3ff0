//! The connectors generated from `examples/definitions/` and `fixtures/` (by `build.rs`), for
//! the end-to-end tests.

macro_rules! connectors {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("The `", stringify!($name), "` example connector.")]
            pub mod $name {
                include!(concat!(env!("OUT_DIR"), "/", stringify!($name), ".rs"));
            }
        )*
    };
}

pub mod redis_server;

connectors!(
    acme_shop,
    bookwise,
    chatly,
    cloudbox,
    forgehub,
    github,
    hazards,
    helpdesk,
    hookbox,
    oddities,
    paging,
    pipeline_crm,
    relay,
    shopify,
    woocommerce,
);

/// The `acme_shop` connector's sync `compute` helper, for the tests: `acmeSalesChannel` answers
/// the resolved `source` argument as `channel:<source>` (so a test sees what it was given), and
/// fails on `origin: "fail"`.
#[derive(Clone, Copy, Debug, Default)]
pub struct AcmeFunctions;

impl acme_shop::Functions for AcmeFunctions {
    fn compute_acme_sales_channel(&self, input: &miniapp::sync::ComputeInput) -> Result<miniapp::serde_json::Value, String> {
        match input.arg("source") {
            Some(miniapp::serde_json::Value::String(s)) if s == "fail" => Err("no channel for `fail`".to_string()),
            Some(miniapp::serde_json::Value::String(s)) => Ok(format!("channel:{s}").into()),
            _ => Ok(miniapp::serde_json::Value::Null),
        }
    }
}

/// For the benches: the median of `rounds` per-round ratios `b / a`. Each round times `n` runs of
/// `a`, `2n` of `b`, then `n` of `a` again (interleaved, so both see the same machine; in that
/// order, so neither gains from always running first or second).
pub fn median_ratio(rounds: usize, n: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> f64 {
    let time = |f: &mut dyn FnMut(), runs: usize| {
        let start = std::time::Instant::now();
        (0..runs).for_each(|_| f());
        start.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|_| {
            let first = time(&mut a, n);
            let middle = time(&mut b, 2 * n);
            let last = time(&mut a, n);
            middle / (first + last)
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

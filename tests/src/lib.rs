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

connectors!(acme_shop, bookwise, chatly, cloudbox, forgehub, hookbox, oddities, pipeline_crm, relay);

//! The text of a definition: the spanned JSON tree ([`source`]), JSON pointers ([`pointer`](mod@pointer)),
//! template strings ([`template`]) and path expressions ([`path`]).

pub mod path;
pub mod pointer;
pub mod source;
pub mod template;

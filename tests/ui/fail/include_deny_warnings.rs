// Warnings pass by default; `deny_warnings` makes them errors.
mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/W0414-dead-source.json", deny_warnings);
}

fn main() {}

mod connector {
    miniapp::include_miniapp!("../../corpus/invalid/E0703-comment.json");
}

fn main() {}

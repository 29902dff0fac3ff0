// In the inline macro, a warning points at the token it is about.
mod tiny {
    miniapp::miniapp! {
        "ns": "tiny",
        "name": "tiny",
        "type": "tiny",
        "title": "Tiny",
        "label": "Tiny",
        "description": "A tiny app.\n\n## Setup\n1. Paste a token.",
        "shortDescription": "Tiny",
        "status": "private",
        "version": "1.0.0",
        "category": "developer",
        "icon": "https://tiny.example/icon.svg",
        "logo": "https://tiny.example/logo.svg",
        "docsUrl": "https://tiny.example/docs",
        "auth": { "type": "bearer_token", "sensitiveKeys": ["apiToken"], "config": { "apiToken": "" } },
        "source": {
            "rpc_tags": { "url": "https://tiny.example/tags", "method": "GET", "headers": { "Authorization": "Bearer [[apiToken]]" }, "dataPath": "$.tags", "valueField": "id", "labelField": "name" }
        }
    }
}

fn main() {
    let _ = tiny::NS;
    compile_error!("the end of the test: the warning above is what it checks");
}

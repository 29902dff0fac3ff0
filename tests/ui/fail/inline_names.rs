mod connector {
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
        "actions": [
            { "name": "getUser", "title": "A", "description": "A", "requests": [{ "url": "https://api.tiny.example/a", "method": "GET", "mapping": {} }] },
            { "name": "get_user", "title": "B", "description": "B", "requests": [{ "url": "https://api.tiny.example/b", "method": "GET", "mapping": {} }] }
        ]
    }
}

fn main() {}

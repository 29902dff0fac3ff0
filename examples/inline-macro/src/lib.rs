//! Usage mode: the definition is written inline, as JSON tokens, with `miniapp!`. A mistake in it
//! is a compile error pointing at the offending token.

/// A status-page connector, compiled from the definition below.
pub mod status_page {
    miniapp::miniapp! {
        "ns": "status-page",
        "name": "status-page",
        "type": "status-page",
        "title": "Status Page",
        "label": "Status",
        "description": "Open incidents from conversations.\n\n## Setup\n1. Paste an API token.",
        "shortDescription": "Incidents for your status page",
        "status": "private",
        "version": "1.0.0",
        "category": "developer",
        "icon": "https://status.example/icon.svg",
        "logo": "https://status.example/logo.svg",
        "docsUrl": "https://status.example/docs",
        "auth": { "type": "bearer_token", "sensitiveKeys": ["apiToken"], "config": { "apiToken": "" } },
        "actions": [
            {
                "name": "openIncident",
                "title": "Open an incident",
                "description": "Creates an incident on a page",
                "parameters": {
                    "type": "object",
                    "required": ["page", "title"],
                    "properties": {
                        "page": { "type": "string", "title": "Page" },
                        "title": { "type": "string", "title": "Title" },
                        "impact": { "type": "string", "enum": ["minor", "major"], "default": "minor" }
                    }
                },
                "requests": [
                    {
                        "url": "https://api.status.example/pages/{{page}}/incidents",
                        "method": "POST",
                        "headers": { "Authorization": "Bearer [[apiToken]]" },
                        "body": { "name": "{{title}}", "impact": "{{impact}}" },
                        "mapping": { "incidentId": "$.incident.id", "url": "$.incident.shortlink" }
                    }
                ]
            }
        ]
    }
}

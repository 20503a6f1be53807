//! The OpenAPI 3.1 document served at `/openapi.json`, written by hand next to the routes it
//! describes (a test checks that every route is in it). Schemas name the JSON types of the
//! README's contract; their fields are documented there.

use serde_json::{json, Value};

/// Every path of the API with its methods, parameters, bodies and answers.
pub(crate) fn document() -> Value {
    let error = json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |schema: &str| json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let list = |schema: &str| json!({"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}}}}});
    let id = |name: &str, what: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": what});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wiretrace",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Where did this news come from? The stored corpus of `wiretrace serve`: articles, pairs with their sentence alignments, stories, derivations and quotes. The JSON types are those of `wiretrace analyze --json` (README, JSON output)."
        },
        "paths": {
            "/healthz": {"get": {"summary": "liveness and the number of stored articles", "responses": {"200": {"description": "ok"}, "500": error}}},
            "/openapi.json": {"get": {"summary": "this document", "responses": {"200": {"description": "ok"}}}},
            "/stats": {"get": {"summary": "what the store holds", "responses": {"200": ok("Stats"), "500": error}}},
            "/articles": {"post": {
                "summary": "add articles (one object or an array); only new ones are stored",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/ArticleInput"}, {"type": "array", "items": {"$ref": "#/components/schemas/ArticleInput"}}]}}}},
                "responses": {"200": {"description": "what was added, and what the store holds"}, "400": error, "401": error, "403": error, "409": error, "413": error}
            }},
            "/articles/{id}": {"get": {"summary": "one stored article: its summary and text", "parameters": [id("id", "article id")], "responses": {"200": ok("Article"), "404": error}}},
            "/articles/{id}/provenance": {"get": {"summary": "where an article came from: its story's derivations, its pairs and quotes", "parameters": [id("id", "article id")], "responses": {"200": ok("Analysis"), "404": error}}},
            "/check": {"post": {
                "summary": "one article against the store, not stored",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleInput"}}}},
                "responses": {"200": ok("Analysis"), "400": error, "409": error, "413": error}
            }},
            "/stories": {"get": {"summary": "every story, largest first", "responses": {"200": list("Story")}}},
            "/stories/{id}": {"get": {"summary": "one story: its articles, pairs, derivations and quotes", "parameters": [id("id", "story id (s1, s2, …)")], "responses": {"200": ok("Analysis"), "404": error}}},
            "/pairs/{a}/{b}": {"get": {"summary": "the relation and sentence alignment of two articles", "parameters": [id("a", "article id"), id("b", "article id")], "responses": {"200": ok("Pair"), "404": error}}},
            "/quotes": {"get": {"summary": "quote groups, optionally of one speaker", "parameters": [{"name": "speaker", "in": "query", "required": false, "schema": {"type": "string"}, "description": "part of the speaker's name, any case"}], "responses": {"200": list("QuoteGroup")}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "ArticleInput": {"type": "object", "required": ["text"], "properties": {
                    "id": {"type": "string", "description": "required by POST /articles"},
                    "title": {"type": "string"}, "text": {"type": "string"}, "url": {"type": "string"},
                    "source": {"type": "string"}, "published": {"type": "string", "format": "date-time"}, "lang": {"type": "string"}}},
                "Article": {"type": "object", "description": "ArticleSummary plus `text`: the title, a blank line and the body (the text spans point into)"},
                "Stats": {"type": "object", "required": ["articles", "pairs", "stories", "quotes", "schema_version", "parameters"]},
                "Analysis": {"type": "object", "required": ["version", "articles", "stories", "pairs", "derivations", "undirected", "quotes"]},
                "Story": {"type": "object", "required": ["id", "articles", "label"]},
                "Pair": {"type": "object", "required": ["a", "b", "relation", "similarity", "confidence", "reuse", "alignments"]},
                "QuoteGroup": {"type": "object", "required": ["id", "speaker", "altered", "fidelity", "variants"]}
            }
        }
    })
}

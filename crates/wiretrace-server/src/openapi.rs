//! The OpenAPI 3.1 document served at `/openapi.json`, written by hand next to the routes it
//! describes (a test checks that every route is in it). Schemas name the JSON types of the
//! README's contract; their fields are documented there.

use serde_json::{json, Value};

/// Every path of the API with its methods, parameters, bodies and answers.
pub(crate) fn document() -> Value {
    let mut doc = api_document();
    // The web UI's routes and types, in a second `json!` (one would pass the macro's recursion
    // limit).
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), ui_paths()) {
        paths.extend(more);
    }
    if let (Some(schemas), Value::Object(more)) =
        (doc["components"]["schemas"].as_object_mut(), ui_schemas())
    {
        schemas.extend(more);
    }
    doc
}

fn api_document() -> Value {
    let error = json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |schema: &str| json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let list = |schema: &str| json!({"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}}}}});
    let id = |name: &str, what: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": what});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wiretrace",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Where did this news come from? The stored corpus of `wiretrace serve`: articles, pairs with their sentence alignments, stories, derivations and quotes. The JSON types are those of `wiretrace analyze --json` (README, JSON output). The web UI (HTML, under /ui/) is drawn from these routes; /search and the two /view routes exist for it."
        },
        "paths": {
            "/healthz": {"get": {"summary": "liveness and the number of stored articles", "responses": {"200": {"description": "ok"}, "500": error}}},
            "/openapi.json": {"get": {"summary": "this document", "responses": {"200": {"description": "ok"}}}},
            "/stats": {"get": {"summary": "what the store holds", "responses": {"200": ok("Stats"), "500": error}}},
            "/articles": {"post": {
                "summary": "add articles (one object or an array); only new ones are stored",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/ArticleInput"}, {"type": "array", "items": {"$ref": "#/components/schemas/ArticleInput"}}]}}}},
                "responses": {"200": {"description": "what was added (with where the time went), and what the store holds", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IngestReply"}}}}, "400": error, "401": error, "403": error, "409": error, "413": error}
            }},
            "/articles/{id}": {"get": {"summary": "one stored article: its summary and text", "parameters": [id("id", "article id")], "responses": {"200": ok("Article"), "404": error}}},
            "/articles/{id}/provenance": {"get": {"summary": "where an article came from: its story's derivations, its pairs and quotes", "parameters": [id("id", "article id")], "responses": {"200": ok("Analysis"), "404": error}}},
            "/check": {"post": {
                "summary": "one article against the store, not stored",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleInput"}}}},
                "responses": {"200": ok("Analysis"), "400": error, "409": error, "413": error}
            }},
            "/stories": {"get": {"summary": "every story, largest first; with `offset` or `limit`, a page of them", "parameters": [
                {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0}},
                {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 500, "default": 100}, "description": "stories in the page (with `offset` alone: 100)"}
            ], "responses": {"200": list("Story"), "400": error}}},
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
                "IngestReply": {"type": "object", "required": ["ingest", "store"], "properties": {
                    "ingest": {"type": "object", "required": ["read", "added", "known", "refused", "scored_pairs", "refreshes", "batches", "stored_read", "seconds"], "properties": {
                        "stored_read": {"type": "integer", "description": "stored articles read from the store"},
                        "seconds": {"type": "object", "required": ["index", "candidates", "score", "derive", "commit"], "description": "wall seconds of each step, summed over batches"}}},
                    "store": {"$ref": "#/components/schemas/Stats"}}},
                "Analysis": {"type": "object", "required": ["version", "articles", "stories", "pairs", "derivations", "undirected", "quotes"]},
                "Story": {"type": "object", "required": ["id", "articles", "label"]},
                "Pair": {"type": "object", "required": ["a", "b", "relation", "similarity", "confidence", "reuse", "alignments"]},
                "QuoteGroup": {"type": "object", "required": ["id", "speaker", "altered", "fidelity", "variants"]}
            }
        }
    })
}

/// The routes the web UI draws from, beside the API's own.
fn ui_paths() -> Value {
    let error = json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |schema: &str| json!({"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let id = |name: &str, what: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": what});
    json!({
            "/search": {"get": {
                "summary": "the story list with each story's size, time span and origin; with `q`, only stories with a member headline or a quote speaker containing it (any case)",
                "parameters": [
                    {"name": "q", "in": "query", "required": false, "schema": {"type": "string"}, "description": "part of a headline or a speaker's name; empty: every story"},
                    {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 500, "default": 100}}
                ],
                "responses": {"200": ok("StoryList"), "400": error}
            }},
            "/pairs/{a}/{b}/view": {"get": {"summary": "the pair laid out for reading (the web UI's pair page): both texts as sentences, words marked reused (verbatim or paraphrase) or changed in an altered quote", "parameters": [id("a", "article id"), id("b", "article id")], "responses": {"200": ok("PairView"), "404": error}}},
            "/check/view": {"post": {
                "summary": "POST /check with its strongest pairs (up to 12) laid out for reading (the web UI's check page)",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleInput"}}}},
                "responses": {"200": ok("CheckView"), "400": error, "409": error, "413": error}
            }}
    })
}

/// The types of the UI's routes.
fn ui_schemas() -> Value {
    json!({
                "StoryList": {"type": "object", "required": ["query", "total", "offset", "stories"], "properties": {
                    "query": {"type": "string"}, "total": {"type": "integer"}, "offset": {"type": "integer"},
                    "stories": {"type": "array", "items": {"type": "object", "required": ["id", "label", "articles", "origin", "title", "first_published", "last_published"], "properties": {
                        "id": {"type": "string"}, "label": {"type": "string"}, "articles": {"type": "integer"},
                        "origin": {"type": ["string", "null"], "description": "the root of the story's derivations with the most descendants"},
                        "title": {"type": ["string", "null"], "description": "the origin's headline, else the earliest member's"},
                        "first_published": {"type": ["string", "null"], "format": "date-time"}, "last_published": {"type": ["string", "null"], "format": "date-time"},
                        "matches": {"type": "array", "items": {"type": "object", "properties": {"field": {"enum": ["title", "speaker"]}, "article": {"type": "string"}, "text": {"type": "string"}}}}}}}}},
                "PairView": {"type": "object", "required": ["pair", "derivation", "a", "b", "quotes"], "properties": {
                    "pair": {"$ref": "#/components/schemas/Pair"},
                    "derivation": {"description": "the derivation between the two when its direction is known, else null"},
                    "a": {"$ref": "#/components/schemas/ArticleView"}, "b": {"$ref": "#/components/schemas/ArticleView"},
                    "quotes": {"type": "array", "items": {"$ref": "#/components/schemas/QuoteGroup"}, "description": "quote groups with a variant in both"}}},
                "ArticleView": {"type": "object", "required": ["id", "sentences"], "properties": {
                    "id": {"type": "string"}, "title": {"type": ["string", "null"]}, "source": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]}, "published": {"type": ["string", "null"]},
                    "sentences": {"type": "array", "description": "the segmented sentences (the alignment's indices)", "items": {"type": "object", "required": ["parts"], "properties": {
                        "heading": {"type": "boolean"}, "paragraph": {"type": "boolean", "description": "a line break precedes it"},
                        "links": {"type": "array", "items": {"type": "integer"}, "description": "indices into pair.alignments covering this sentence"},
                        "parts": {"type": "array", "description": "the sentence's text in runs; joined, they are the sentence", "items": {"type": "object", "required": ["text"], "properties": {
                            "text": {"type": "string"}, "reuse": {"enum": ["verbatim", "paraphrase"]}, "changed": {"type": "boolean", "description": "a word an altered quote changed"}}}}}}}}},
                "CheckView": {"type": "object", "required": ["checked", "analysis", "views"], "properties": {
                    "checked": {"type": "string", "description": "the checked article's id in the analysis"},
                    "analysis": {"$ref": "#/components/schemas/Analysis"},
                    "views": {"type": "array", "items": {"$ref": "#/components/schemas/PairView"}}}}
    })
}

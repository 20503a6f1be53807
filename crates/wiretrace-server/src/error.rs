//! [`AppError`]: every failure a handler can return, as a status and a JSON body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A request failed.
#[derive(Debug)]
pub enum AppError {
    /// The request is malformed (bad JSON, a missing field): 400.
    BadRequest(String),
    /// No or a wrong bearer token on a write: 401.
    Unauthorized,
    /// Writes are off (no `--token`): 403.
    ReadOnly,
    /// No such article, story, pair: 404.
    NotFound(String),
    /// The store was built with other parameters than this server's engine: 409.
    Conflict(String),
    /// The body is over the limit: 413.
    TooLarge(String),
    /// Anything else: 500, the cause logged, not sent.
    Internal(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "writes need the header `Authorization: Bearer <token>` with the server's token"
                    .to_string(),
            ),
            AppError::ReadOnly => (
                StatusCode::FORBIDDEN,
                "this server is read-only: start it with --token to allow writes".to_string(),
            ),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m),
            AppError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m),
            AppError::Internal(cause) => {
                eprintln!("error: {cause}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error (logged by the server)".to_string(),
                )
            }
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}

impl From<wiretrace_store::Error> for AppError {
    fn from(e: wiretrace_store::Error) -> Self {
        match e {
            wiretrace_store::Error::Parameters { .. } => AppError::Conflict(e.to_string()),
            other => {
                // The whole chain goes to the log.
                let mut msg = other.to_string();
                let mut src = std::error::Error::source(&other);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                AppError::Internal(msg)
            }
        }
    }
}

//! The outermost middleware: gives each request its id
//! ([`app::server::request_id`]), answers with it in `X-Request-Id`, and
//! runs the request inside a `request` span carrying the id, the method and
//! the path, so every log line the request writes names it. The query
//! string is left out of the log on purpose: password links carry their
//! token there.

use app::server::request_id::{self, RequestId};
use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

/// The response header naming the request's id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Middleware: see the module doc.
pub async fn request_log(mut request: Request, next: Next) -> Response {
    let id = RequestId::generate();
    request.extensions_mut().insert(id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    );
    let started = std::time::Instant::now();
    let mut response = request_id::scope(id.clone(), next.run(request))
        .instrument(span.clone())
        .await;
    let status = response.status().as_u16();
    let millis = started.elapsed().as_millis() as u64;
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, millis, "request failed");
        } else {
            tracing::debug!(status, millis, "request finished");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

//! The per-response nonce of the Content-Security-Policy. The security-header
//! middleware mints it and puts it in the request's extensions; the page
//! renderer hands it to Leptos so its inline hydration scripts carry it.

/// A request's CSP nonce.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    /// 16 random bytes, hex.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }
}

/// Provides the request's nonce (if the middleware set one) to Leptos.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        if let Some(nonce) = parts.extensions.get::<CspNonce>() {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
        }
    }
}

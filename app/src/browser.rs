//! Small wrappers over browser APIs (web-sys). They do nothing outside a
//! browser, so components can call them from event handlers and effects
//! without caring where they are compiled.

/// The value stored under `key` in this device's local storage.
pub fn stored(key: &str) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?
            .local_storage()
            .ok()??
            .get_item(key)
            .ok()?
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = key;
        None
    }
}

/// Stores `value` under `key` on this device (ignored when storage is off).
pub fn store(key: &str, value: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(Ok(Some(s))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = s.set_item(key, value);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (key, value);
}

/// Removes what is stored under `key` on this device.
pub fn forget(key: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(Ok(Some(s))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = s.remove_item(key);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = key;
}

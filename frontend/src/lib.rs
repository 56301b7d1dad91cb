//! The WebAssembly entry point: hydrates the page the server rendered.

/// Called by the hydration script Leptos puts in every page. When hydration
/// is done it marks `<body data-hydrated>`, which the browser tests wait for
/// before testing behaviour that needs the wasm.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

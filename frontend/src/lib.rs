//! The WebAssembly entry point: hydrates the page the server rendered.

/// Called by the hydration script Leptos puts in every page. Pages are split
/// into chunks (`cargo leptos build --split`), so hydration first fetches the
/// chunk of the current route and only then walks the server's HTML. When
/// that has finished it marks `<body data-hydrated>`, which the browser tests
/// wait for before testing behaviour that needs the wasm.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The same as `leptos::mount::hydrate_lazy`, which gives no way to learn
    // when it is done.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let body = leptos::tachys::dom::body();
        let owner = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        owner.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// Room for wasm-split to lay out each chunk's constants.
///
/// `cargo leptos build --split` gives every lazily loaded chunk its own part
/// of the read-only data segment, aligning each part, so the parts together
/// come out a few hundred bytes longer than the segment the linker made.
/// When they don't fit, the splitter keeps the *whole* segment - every
/// page's strings, 175 KB - in the main module that every page downloads.
/// These bytes make the segment long enough; nothing refers to them, so the
/// splitter places them in no module and nobody downloads them. `#[used]`
/// keeps them through link-time optimisation; they are not zero, so they sit
/// in the read-only segment rather than in `.bss`.
#[used]
static SPLIT_DATA_SLACK: [u8; 16 * 1024] = [0xA5; 16 * 1024];

//! The script tag that hydrates a page, started after the first paint.
//!
//! Leptos's `HydrationScripts` also puts `preload` links for the script and
//! the wasm in the head, so the browser starts the 230 KB wasm download
//! while it is still parsing the page: on a slow phone connection that
//! download competes with the page's own first paint (issue 13: Lighthouse's
//! mobile LCP). The server's HTML works without script (every form posts),
//! so the wasm can wait: this module's script imports the bindings and the
//! wasm only when the browser is first idle after painting.

use leptos::prelude::*;

/// The names (without extension) the build gave the files every page
/// links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleNames {
    /// wasm-bindgen's script.
    pub js: String,
    /// The main WebAssembly module.
    pub wasm: String,
    /// The stylesheet.
    pub css: String,
}

/// The file of hashed names (`hash.txt`) that a `hash-files` build writes
/// next to the server binary, where Leptos looks for it.
pub fn hash_file(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
}

/// The names as the build gave them: with content hashes when the build
/// hashed file names (read from the `hash.txt` it wrote next to the server
/// binary; without that file, the plain names), the plain names otherwise.
/// Mirrors Leptos's `HydrationScripts` and `HashedStylesheet`.
pub fn bundle_names(options: &LeptosOptions) -> BundleNames {
    let plain = options.output_name.to_string();
    let mut names = BundleNames {
        js: plain.clone(),
        wasm: plain.clone(),
        css: plain,
    };
    if options.hash_files {
        let hashes = hash_file(options)
            .and_then(|file| std::fs::read_to_string(file).ok())
            .unwrap_or_default();
        for (kind, hash) in hashes.lines().filter_map(|line| line.split_once(':')) {
            // A hash is base64url: anything else is not one of ours.
            let hash = hash.trim();
            if hash.is_empty()
                || !hash
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                continue;
            }
            let name = match kind.trim() {
                "js" => &mut names.js,
                "wasm" => &mut names.wasm,
                "css" => &mut names.css,
                _ => continue,
            };
            name.push('.');
            name.push_str(hash);
        }
    } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        // wasm-bindgen's own name when the build is not cargo-leptos's.
        names.wasm.push_str("_bg");
    }
    names
}

/// Hydrates the page once the browser is idle after its first paint (at
/// the latest two seconds after the page's scripts ran).
#[component]
pub fn HydrateAfterFirstPaint(options: LeptosOptions) -> impl IntoView {
    // Leptos's component also hands the lazy routes' chunk list to the
    // renderer, which then preloads the chunks a lazy page needs; keep that
    // and leave out its tags.
    let _ = leptos::hydration::HydrationScripts(
        leptos::hydration::HydrationScriptsProps::builder()
            .options(options.clone())
            .build(),
    );
    let BundleNames { js, wasm, .. } = bundle_names(&options);
    let pkg = options.site_pkg_dir.trim_matches('/');
    // The addresses go into the script as JSON strings, with `<` escaped so
    // that nothing in a name can close the script element.
    let quoted = |url: String| {
        serde_json::to_string(&url)
            .unwrap_or_default()
            .replace('<', "\\u003c")
    };
    let js_url = quoted(format!("/{pkg}/{js}.js"));
    let wasm_url = quoted(format!("/{pkg}/{wasm}.wasm"));
    let script = format!(
        "const hydrate = () => import({js_url}).then((bindings) => \
         bindings.default({{ module_or_path: {wasm_url} }}).then(() => bindings.hydrate())) \
         .catch((error) => console.error('Gatehouse could not load its script:', error)); \
         if ('requestIdleCallback' in window) {{ requestIdleCallback(hydrate, {{ timeout: 2000 }}); }} \
         else {{ setTimeout(hydrate, 0); }}"
    );
    view! { <script type="module" nonce=use_nonce()>{script}</script> }
}

//! `Leptos.toml` (read by the server) and `[[workspace.metadata.leptos]]` in
//! Cargo.toml (read by cargo-leptos) must describe the same site.

#[test]
fn leptos_toml_agrees_with_the_workspace_metadata() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let cargo: toml::Value = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let leptos: toml::Value = std::fs::read_to_string(root.join("Leptos.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let meta = &cargo["workspace"]["metadata"]["leptos"][0];
    let runtime = &leptos["package"]["metadata"]["leptos"];
    assert_eq!(meta["name"], runtime["output-name"], "output name");
    for key in [
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
        "hash-files",
    ] {
        assert_eq!(meta.get(key), runtime.get(key), "{key}");
    }
    // And the server really reads it.
    std::env::set_current_dir(root).unwrap();
    let conf = leptos_config::get_configuration(Some("Leptos.toml"))
        .unwrap()
        .leptos_options;
    assert_eq!(&*conf.output_name, meta["name"].as_str().unwrap());
    assert_eq!(&*conf.site_root, meta["site-root"].as_str().unwrap());
    assert_eq!(&*conf.site_pkg_dir, meta["site-pkg-dir"].as_str().unwrap());
    assert_eq!(
        conf.site_addr.to_string(),
        meta["site-addr"].as_str().unwrap()
    );
    assert_eq!(Some(conf.hash_files), meta["hash-files"].as_bool());
}

/// `serve` warns when the pages would link a script or stylesheet that the
/// site directory doesn't have (a binary deployed without its site, or
/// without the build's `hash.txt`).
#[test]
fn a_site_without_the_files_pages_link_is_reported() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/gatehouse.js"), "").unwrap();
    // wasm-bindgen's name outside a cargo-leptos build (as here).
    std::fs::write(site.path().join("pkg/gatehouse_bg.wasm"), "").unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(site.path().to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .build();
    assert_eq!(
        server::config::missing_site_files(&options),
        vec![site.path().join("pkg/gatehouse.css")]
    );
    std::fs::write(site.path().join("pkg/gatehouse.css"), "").unwrap();
    assert!(server::config::missing_site_files(&options).is_empty());
    // Hashed names with no hash file next to the test binary: the names
    // fall back to the plain ones, and the plain wasm name (no `_bg`) is
    // not there. (`Config` turns hashing off in that case.)
    let mut hashed = options;
    hashed.hash_files = true;
    assert_eq!(
        server::config::missing_site_files(&hashed),
        vec![site.path().join("pkg/gatehouse.wasm")]
    );
}

//! Every page of `docs/` (and the README) is compiled with the crate's
//! doctests: `src/lib.rs` includes each one in its `docs_pages` module, so
//! a new page cannot be left out, and a Rust block in it cannot drift from
//! the API unnoticed.

use std::path::{Path, PathBuf};

fn markdown_pages(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("docs/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            markdown_pages(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

#[test]
fn every_page_is_compiled_as_doctests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
    let mut pages = vec![root.join("README.md")];
    markdown_pages(&root.join("docs"), &mut pages);
    assert!(pages.len() > 30, "the pages were found: {}", pages.len());
    let missing: Vec<String> = pages
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .filter(|p| !lib.contains(&format!("#[doc = include_str!(\"../{p}\")]")))
        .collect();
    assert!(
        missing.is_empty(),
        "pages not in src/lib.rs's docs_pages module: {missing:?}"
    );
}

/// A fence without a language is compiled as Rust by rustdoc: every block
/// that is not Rust must say what it is (`text`, `sh`, …).
#[test]
fn every_code_block_names_its_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    markdown_pages(&root.join("docs"), &mut pages);
    let mut bare = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).expect("a page");
        let mut inside = false;
        for (n, line) in text.lines().enumerate() {
            if let Some(info) = line.strip_prefix("```") {
                if !inside && info.trim().is_empty() {
                    bare.push(format!("{}:{}", page.display(), n + 1));
                }
                inside = !inside;
            }
        }
    }
    assert!(bare.is_empty(), "code blocks without a language: {bare:?}");
}

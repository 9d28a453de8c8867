//! The crate's modules form layers: no module reaches, through `use crate::…`, `crate::…::` or `super::…`, a module
//! that reaches back to it. Fails with the cycle when one appears. Test modules (`#[cfg(test)] mod tests`) are not
//! counted: they may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` → `a::b`, `src/a/mod.rs` → `a`, `src/lib.rs` → `` (the root).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The text without test modules and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Every path that starts with `crate::` or `super::`, expanded through `{a, b::c}` groups.
fn paths(code: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for anchor in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(anchor) {
            let before = rest[..i].chars().last();
            rest = &rest[i + anchor.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            let path = rest[..end].trim_end_matches(':');
            let mut segs: Vec<String> = path.split("::").filter(|s| !s.is_empty()).map(String::from).collect();
            if segs.is_empty() && rest.starts_with('{') {
                // `crate::{a, b}`: each member is a path of its own.
                let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
                for member in group.split(',') {
                    let first = member.trim().split("::").next().unwrap_or("").trim().to_owned();
                    if !first.is_empty() {
                        out.push((anchor.into(), vec![first]));
                    }
                }
                continue;
            }
            segs.truncate(2);
            out.push((anchor.into(), segs));
        }
    }
    out
}

#[test]
fn modules_have_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let texts: BTreeMap<String, String> =
        all.iter().map(|f| (module_of(&src, f), code(&std::fs::read_to_string(f).unwrap()))).collect();
    let modules: BTreeSet<&String> = texts.keys().collect();
    // Items the root re-exports, and the module each comes from (`pub use m::{A, B};`).
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    for line in texts[""].lines().filter(|l| l.trim_start().starts_with("pub use ")) {
        let body = line.trim_start().trim_start_matches("pub use ").trim_end_matches(';');
        if let Some((m, items)) = body.split_once("::") {
            for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
                reexports.insert(item.trim().to_owned(), m.to_owned());
            }
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &texts {
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p).to_owned();
        for (anchor, segs) in paths(text) {
            let (base, segs) = if anchor == "super::" { (parent.clone(), segs) } else { (String::new(), segs) };
            let join = |s: &str| if base.is_empty() { s.to_owned() } else { format!("{base}::{s}") };
            let target = match segs.as_slice() {
                [first, second, ..] if modules.contains(&join(&format!("{first}::{second}"))) => {
                    join(&format!("{first}::{second}"))
                }
                [first, ..] if modules.contains(&join(first)) => join(first),
                [first, ..] if base.is_empty() => reexports.get(first).cloned().unwrap_or_default(),
                _ => base.clone(),
            };
            if &target != module {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
        // A parent names its children without an anchor (`elation::ELATION`, `pub use ctx::Ctx`).
        for child in modules
            .iter()
            .filter(|c| c.rsplit_once("::").map_or(!c.is_empty() && module.is_empty(), |(p, _)| p == module))
        {
            let name = child.rsplit("::").next().unwrap_or(child);
            let used = text
                .match_indices(&format!("{name}::"))
                .any(|(i, _)| !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':'));
            if used {
                edges.entry(module.clone()).or_default().insert((*child).clone());
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(m.to_owned());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_owned());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for m in texts.keys() {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            let names: Vec<String> =
                cycle.iter().map(|m| if m.is_empty() { "(lib.rs)".into() } else { m.clone() }).collect();
            panic!("import cycle: {}", names.join(" → "));
        }
    }
    assert!(edges.len() > 10, "the module graph was not read: {edges:?}");
}

//! MACs, signatures, digests and tokens are compared in constant time (`keys::ct_eq`, built on `subtle`), never
//! with `==`, `!=` or a short-circuiting method. Clippy cannot see this (`disallowed-methods` does not apply to
//! operators), so this test scans src/ outside test modules: any comparison on a line that names such a value fails,
//! unless the allowlist below says why it is safe.

use std::path::{Path, PathBuf};

/// Identifier parts that name a secret or a value an attacker must not learn byte by byte.
const SENSITIVE: &[&str] = &[
    "sig",
    "sigs",
    "signature",
    "signatures",
    "tag",
    "mac",
    "hmac",
    "token",
    "tokens",
    "secret",
    "secrets",
    "expose",
    "digest",
    "claimed",
    "actual",
    "expected",
];

/// Comparisons that stop at the first differing byte.
const COMPARISONS: &[&str] =
    &["==", "!=", ".eq(", ".ne(", ".starts_with(", ".ends_with(", ".cmp(", ".partial_cmp(", "memcmp", ".contains("];

/// (file, text on the line, why it is safe). Matched by substring, so formatting changes keep working.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("schemes/standard.rs", "key.starts_with(", "signing: tests the public whsec_ prefix of the key text"),
    ("schemes/fitbit.rs", "s.len() != 20", "the length of the received signature is public"),
    ("schemes/rfc9421.rs", "input.tag.as_deref() == Some(", "RFC 9421's tag parameter is a public label, not a MAC"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `source` outside `#[cfg(test)]` modules, with comments and string contents blanked, line by line.
fn code_lines(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let (mut in_str, mut raw_hashes): (bool, Option<usize>) = (false, None);
    for (n, line) in source.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let mut code = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some(h) = raw_hashes {
                let closes = c == '"' && chars[i + 1..].iter().take(h).filter(|&&x| x == '#').count() == h;
                if closes {
                    raw_hashes = None;
                    code.push('"');
                    i += 1 + h;
                    continue;
                }
            } else if in_str {
                if c == '\\' {
                    i += 2;
                    continue;
                }
                if c == '"' {
                    in_str = false;
                    code.push('"');
                }
            } else if c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            } else if c == 'r' && matches!(chars.get(i + 1), Some('"' | '#')) {
                let h = chars[i + 1..].iter().take_while(|&&x| x == '#').count();
                if chars.get(i + 1 + h) == Some(&'"') {
                    raw_hashes = Some(h);
                    code.push('"');
                    i += 2 + h;
                    continue;
                }
                code.push(c);
            } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
                code.push_str("' '");
                i += 3;
                continue;
            } else if c == '"' {
                in_str = true;
                code.push('"');
            } else {
                code.push(c);
            }
            i += 1;
        }
        out.push((n + 1, code));
    }
    out
}

fn names_sensitive_value(code: &str) -> bool {
    code.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .flat_map(|ident| ident.split('_'))
        .any(|part| SENSITIVE.contains(&part.to_ascii_lowercase().as_str()))
}

/// Lines of `source` that compare a sensitive value without going through `ct_eq`.
fn suspicious(file: &str, source: &str) -> Vec<String> {
    code_lines(source)
        .into_iter()
        .filter(|(_, code)| COMPARISONS.iter().any(|op| code.contains(op)) && names_sensitive_value(code))
        .filter(|(_, code)| !ALLOWED.iter().any(|(f, text, _)| file.ends_with(f) && code.contains(text)))
        .map(|(n, code)| format!("{file}:{n}: {}", code.trim()))
        .collect()
}

#[test]
fn secrets_are_never_compared_with_eq() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() >= 10, "src/ not found");
    let mut found = Vec::new();
    for f in &files {
        let name = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        found.extend(suspicious(&name, &std::fs::read_to_string(f).unwrap()));
    }
    for (file, text, _) in ALLOWED {
        let used = files.iter().any(|f| {
            f.ends_with(file) && code_lines(&std::fs::read_to_string(f).unwrap()).iter().any(|(_, c)| c.contains(text))
        });
        assert!(used, "ALLOWED entry {file}: {text} matches nothing: remove it");
    }
    assert!(
        found.is_empty(),
        "compare MACs, signatures, digests and tokens with keys::ct_eq (or add a reasoned entry to ALLOWED):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_constant_time_comparison_is_subtle() {
    let keys = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/keys.rs")).unwrap();
    assert!(keys.contains("subtle::ConstantTimeEq"), "keys::ct_eq must use subtle");
}

/// The scanner itself: it must catch what it is for, and ignore comments, strings and tests.
#[test]
fn the_scanner_catches_short_circuit_comparisons() {
    let bad = [
        "if tag == expected {",
        "    return sig.as_slice() != mac;",
        "let ok = token.eq(candidate);",
        "signatures.contains(&computed)",
        "if hex_sig.starts_with(prefix) {",
        "secret.expose() == other",
        "claimed.cmp(&actual)",
    ];
    for line in bad {
        assert_eq!(suspicious("x.rs", line).len(), 1, "missed: {line}");
    }
    let fine = [
        "if ct_eq(&tag, s) {",
        "// never write tag == expected",
        r#"let m = "tag == expected";"#,
        r##"let m = r#"sig == "mac""#;"##,
        "if values.any(|v| v != first) {",
        "#[cfg(test)]\nmod tests { fn t() { assert!(tag == expected) } }",
        "let c = '\"'; if a == b {}",
    ];
    for text in fine {
        assert_eq!(suspicious("x.rs", text), Vec::<String>::new(), "false alarm: {text}");
    }
}

//! The pipeline's import rules, read from the source itself (issue 31's done-when): no
//! module imports a later stage of contract → catalog → analysis → run → disclosure →
//! render, and no two files import each other except the query shell's pair. A module and
//! its own submodules are one unit (the parent declares what the children share), and a
//! `pub use` re-export is a module's facade, not an import; test code is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stages in the order data flows through them.
const STAGES: [&str; 6] = [
    "contract",
    "catalog",
    "analysis",
    "run",
    "disclosure",
    "render",
];

/// The one pair of files allowed to import each other: the query shell's line editor and
/// the shell it edits for.
const ALLOWED_PAIR: (&str, &str) = ("app/query.rs", "app/repl.rs");

/// A module's path below the crate (`["render", "chart", "paint"]`).
type Module = Vec<String>;

/// The module a file under `src/` defines: `render/chart/mod.rs` is `render::chart`.
fn module_of(rel: &str) -> Module {
    let mut parts: Module = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a file: comments, string and character literals blanked, and everything from
/// an inline `#[cfg(test)] mod … {` on (a file's own tests close it).
fn code(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('#') | Some('"'))
            && (i == 0 || !ident(chars[i - 1]) || chars[i - 1] == 'b')
        {
            // A raw string: r"…", r#"…"#, br##"…"##.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    // A file's own test module comes last; what it imports is not the file's design.
    let mut cut = out.len();
    for (at, _) in out.match_indices("#[cfg(test)]") {
        let rest = out[at + "#[cfg(test)]".len()..].trim_start();
        let Some(rest) = rest.strip_prefix("mod ") else {
            continue;
        };
        let name_end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
        if rest[name_end..].trim_start().starts_with('{') {
            cut = at;
            break;
        }
    }
    out.truncate(cut);
    out
}

/// The paths of one `use` tree: `a::{b, c::{d, self}}` is `a::b`, `a::c::d` and `a::c`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        // `path as alias` names the path.
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![path.chars().filter(|c| !c.is_whitespace()).collect()];
    };
    let prefix: String = tree[..open]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand)
        .map(|p| match p.as_str() {
            "self" => prefix.trim_end_matches(':').to_string(),
            _ => format!("{prefix}{p}"),
        })
        .collect()
}

/// The file a path names, from the file `here` with its declared submodules `children`:
/// the longest prefix of the path that is a module with a file. `None` for other crates.
fn resolve(
    path: &str,
    here: &Module,
    children: &BTreeSet<String>,
    modules: &BTreeSet<Module>,
) -> Option<Module> {
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let first = *segments.first()?;
    let (mut full, rest): (Module, &[&str]) = match first {
        "crate" => (Vec::new(), &segments[1..]),
        "self" => (here.clone(), &segments[1..]),
        "super" => {
            let ups = segments.iter().take_while(|s| **s == "super").count();
            let keep = here.len().saturating_sub(ups);
            (here[..keep].to_vec(), &segments[ups..])
        }
        name if children.contains(name) => (here.clone(), &segments[..]),
        _ => return None,
    };
    full.extend(rest.iter().map(|s| s.to_string()));
    (0..=full.len())
        .rev()
        .map(|k| full[..k].to_vec())
        .find(|m| modules.contains(m))
}

/// What each file imports: `use` items (not `pub use` re-exports) and paths written in the
/// code (`crate::render::format::format_number(…)`), as the files that define them.
fn imports(sources: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let modules: BTreeSet<Module> = sources.keys().cloned().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut graph = BTreeMap::new();
    for (module, text) in sources {
        let code = code(text);
        let words: Vec<&str> = code.split_whitespace().collect();
        let children: BTreeSet<String> = words
            .windows(2)
            .filter(|w| w[0] == "mod" && w[1].ends_with(';'))
            .map(|w| w[1].trim_end_matches(';').to_string())
            .collect();
        let mut paths = Vec::new();
        let mut rest = code.as_str();
        let mut body = String::new();
        while let Some(at) = rest.find("use ") {
            let starts_word = at == 0 || !ident(rest[..at].chars().last().unwrap_or(' '));
            if !starts_word {
                body.push_str(&rest[..at + 4]);
                rest = &rest[at + 4..];
                continue;
            }
            body.push_str(&rest[..at]);
            let end = rest[at..].find(';').map_or(rest.len(), |e| at + e);
            let before = rest[..at].trim_end();
            let reexport = before.ends_with("pub")
                || before.ends_with(')') && {
                    let open = before.rfind('(').unwrap_or(0);
                    before[..open].trim_end().ends_with("pub")
                };
            if !reexport {
                paths.extend(expand(&rest[at + 4..end]));
            }
            rest = &rest[end..];
        }
        body.push_str(rest);
        // Paths in the code itself: `crate::…`, `super::…`, `self::…`.
        for root in ["crate::", "super::", "self::"] {
            let mut from = 0;
            while let Some(at) = body[from..].find(root) {
                let at = from + at;
                let before = body[..at].chars().last().unwrap_or(' ');
                from = at + root.len();
                if ident(before) || before == ':' {
                    continue;
                }
                let end = body[at..]
                    .find(|c: char| !(ident(c) || c == ':'))
                    .map_or(body.len(), |e| at + e);
                paths.push(body[at..end].to_string());
            }
        }
        let targets: BTreeSet<Module> = paths
            .iter()
            .filter_map(|p| resolve(p, module, &children, &modules))
            .filter(|t| t != module)
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

/// A stage's place in the pipeline, for a module in one.
fn stage(m: &Module) -> Option<usize> {
    STAGES
        .iter()
        .position(|s| m.first().is_some_and(|f| f == s))
}

/// Imports of a later stage, as `from → to`.
fn later_stage_imports(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    graph
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |t| (from, t)))
        .filter(|(from, to)| matches!((stage(from), stage(to)), (Some(a), Some(b)) if b > a))
        .map(|(from, to)| format!("{} → {}", from.join("::"), to.join("::")))
        .collect()
}

/// Pairs of files that import each other, a module and its own submodule aside.
fn mutual_pairs(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<(Module, Module)> {
    let parent = |a: &Module, b: &Module| b.len() == a.len() + 1 && b.starts_with(a);
    graph
        .iter()
        .flat_map(|(a, to)| to.iter().map(move |b| (a, b)))
        .filter(|(a, b)| a < b && graph.get(*b).is_some_and(|t| t.contains(*a)))
        .filter(|(a, b)| !parent(a, b) && !parent(b, a))
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect()
}

/// Every file under `src/` outside tests (`tests.rs`, `tests/`), by module.
fn crate_sources() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<Module, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() && name != "tests" {
                walk(&path, root, out);
            } else if name.ends_with(".rs") && name != "tests.rs" {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let rel = rel.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(module_of(&rel), text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

#[test]
fn no_module_imports_a_later_stage_and_only_the_query_shell_imports_itself_back() {
    let sources = crate_sources();
    let graph = imports(&sources);
    let m = |s: &str| module_of(s);
    // The reading sees imports at all: render reads what disclosure passed, and the query
    // shell's two files use each other (the one pair allowed).
    assert!(
        graph[&m("render/build.rs")].contains(&m("disclosure/mod.rs")),
        "render::build imports disclosure: the scanner missed it"
    );
    let later = later_stage_imports(&graph);
    assert!(
        later.is_empty(),
        "imports of a later stage:\n  {}",
        later.join("\n  ")
    );
    let allowed = (m(ALLOWED_PAIR.0), m(ALLOWED_PAIR.1));
    let pairs = mutual_pairs(&graph);
    assert!(
        pairs.contains(&allowed),
        "the query shell's pair is not seen: {pairs:?}"
    );
    let others: Vec<String> = pairs
        .iter()
        .filter(|p| **p != allowed)
        .map(|(a, b)| format!("{} ⇄ {}", a.join("::"), b.join("::")))
        .collect();
    assert!(
        others.is_empty(),
        "files that import each other:\n  {}",
        others.join("\n  ")
    );
}

#[test]
fn the_reading_counts_imports_and_paths_not_comments_strings_or_re_exports() {
    let files = [
        (
            "contract/mod.rs",
            "// use crate::render::Report;\nconst S: &str = \"crate::render::x\";\npub use crate::run::Value;\nmod codes;\n",
        ),
        ("contract/codes.rs", "use super::S;\n"),
        (
            "catalog/mod.rs",
            "use crate::contract::{self, codes::{Code}};\nfn f() { crate::analysis::load(); }\n",
        ),
        ("analysis/mod.rs", "use crate::contract::Term;\n"),
        ("run/mod.rs", "pub(crate) use crate::render::X;\n"),
        (
            "render/mod.rs",
            "#[cfg(test)]\nmod tests {\n use crate::contract::Nothing;\n}\n",
        ),
        ("app/a.rs", "use super::b::f;\n"),
        ("app/b.rs", "fn g() { super::a::h(); }\n"),
    ];
    let sources: BTreeMap<Module, String> = files
        .iter()
        .map(|(p, t)| (module_of(p), t.to_string()))
        .collect();
    let graph = imports(&sources);
    let m = |s: &str| module_of(s);
    // A comment, a string and a re-export are not imports; `self` in a tree is its prefix.
    assert!(graph[&m("contract/mod.rs")].is_empty(), "{graph:?}");
    assert!(graph[&m("run/mod.rs")].is_empty(), "{graph:?}");
    assert_eq!(
        graph[&m("catalog/mod.rs")],
        BTreeSet::from([
            m("contract/mod.rs"),
            m("contract/codes.rs"),
            m("analysis/mod.rs")
        ])
    );
    assert_eq!(
        graph[&m("contract/codes.rs")],
        BTreeSet::from([m("contract/mod.rs")])
    );
    // The test module of render/mod.rs is left out.
    assert!(graph[&m("render/mod.rs")].is_empty(), "{graph:?}");
    // catalog reaching into analysis (by a path in its code) climbs the pipeline.
    assert_eq!(
        later_stage_imports(&graph),
        vec!["catalog → analysis".to_string()]
    );
    // a and b import each other; contract and its submodule codes are one unit.
    assert_eq!(mutual_pairs(&graph), vec![(m("app/a.rs"), m("app/b.rs"))]);
}

/// How long a file's own code may grow (its test module apart) before it is split along its
/// seams: a newcomer reads a module of this size in one sitting.
const MOST_LINES: usize = 500;

#[test]
fn no_file_of_the_crate_is_over_500_lines_outside_its_tests() {
    let sources = crate_sources();
    assert!(sources.len() > 100, "the walk finds the crate's files");
    let long: Vec<String> = sources
        .iter()
        .map(|(m, text)| (m.join("::"), code(text).lines().count()))
        .filter(|(_, n)| *n > MOST_LINES)
        .map(|(m, n)| format!("{m}: {n} lines"))
        .collect();
    assert!(long.is_empty(), "split these along their seams: {long:?}");
    // The count stops at a file's own test module: a file of 30 lines of code and 600 of
    // tests is short.
    let text = format!(
        "fn f() {{}}\n{}#[cfg(test)]\nmod tests {{\n{}}}\n",
        "fn g() {}\n".repeat(29),
        "#[test] fn t() {}\n".repeat(600)
    );
    assert_eq!(code(&text).lines().count(), 30);
}

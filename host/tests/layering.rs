//! The host's layering (ARCHITECTURE.md, `host/`), checked from the source:
//! the `crate::`, `super::` and `self::` paths of every file under
//! `host/src` (in `use` trees and in code) give a file-level dependency
//! graph, which must have no cycle, and whose edges must go down the layers:
//!
//! - `service/`, `store/`, `runtime/`, `registry.rs`, `delivery/` and
//!   `verification/` name nothing in `http/` (the service has no HTTP type);
//! - `http/` names nothing in `store/` nor `registry.rs`, and calls no
//!   `.store()` / `.registry()`: it reaches them only through the service.
//!
//! A path is an edge to the deepest file it walks through:
//! `crate::store::sqlite::group::X` is `store/sqlite/group.rs`, and
//! `crate::service::Problem` is `service/mod.rs` even though `problem.rs`
//! defines it (the user depends on the interface of the file it names).
//! A `mod child;` is an edge from the parent to the child: the parent's code
//! includes the child's, so what a child reaches, its parent reaches.
//!
//! The one rule for parents: **a file's edges to its own ancestors are left
//! out of the cycle search** (they still count for the layer rules). A child
//! using `super::X`, its parent's type or a sibling's item the parent
//! re-exports, reads its own module's vocabulary; the parent declares the
//! child, so the pair would always "cycle" and saying so finds nothing.
//! Every other edge counts: two siblings importing each other, or a subtree
//! reaching a module that reaches back into it, is a cycle. The rule's one
//! blind spot: a loop that closes only through a child's edge to its parent,
//! as in `demo.rs` -> `http/demo.rs` -> (`super::AppState`) `http/mod.rs`
//! -> `demo.rs`, were `http/mod.rs` ever to name `crate::demo`.
//!
//! Left out of the scan: comments, string and char literals, `main.rs` (a
//! crate of its own, which uses the library by name), and each file's
//! `#[cfg(test)] mod tests`, which is its last item by the house style (unit
//! tests may reach anything).

#![expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test fails loudly")]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// A module's path below the crate root: `["store", "sqlite", "group"]`.
type Module = Vec<String>;

/// The layers below the service (and the service) that must not name `http`.
const BELOW_HTTP: &[&str] = &["service", "store", "runtime", "registry", "delivery", "verification"];
/// What `http/` reaches only through the service.
const BEHIND_SERVICE: &[&str] = &["store", "registry"];

struct Source {
    file: String,
    /// The code with comments, literals and the unit tests blanked out.
    code: String,
}

fn src_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library file, by module path.
fn sources() -> BTreeMap<Module, Source> {
    let mut files = Vec::new();
    collect(&src_dir(), &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(src_dir()).unwrap();
            let mut module: Module = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
            let last = module.pop().unwrap();
            match last.strip_suffix(".rs").unwrap() {
                "main" if module.is_empty() => return None,
                "lib" if module.is_empty() => {}
                "mod" => {}
                name => module.push(name.to_owned()),
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let file = relative.to_string_lossy().replace('\\', "/");
            Some((module, Source { file, code: blank(without_unit_tests(&text)) }))
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

fn without_unit_tests(text: &str) -> &str {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" && lines.peek().is_some_and(|next| next.trim_start().starts_with("mod ")) {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

/// `text` with comments and string / char literals replaced by spaces, so
/// that a path in a doc comment or a message is not an import.
fn blank(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < chars.len() {
        let rest = &chars[index..];
        let skip = match rest {
            ['/', '/', ..] => rest.iter().position(|&c| c == '\n').unwrap_or(rest.len()),
            ['/', '*', ..] => {
                (2..rest.len()).find(|&at| rest[at - 1] == '*' && rest[at] == '/').map_or(rest.len(), |at| at + 1)
            }
            ['r', '#' | '"', ..] if raw_string_len(rest).is_some() => raw_string_len(rest).unwrap(),
            ['"', ..] => string_len(rest),
            ['\'', '\\', ..] => (3..rest.len()).find(|&at| rest[at] == '\'').map_or(rest.len(), |at| at + 1),
            ['\'', _, '\'', ..] => 3,
            _ => 0,
        };
        if skip == 0 {
            out.push(chars[index]);
            index += 1;
        } else {
            // Newlines stay, so nothing else moves between lines.
            out.extend(rest[..skip].iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
            index += skip;
        }
    }
    out
}

fn string_len(rest: &[char]) -> usize {
    let mut at = 1;
    while at < rest.len() {
        match rest[at] {
            '\\' => at += 2,
            '"' => return at + 1,
            _ => at += 1,
        }
    }
    rest.len()
}

/// `r"..."`, `r#"..."#`: the length, or `None` for an identifier `r...`.
fn raw_string_len(rest: &[char]) -> Option<usize> {
    let hashes = rest[1..].iter().take_while(|&&c| c == '#').count();
    if rest.get(1 + hashes) != Some(&'"') {
        return None;
    }
    let body = 2 + hashes;
    (body..rest.len())
        .find(|&at| rest[at] == '"' && rest[at + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes)
        .map(|at| at + 1 + hashes)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every module path named in `code`: `use` trees expanded, other paths as
/// written (`crate::telemetry::SENDS` inside an expression).
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest_of_code = String::with_capacity(code.len());
    let mut remaining = code;
    while let Some(at) = find_word(remaining, "use") {
        rest_of_code.push_str(&remaining[..at]);
        let tail = &remaining[at + 3..];
        let end = tail.find(';').unwrap_or(tail.len());
        expand(&[], &tail[..end], &mut found);
        remaining = &tail[end..];
    }
    rest_of_code.push_str(remaining);
    let roots = ["crate::", "super::", "self::"];
    for (at, _) in roots.iter().flat_map(|root| rest_of_code.match_indices(root)) {
        if rest_of_code[..at].chars().next_back().is_some_and(|c| is_ident(c) && c != '$') {
            continue;
        }
        let span: String = rest_of_code[at..].chars().take_while(|&c| is_ident(c) || c == ':').collect();
        found.push(span.split("::").filter(|segment| !segment.is_empty()).map(str::to_owned).collect());
    }
    found
}

/// The offset of `word` standing alone (not inside an identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(is_ident) && after.is_some_and(char::is_whitespace) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// Expands one `use` tree (`a::{b, c::{d, e}}`) under `prefix`.
fn expand(prefix: &[String], tree: &str, found: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let mut path = prefix.to_vec();
        let plain = tree.split(" as ").next().unwrap_or_default();
        path.extend(plain.split("::").map(|segment| segment.trim().to_owned()).filter(|segment| !segment.is_empty()));
        found.push(path);
        return;
    };
    let mut path = prefix.to_vec();
    path.extend(
        tree[..open].split("::").map(|segment| segment.trim().to_owned()).filter(|segment| !segment.is_empty()),
    );
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut depth, mut start) = (0, 0);
    for (at, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&path, &inner[start..at], found);
                start = at + 1;
            }
            _ => {}
        }
    }
    expand(&path, &inner[start..], found);
}

/// The deepest known module `path` walks through, seen from `from`; `None`
/// for another crate's path.
fn resolve(from: &Module, children: &BTreeSet<String>, path: &[String], known: &BTreeSet<Module>) -> Option<Module> {
    let (mut module, mut rest): (Module, &[String]) = match path.first().map(String::as_str)? {
        "crate" | "$crate" => (Vec::new(), &path[1..]),
        "self" => (from.clone(), &path[1..]),
        "super" => {
            let mut module = from.clone();
            let mut rest = path;
            while rest.first().is_some_and(|segment| segment == "super") {
                module.pop();
                rest = &rest[1..];
            }
            (module, rest)
        }
        // `use child::X` in the file that declares `mod child`.
        child if children.contains(child) => (from.iter().cloned().chain([child.to_owned()]).collect(), &path[1..]),
        _ => return None,
    };
    while let Some(segment) = rest.first() {
        let deeper: Module = module.iter().cloned().chain([segment.clone()]).collect();
        if !known.contains(&deeper) {
            break;
        }
        module = deeper;
        rest = &rest[1..];
    }
    Some(module)
}

/// Every file's edges: (to, how the file named it).
fn graph(sources: &BTreeMap<Module, Source>) -> BTreeMap<Module, BTreeSet<Module>> {
    let known: BTreeSet<Module> = sources.keys().cloned().collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, source) in sources {
        let children: BTreeSet<String> = declared_children(&source.code);
        let targets = edges.entry(module.clone()).or_default();
        for child in &children {
            let child: Module = module.iter().cloned().chain([child.clone()]).collect();
            if known.contains(&child) {
                targets.insert(child);
            }
        }
        for path in paths(&source.code) {
            if let Some(to) = resolve(module, &children, &path, &known).filter(|to| to != module) {
                targets.insert(to);
            }
        }
    }
    edges
}

/// The names of `mod name;` declarations.
fn declared_children(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
            line.strip_prefix("mod ")?.strip_suffix(';').map(|name| name.trim().to_owned())
        })
        .collect()
}

fn is_within(module: &Module, top: &str) -> bool {
    module.first().is_some_and(|first| first == top)
}

fn file_of(sources: &BTreeMap<Module, Source>, module: &Module) -> String {
    sources.get(module).map_or_else(|| module.join("::"), |source| source.file.clone())
}

/// The strongly connected components with more than one file (Tarjan).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a Module) {
            let at = self.index.len();
            self.index.insert(node, at);
            self.low.insert(node, at);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.clone());
                    if top == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

/// One shortest cycle through `start` inside its component, for the message.
fn one_cycle(edges: &BTreeMap<Module, BTreeSet<Module>>, component: &[Module], start: &Module) -> Vec<Module> {
    let inside: BTreeSet<&Module> = component.iter().collect();
    let mut came_from: BTreeMap<&Module, &Module> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in edges.get(node).into_iter().flatten().filter(|next| inside.contains(next)) {
            if next == start {
                let mut back = vec![start.clone()];
                let mut at = node;
                while at != start {
                    back.push(at.clone());
                    at = came_from[at];
                }
                back.push(start.clone());
                back.reverse();
                return back;
            }
            if !came_from.contains_key(next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    Vec::new()
}

#[test]
fn no_file_imports_in_a_cycle() {
    let sources = sources();
    let edges = graph(&sources);
    // A file's edges to its own ancestors are its module's vocabulary.
    let counted: BTreeMap<Module, BTreeSet<Module>> = edges
        .iter()
        .map(|(from, targets)| (from.clone(), targets.iter().filter(|to| !from.starts_with(to)).cloned().collect()))
        .collect();
    let found: Vec<String> = cycles(&counted)
        .iter()
        .map(|component| {
            let files: Vec<String> = component.iter().map(|module| file_of(&sources, module)).collect();
            let cycle: Vec<String> =
                one_cycle(&counted, component, &component[0]).iter().map(|module| file_of(&sources, module)).collect();
            format!("{} files: {}\n    e.g. {}", files.len(), files.join(", "), cycle.join(" -> "))
        })
        .collect();
    assert!(found.is_empty(), "import cycles between files of host/src:\n  {}", found.join("\n  "));
}

#[test]
fn layers_import_only_downwards() {
    let sources = sources();
    let edges = graph(&sources);
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            let below_http = BELOW_HTTP.iter().any(|top| is_within(from, top));
            if below_http && is_within(to, "http") {
                wrong.push(format!("{} names {}", file_of(&sources, from), file_of(&sources, to)));
            }
            if is_within(from, "http") && BEHIND_SERVICE.iter().any(|top| is_within(to, top)) {
                wrong.push(format!("{} names {}", file_of(&sources, from), file_of(&sources, to)));
            }
        }
    }
    for (module, source) in &sources {
        for call in [".store()", ".registry()"] {
            if is_within(module, "http") && source.code.contains(call) {
                wrong.push(format!("{} calls {call}", source.file));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n  {}", wrong.join("\n  "));
}

/// The scanner itself: literals and comments are not paths, `use` trees
/// expand, and a sibling's re-export through `super::` is the parent.
#[test]
fn the_scanner_reads_paths_as_rustc_would() {
    let code =
        blank("use crate::{a::X, b::{c::Y, Z}}; // crate::d\nlet s = \"crate::e\"; let c = '\"'; crate::f::g();");
    let found = paths(&code);
    let expected: Vec<Vec<String>> =
        [vec!["crate", "a", "X"], vec!["crate", "b", "c", "Y"], vec!["crate", "b", "Z"], vec!["crate", "f", "g"]]
            .iter()
            .map(|path| path.iter().map(|segment| (*segment).to_owned()).collect())
            .collect();
    assert_eq!(found, expected);

    let known: BTreeSet<Module> =
        [vec![], vec!["a".to_owned()], vec!["a".to_owned(), "b".to_owned()]].into_iter().collect();
    let from = vec!["a".to_owned(), "b".to_owned()];
    let path = ["super", "Problem"].map(str::to_owned);
    assert_eq!(resolve(&from, &BTreeSet::new(), &path, &known), Some(vec!["a".to_owned()]));
    let path = ["serde", "Serialize"].map(str::to_owned);
    assert_eq!(resolve(&from, &BTreeSet::new(), &path, &known), None);
}

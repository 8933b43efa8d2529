//! PowerShell syntax checks with the tree-sitter PowerShell grammar (crate
//! `tree-sitter-powershell`, https://github.com/airbus-cert/tree-sitter-powershell; its rules are
//! in that repository's grammar.js).
//!
//! PowerShell itself cannot run where the tests run, so scripts that the project ships or
//! generates are parsed with this grammar instead. tree-sitter never fails a parse: it recovers
//! and leaves `ERROR` nodes (input it had to skip) and zero-width missing nodes (a token it had to
//! invent, e.g. a `}` at the end of the file) in the tree. A script parses clean when the tree has
//! neither.
//!
//! The grammar is not PowerShell's own parser, so a clean parse is a necessary check, not proof
//! that PowerShell accepts the script. The differences found so far are pinned by tests in
//! tests/powershell_syntax.rs. The one that matters most here, `<` (PowerShell 5.1 and 7 reject it
//! with "The '<' operator is reserved for future use."), is checked separately by
//! [`reserved_less_than`]: the grammar reads `<placeholder>` as an ordinary argument and
//! `< file` as an input redirection, and reports neither.

use tree_sitter::{Node, Parser, Point, Tree};

/// How much of an `ERROR` node's text an error line quotes.
const SNIPPET_CHARS: usize = 40;

/// Leaf kinds whose text is string, comment or verbatim (`--%`) content, where `<` is just a
/// character.
const TEXT_LEAF_KINDS: &[&str] = &[
    "comment",
    "verbatim_string_characters",
    "verbatim_here_string_characters",
    "expandable_string_literal",
    "expandable_here_string_literal",
    "stop_parsing",
];

/// Parses `script` with the PowerShell grammar.
pub fn parse(script: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect(
            "the tree-sitter-powershell grammar's ABI version is not one this tree-sitter supports",
        );
    parser
        .parse(script, None)
        .expect("tree-sitter returned no tree (no timeout or cancellation flag is set)")
}

/// One line per `ERROR` or missing node of the parse tree, in document order:
/// `line:col: ERROR near `text`` or `line:col: missing X` (1-based; the column counts characters).
/// Empty when the script parses clean.
pub fn syntax_errors(script: &str) -> Vec<String> {
    let tree = parse(script);
    let root = tree.root_node();
    let mut errors = Vec::new();
    let mut cursor = root.walk();
    // Pre-order walk of the whole tree. Children of an ERROR node are visited too: a missing
    // token or a nested ERROR inside it is a separate finding.
    'walk: loop {
        let node = cursor.node();
        if node.is_error() {
            let text = snippet(script, &node);
            errors.push(if text.is_empty() {
                format!("{}: ERROR (zero-width)", start(script, &node))
            } else {
                format!("{}: ERROR near `{text}`", start(script, &node))
            });
        } else if node.is_missing() {
            errors.push(format!(
                "{}: missing {}",
                start(script, &node),
                describe_missing(&node)
            ));
        } else if node.has_error() && !any_child_has_error(&node) {
            // A missing token of a hidden rule (a name starting with `_`, e.g. the grammar's
            // `_statement_terminator`, or an internal token such as `command_name_token1`) is
            // not visible to a TreeCursor or to `Node::child`; only `has_error()` on its parent
            // shows it. S-expressions still print it, so take its name from there. Such a token
            // is missing where its parent stopped, so the parent's end is the position.
            let sexp = node.to_sexp();
            let names: Vec<&str> = sexp
                .match_indices("(MISSING ")
                .map(|(at, tag)| {
                    let rest = &sexp[at + tag.len()..];
                    rest.split(')').next().unwrap_or(rest).trim_matches('"')
                })
                .collect();
            let what = if names.is_empty() {
                "a token".to_string()
            } else {
                names.join(", ")
            };
            errors.push(format!(
                "{}: missing {what} (hidden in the grammar; at the end of {})",
                point(script, node.end_byte(), node.end_position()),
                node.kind()
            ));
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    // `has_error()` is true when the tree holds an ERROR or missing node anywhere. The walk must
    // agree; if it ever does not, say so instead of passing.
    if root.has_error() && errors.is_empty() {
        errors.push(format!(
            "{}: the tree reports an error (has_error) but the walk found no ERROR or missing node",
            start(script, &root)
        ));
    }
    errors
}

/// One line per token that starts with `<` outside strings, comments and `--%` arguments:
/// PowerShell 5.1 and 7 stop at it with "The '<' operator is reserved for future use."
/// (RedirectionNotSupported), but the grammar accepts it (see the module comment). This is the
/// check that catches an unfilled `<placeholder>` in a generated command.
pub fn reserved_less_than(script: &str) -> Vec<String> {
    let tree = parse(script);
    let mut found = Vec::new();
    let mut cursor = tree.root_node().walk();
    'walk: loop {
        let node = cursor.node();
        if node.child_count() == 0 && !TEXT_LEAF_KINDS.contains(&node.kind()) {
            let text = script.get(node.byte_range()).unwrap_or("");
            if text.starts_with('<') {
                found.push(format!(
                    "{}: `{}` starts with `<`, which PowerShell reserves (\"The '<' operator is \
                     reserved for future use.\")",
                    start(script, &node),
                    snippet(script, &node)
                ));
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    found
}

/// Panics, listing every finding, unless `script` parses clean ([`syntax_errors`]) and has no
/// reserved `<` ([`reserved_less_than`]).
pub fn assert_parses(name: &str, script: &str) {
    let mut errors = syntax_errors(script);
    errors.extend(reserved_less_than(script));
    assert!(
        errors.is_empty(),
        "{name}: {} PowerShell syntax error(s) (tree-sitter-powershell):\n  {}",
        errors.len(),
        errors.join("\n  ")
    );
}

fn any_child_has_error(node: &Node) -> bool {
    (0..node.child_count()).any(|i| node.child(i as u32).is_some_and(|child| child.has_error()))
}

/// `line:col` of the node's start.
fn start(script: &str, node: &Node) -> String {
    point(script, node.start_byte(), node.start_position())
}

/// `line:col`, 1-based, the column in characters (tree-sitter's is in bytes).
fn point(script: &str, byte: usize, at: Point) -> String {
    let line_start = byte - at.column;
    let column = script
        .get(line_start..byte)
        .map_or(at.column, |prefix| prefix.chars().count());
    format!("{}:{}", at.row + 1, column + 1)
}

/// The node's text on one line, shortened, for an error line.
fn snippet(script: &str, node: &Node) -> String {
    let text = script.get(node.byte_range()).unwrap_or("");
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > SNIPPET_CHARS {
        let cut: String = one_line.chars().take(SNIPPET_CHARS).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// A missing node's kind: the token itself for an anonymous node (`}`), the rule name for a
/// named one.
fn describe_missing(node: &Node) -> String {
    if node.is_named() {
        node.kind().to_string()
    } else {
        format!("`{}`", node.kind())
    }
}

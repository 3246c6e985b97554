//! The reading modules' graph, checked from their sources: each module uses only modules of
//! layers below its own (see the table in the `input` module docs), so no import cycle
//! exists between them. The same check covers `foreign`'s copy path (`tarwrite` ->
//! `tarcopy` -> `redact`), which reads tar streams only through the walker.

/// `super::<name>` paths in `source`'s code (comments and the unit tests, whose `super` is
/// the module itself, left out), by the first name after `super::` (each name of a
/// `super::{a, b::c}` group).
pub(crate) fn super_refs(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let code = source
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    for line in code.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(i) = rest.find("super::") {
            rest = &rest[i + "super::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // names at the group's top level: before `::`, `,` or `}` at depth 0
                let mut depth = 0;
                let mut item = String::new();
                let mut take = true;
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            found.extend((!item.is_empty()).then(|| std::mem::take(&mut item)));
                            take = true;
                        }
                        ':' if depth == 0 => take = false,
                        c if take && depth == 0 && (c.is_alphanumeric() || c == '_') => {
                            item.push(c)
                        }
                        _ => {}
                    }
                }
                found.extend((!item.is_empty()).then_some(item));
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push(name);
            }
        }
    }
    found
}

/// Checks `modules` (name, layer, source) against their layers; returns every violation.
pub(crate) fn violations(modules: &[(&str, usize, &str)]) -> Vec<String> {
    let layer = |name: &str| modules.iter().find(|m| m.0 == name).map(|m| m.1);
    let mut out = Vec::new();
    for (name, own, source) in modules {
        for used in super_refs(source) {
            match layer(&used) {
                Some(l) if l < *own => {}
                Some(l) => out.push(format!(
                    "{name} (layer {own}) uses {used} (layer {l}): only lower layers may be used"
                )),
                None => out.push(format!(
                    "{name} uses super::{used}, which is no module of the graph (an item of the \
                     parent module: move it into a layer)"
                )),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of the `input` module docs.
    const INPUT: &[(&str, usize, &str)] = &[
        ("problem", 0, include_str!("problem.rs")),
        ("capture", 0, include_str!("capture.rs")),
        ("sink", 0, include_str!("sink.rs")),
        ("sniff", 1, include_str!("sniff.rs")),
        ("lines", 1, include_str!("lines.rs")),
        ("unwrap", 1, include_str!("unwrap.rs")),
        ("gzip", 2, include_str!("gzip.rs")),
        ("readahead", 2, include_str!("readahead.rs")),
        ("classify", 3, include_str!("classify.rs")),
        ("walk", 4, include_str!("walk.rs")),
        ("deliver", 5, include_str!("deliver.rs")),
        ("naming", 5, include_str!("naming.rs")),
        ("archive", 6, include_str!("archive.rs")),
        ("tree", 7, include_str!("tree.rs")),
        ("file", 7, include_str!("file.rs")),
        ("discover", 8, include_str!("discover.rs")),
    ];

    const FOREIGN: &[(&str, usize, &str)] = &[
        ("manifest", 0, include_str!("../foreign/manifest.rs")),
        (
            "bundle_manifest",
            0,
            include_str!("../foreign/bundle_manifest.rs"),
        ),
        ("tarwrite", 0, include_str!("../foreign/tarwrite.rs")),
        ("tarcopy", 1, include_str!("../foreign/tarcopy.rs")),
        ("redact", 2, include_str!("../foreign/redact.rs")),
        ("scan", 2, include_str!("../foreign/scan.rs")),
    ];

    #[test]
    fn the_reading_modules_use_only_lower_layers() {
        assert_eq!(violations(INPUT), Vec::<String>::new());
        assert_eq!(violations(FOREIGN), Vec::<String>::new());
    }

    #[test]
    fn every_reading_module_is_in_the_graph() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/input");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
            .filter(|n| n != "mod" && n != "layers")
            .collect();
        files.sort();
        let mut listed: Vec<String> = INPUT.iter().map(|m| m.0.to_string()).collect();
        listed.sort();
        assert_eq!(
            files, listed,
            "a new module gets its layer here and in the docs"
        );
    }

    #[test]
    fn the_input_modules_reach_no_other_part_of_the_crate() {
        for (name, _, source) in INPUT {
            for line in source.lines().filter(|l| !l.trim_start().starts_with("//")) {
                if let Some(i) = line.find("crate::") {
                    let used = &line[i + "crate::".len()..];
                    assert!(
                        used.starts_with("finding::"),
                        "{name}: {line} (the reader stands below the rest of the crate)"
                    );
                }
            }
        }
    }

    #[test]
    fn a_cycle_is_caught() {
        let a = "use super::b::X;\n// use super::c; in a comment\n";
        let b = "use super::{a::{self, Y}, c};\nfn f() { super::a::g() }\n";
        assert_eq!(super_refs(b), ["a", "c", "a"]);
        let found = violations(&[("a", 0, a), ("b", 1, b), ("c", 0, "")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("a (layer 0) uses b (layer 1)"));
        assert!(violations(&[("a", 0, "use super::Item;")])[0].contains("no module"));
    }
}

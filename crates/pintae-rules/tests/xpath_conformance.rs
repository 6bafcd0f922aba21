//! XPath conformance: every `EXPR => EXPECTED` line of `testdata/xpath/*.txt`
//! (expectations checked against Saxon by `scripts/xpath-conformance-saxon.py`),
//! and of the file `PINTAE_XPATH_EXTRA` names, when set
//! (`scripts/xpath-differential.py` writes one from Saxon's answers to random
//! expressions); and every line of `testdata/xpath/truths/*.txt`, evaluated
//! as a rule's test is.

use pintae_rules::xpath::{ubl_namespaces, XPath};

/// Evaluates one expression the way the conformance files describe results.
fn run(expr: &str, doc: &roxmltree::Document) -> String {
    let ns: Vec<(&str, &str)> = ubl_namespaces().into_iter().collect();
    let x = match XPath::compile(expr, &ns) {
        Ok(x) => x,
        Err(e) => return format!("!{}", e.code),
    };
    match x.evaluate_strings(doc.root_element()) {
        Ok(v) if v.is_empty() => "()".to_string(),
        Ok(v) => v.join(" | "),
        Err(e) => format!("!{}", e.code),
    }
}

#[test]
fn conformance_files() {
    let dir = pintae_corpus::workspace_dir().join("testdata/xpath");
    let context = std::fs::read_to_string(dir.join("context.xml")).expect("context.xml");
    let doc = roxmltree::Document::parse(&context).expect("context parses");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/xpath")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    if let Some(extra) = std::env::var_os("PINTAE_XPATH_EXTRA") {
        files.push(extra.into());
    }
    let (mut total, mut failures) = (0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (expr, expected) = line.split_once(" => ").unwrap_or((line, ""));
            total += 1;
            let got = run(expr, &doc);
            if got.trim() != expected.trim() {
                let name = f
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                failures.push(format!(
                    "{name}:{}: {expr}\n    expected {expected:?}\n    got      {got:?}",
                    n + 1
                ));
            }
        }
    }
    assert!(total > 150, "only {total} expressions read");
    assert!(
        failures.is_empty(),
        "{} of {total} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The truth-test files: each expression compiled as a rule's test (with
/// its direct forms) and taken as a truth at the context the last `@ PATH`
/// line names, in the document the last `@@ FILE` line names (else
/// `context.xml`).
#[test]
fn truth_files() {
    let dir = pintae_corpus::workspace_dir().join("testdata/xpath/truths");
    let ns: Vec<(&str, &str)> = ubl_namespaces().into_iter().collect();
    let text = std::fs::read_to_string(dir.join("tests.txt")).expect("truths/tests.txt");
    // every context document, read and parsed before the lines borrow them
    let mut names = vec!["context.xml"];
    names.extend(text.lines().filter_map(|l| l.strip_prefix("@@ ")).map(str::trim));
    let texts: Vec<String> = names
        .iter()
        .map(|n| std::fs::read_to_string(dir.join(n)).unwrap_or_else(|e| panic!("truths/{n}: {e}")))
        .collect();
    let docs: Vec<roxmltree::Document> = texts
        .iter()
        .zip(&names)
        .map(|(t, n)| roxmltree::Document::parse(t).unwrap_or_else(|e| panic!("truths/{n}: {e}")))
        .collect();
    let mut doc = &docs[0];
    let (mut total, mut failures) = (0, Vec::new());
    let mut at = String::from(".");
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(file) = line.strip_prefix("@@ ") {
            let k = names.iter().position(|x| *x == file.trim()).expect("read above");
            doc = &docs[k];
            at = String::from(".");
            continue;
        }
        if let Some(path) = line.strip_prefix("@ ") {
            at = format!("({path})[1]");
            continue;
        }
        let (expr, expected) = line.split_once(" => ").expect("EXPR => EXPECTED");
        let finder = XPath::compile(&at, &ns).expect("context path compiles");
        let node = finder
            .first_node(doc.root_element())
            .expect("context path evaluates")
            .expect("context path selects a node");
        let got = match XPath::compile_test(expr, &ns).and_then(|x| x.evaluate_bool(node)) {
            Ok(b) => b.to_string(),
            Err(e) => format!("!{}", e.code),
        };
        total += 1;
        if got != expected.trim() {
            failures.push(format!(
                "tests.txt:{}: {expr} at {at}: expected {expected}, got {got}",
                n + 1
            ));
        }
    }
    assert!(total > 100, "only {total} truth tests read");
    assert!(
        failures.is_empty(),
        "{} of {total} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

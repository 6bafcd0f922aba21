//! `docs/rules/<ruleset>.md` must be what the rule files generate today.

use std::path::Path;

#[test]
fn rule_documentation_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let lists = pintae_rules::bundled::codelists().expect("code lists");
    let sets = pintae_rules::bundled::rulesets().expect("rule sets");
    assert_eq!(sets.len(), 3);
    for set in sets {
        let path = dir.join(format!("{}.md", set.id));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let fresh = pintae_rulegen::docs::markdown(set, lists).expect("rules parse");
        assert!(
            committed == fresh,
            "{} is stale: run `cargo run -p pintae-rulegen -- docs`",
            path.display()
        );
        assert!(fresh.contains(&format!("### {}", set.rules().expect("rules parse")[0].id)));
    }
}

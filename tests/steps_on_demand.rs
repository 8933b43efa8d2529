//! Task sequence steps are decoded from the Sequence XML only for the deployments checked
//! (a large site has thousands of task sequences of some 14 KB of XML each; docs/perf.md). The
//! others say so as unknown, never as an empty list that a rule could pass on.

use cmg_preflight::model::fact::{Fact, V};

mod common;

fn steps_of<'a>(deployments: &'a [Fact], id: &str) -> &'a Fact {
    deployments
        .iter()
        .find(|d| d.get("id").map(Fact::display).as_deref() == Some(id))
        .and_then(|d| d.get("task_sequence"))
        .and_then(|t| t.get("steps"))
        .unwrap_or_else(|| panic!("deployment {id} has no task_sequence.steps"))
}

#[test]
fn only_the_checked_deployments_steps_are_read() {
    let a = common::analyse_example(&["--deployment", "PS120045"]);
    let deployments = a.model.deployments();

    // The checked deployment: the steps of its Sequence XML, each placed in task-sequences.json.
    let checked = steps_of(deployments, "PS120045");
    let V::List(steps) = &checked.value else {
        panic!("the checked deployment's steps are not a list: {checked:?}")
    };
    assert!(steps.len() > 3, "{} steps", steps.len());
    for s in steps {
        let at = s.origin.expect("a step has a place");
        let file = a.export.sources.get(at.file);
        assert!(
            file.display.ends_with("task-sequences.json"),
            "{}",
            file.display
        );
    }

    // The other deployment of the same task sequence is not checked: its steps were not read,
    // and say why.
    let other = steps_of(deployments, "PS120046");
    let gap = other.gap().expect("unknown, not a list");
    assert!(
        gap.explain().contains("deployments checked only"),
        "{}",
        gap.explain()
    );
}

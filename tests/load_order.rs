//! Files are read in parallel (the largest first) but merged in the order of the inputs: file
//! ids, records and notes come out as if the files were read one by one, and of two objects
//! with the same id the one in the earlier input wins.

use cmg_preflight::export;
use cmg_preflight::source::SourceMap;

fn deployment(id: &str, name: &str) -> String {
    format!(r#"{{"AdvertisementID": "{id}", "AdvertisementName": "{name}", "AdvertFlags": 0}}"#)
}

#[test]
fn duplicates_across_files_keep_the_first_input() {
    let dir = std::env::temp_dir().join(format!("cmg-preflight-load-order-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, items: &[String], padding: usize| {
        let text = format!("[{}]{}", items.join(",\n"), " ".repeat(padding));
        std::fs::write(dir.join(name), text).expect("write");
        dir.join(name)
    };
    // b.json is the largest (2 MiB of trailing white space), so it is read first, on its own
    // core, while a.json and c.json are read on another: the merge must still put a.json first.
    // (On a machine with one core all three are read in turn, and only the merge is checked.)
    let files = vec![
        write(
            "a.json",
            &[
                deployment("PS120001", "a first"),
                deployment("PS120001", "a again"),
            ],
            0,
        ),
        write(
            "b.json",
            &[
                deployment("ps120001", "b copy"),
                deployment("PS120002", "b first"),
            ],
            2 << 20,
        ),
        write("c.json", &[deployment("PS120002", "c copy")], 0),
    ];
    let Ok(export) = export::load(SourceMap::default(), &files, &[], None) else {
        panic!("the three files load");
    };
    let file_of = |o: cmg_preflight::source::Origin| {
        export
            .sources
            .get(o.file)
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    };
    let kept: Vec<(Option<String>, Option<&String>)> = export
        .deployments
        .iter()
        .map(|d| (file_of(d.origin), d.id.known()))
        .collect();
    assert_eq!(
        kept,
        [
            (Some("a.json".to_string()), Some(&"PS120001".to_string())),
            (Some("b.json".to_string()), Some(&"PS120002".to_string())),
        ]
    );
    let notes: Vec<(String, Option<String>, Option<String>)> = export
        .notes
        .iter()
        .map(|n| {
            (
                n.message.split(':').next().unwrap_or_default().to_string(),
                n.at.and_then(file_of),
                n.also.as_ref().and_then(|(o, _)| file_of(*o)),
            )
        })
        .collect();
    let note = |id: &str, at: &str, first: &str| {
        (
            format!("duplicate SMS_Advertisement `{id}`"),
            Some(at.to_string()),
            Some(first.to_string()),
        )
    };
    assert_eq!(
        notes,
        [
            note("PS120001", "a.json", "a.json"),
            note("ps120001", "b.json", "a.json"),
            note("PS120002", "c.json", "b.json"),
        ]
    );
    let names: Vec<_> = export
        .sources
        .iter()
        .map(|(_, f)| f.path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        names,
        ["a.json", "b.json", "c.json"].map(|n| Some(n.to_string()))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

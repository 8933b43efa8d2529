//! The HTML report (`--format html=FILE`), as a file and in a real browser.
//!
//! As a file: it references nothing outside itself, it reads without JavaScript (nothing
//! hidden but the filter form and the copy buttons), hostile names from the export stay text,
//! no secret from the export reaches it, and the script hash in its Content-Security-Policy
//! is the hash of its script.
//!
//! In a browser: headless Chromium (`/usr/bin/chromium`, Debian's `chromium` package) loads
//! the example's report with `--dump-dom` (the DOM after the page's script ran) and checks
//! that the four failing findings are there, that a filter given in the URL fragment hides
//! the other rows, and, from Chromium's network log (`--log-net-log`), that the page made no
//! request. `--screenshot` draws the example's report; `BLESS=1 cargo test --test
//! html_report` rewrites docs/html-report.png with it.
//!
//! Without Chromium the browser tests print "skipped: ..." and pass, unless the environment
//! variable `CI` is set: there they fail, so CI cannot pass by not testing.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const NOW: &str = "2026-11-24";
const CHROMIUM: &str = "/usr/bin/chromium";
/// A value that must never reach the report.
const SENTINEL: &str = "Sentinel-Pa55-XYZ";
/// The example's deliberate failures (examples/contoso/README.md).
const FAILING: [&str; 4] = ["CNT-01", "CNT-02", "CS-02", "DEP-02"];
const WATCHDOG: Duration = Duration::from_secs(120);
/// The screenshot in the README.
const SCREENSHOT: &str = "docs/html-report.png";
const SCREEN: (u32, u32) = (1280, 2000);

/// Chromium's flags for a run that is quiet on a closed network: no sandbox (CI containers run
/// as root), no GPU, no QUIC, as little of the browser's own background traffic as flags turn
/// off, and every host name unresolvable (the network log still shows a request the page
/// would make). See "Run Chromium with flags"
/// (https://www.chromium.org/developers/how-tos/run-chromium-with-flags/) and "NetLog"
/// (https://www.chromium.org/developers/design-documents/network-stack/netlog/).
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// Temporary folders and the report
// ---------------------------------------------------------------------------------------------

struct Tmp(PathBuf);

impl Tmp {
    fn new(tag: &str) -> Tmp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cmgpf-html-{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the temporary folder");
        Tmp(dir)
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// A copy of the example at `dir`.
fn example_copy(t: &Tmp) -> PathBuf {
    let dir = t.join("contoso");
    copy_dir(&root().join("examples/contoso"), &dir);
    dir
}

/// Replaces the one occurrence of `from` in a UTF-8 export file.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("a UTF-8 fixture");
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` once in {}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).expect("write the fixture");
}

/// `check EXPORT --media EXPORT/media.yaml --now 2026-11-24 --fail-on never --format
/// html=FILE --format json=FILE.json`, run from the repository root (so the example's paths
/// are relative, as in the README); returns the HTML and the JSON results.
fn report(export: &Path, html: &Path) -> (String, Value) {
    let json = html.with_extension("json");
    let mut spec = std::ffi::OsString::from("html=");
    spec.push(html);
    let mut json_spec = std::ffi::OsString::from("json=");
    json_spec.push(&json);
    let o = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .current_dir(root())
        .arg("check")
        .arg(export)
        .arg("--media")
        .arg(export.join("media.yaml"))
        .args(["--now", NOW, "--fail-on", "never"])
        .arg("--format")
        .arg(spec)
        .arg("--format")
        .arg(json_spec)
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("TF_BUILD")
        .output()
        .expect("run cmg-preflight");
    assert_eq!(
        o.status.code(),
        Some(0),
        "cmg-preflight failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(html).expect("the HTML report");
    let doc = serde_json::from_slice(&std::fs::read(&json).expect("the JSON results"))
        .expect("JSON results");
    (text, doc)
}

/// The shipped example's report, with the example's relative path as in the README.
fn example_report(t: &Tmp) -> (PathBuf, String, Value) {
    let html = t.join("report.html");
    let (text, doc) = report(Path::new("examples/contoso"), &html);
    (html, text, doc)
}

fn failures(doc: &Value) -> Vec<(String, String)> {
    doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or_default().to_string(),
                r["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading HTML: opening tags and their attributes (enough for the report's own markup)
// ---------------------------------------------------------------------------------------------

/// Every opening tag `<name ...>` in `html`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    html.match_indices(&open)
        .filter(|(i, _)| {
            html[i + open.len()..]
                .chars()
                .next()
                .is_some_and(|c| c == ' ' || c == '>')
        })
        .filter_map(|(i, _)| html[i..].find('>').map(|end| &html[i..=i + end]))
        .collect()
}

/// An attribute's value (double-quoted, as both the report and Chromium's serializer write).
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    tag[start..].find('"').map(|end| &tag[start..start + end])
}

/// A boolean attribute: `hidden`, `hidden=""`.
fn has(tag: &str, name: &str) -> bool {
    [" ", ">", "=", "/"]
        .iter()
        .any(|after| tag.contains(&format!(" {name}{after}")))
}

/// One finding row: rule, outcome, severity, group, whether it is hidden.
#[derive(Debug)]
struct Row {
    rule: String,
    outcome: String,
    severity: String,
    group: String,
    hidden: bool,
}

fn rows(html: &str) -> Vec<Row> {
    tags(html, "details")
        .into_iter()
        .filter(|t| attr(t, "class").is_some_and(|c| c.starts_with("finding")))
        .map(|t| Row {
            rule: attr(t, "data-rule").unwrap_or_default().into(),
            outcome: attr(t, "data-outcome").unwrap_or_default().into(),
            severity: attr(t, "data-severity").unwrap_or_default().into(),
            group: attr(t, "data-group").unwrap_or_default().into(),
            hidden: has(t, "hidden"),
        })
        .collect()
}

/// Text as Chromium's serializer writes it in element content (`&`, `<`, `>` and the
/// no-break space escaped; quotes as they are).
fn dom_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// The report's markup with its code spans back as backticks (the report writes `x` in a
/// message as `<code>x</code>`).
fn plain(html: &str) -> String {
    html.replace("<code>", "`").replace("</code>", "`")
}

/// Text as the report writes it (quotes escaped too).
fn html_text(s: &str) -> String {
    dom_text(s).replace('"', "&quot;").replace('\'', "&#39;")
}

// ---------------------------------------------------------------------------------------------
// The report as a file (no browser)
// ---------------------------------------------------------------------------------------------

/// Nothing in the report can load anything: no element that fetches (`img`, `iframe`,
/// `link rel=stylesheet`, `script src`, ...), no `src`, every `href` a fragment or the empty
/// `data:` icon, no `url(` or `@import` in the style, no `http://`, `https://` or `//` in an
/// attribute or the style.
#[test]
fn the_report_references_nothing_outside_itself() {
    let t = Tmp::new("static");
    let (_, html, _) = example_report(&t);
    for name in [
        "img",
        "iframe",
        "frame",
        "object",
        "embed",
        "video",
        "audio",
        "source",
        "track",
        "picture",
        "svg",
        "image",
        "base",
        "applet",
        "portal",
        "fencedframe",
    ] {
        assert!(tags(&html, name).is_empty(), "a <{name}> element");
    }
    let scripts = tags(&html, "script");
    assert_eq!(scripts, ["<script>"], "one inline script, no src");
    for link in tags(&html, "link") {
        assert_eq!(link, "<link rel=\"icon\" href=\"data:,\">", "{link}");
    }
    let all_tags: Vec<&str> = html
        .match_indices('<')
        .filter_map(|(i, _)| html[i..].find('>').map(|e| &html[i..=i + e]))
        .filter(|t| !t.starts_with("</"))
        .collect();
    for t in &all_tags {
        for a in [
            "src",
            "srcset",
            "action",
            "formaction",
            "poster",
            "data",
            "ping",
            "background",
        ] {
            assert!(attr(t, a).is_none(), "{a}= in {t}");
        }
        if let Some(h) = attr(t, "href") {
            assert!(h.starts_with('#') || h == "data:,", "href {h:?} in {t}");
        }
        for bad in ["http:", "https:", "//", "url("] {
            let inside_attrs = t.split('"').skip(1).step_by(2);
            for value in inside_attrs {
                assert!(!value.contains(bad), "{bad} in an attribute: {t}");
            }
        }
    }
    let style = html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(s, _)| s)
        .expect("an inline style");
    for bad in ["url(", "@import", "@font-face", "http:", "https:", "//"] {
        assert!(!style.contains(bad), "`{bad}` in the style");
    }
    let script = inline_script(&html);
    for bad in [
        "http:",
        "https:",
        "//",
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "import(",
        "eval(",
        "innerHTML",
    ] {
        assert!(!script.contains(bad), "`{bad}` in the script");
    }
    // The policy blocks whatever would still try: nothing but inline style, the hashed
    // script, and data: images.
    let csp = tags(&html, "meta")
        .into_iter()
        .find(|m| attr(m, "http-equiv") == Some("Content-Security-Policy"))
        .and_then(|m| attr(m, "content"))
        .expect("a Content-Security-Policy");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .expect("a script-src directive");
    assert!(
        script_src.starts_with("script-src 'sha256-") && !script_src.contains("unsafe"),
        "{script_src}"
    );
}

fn inline_script(html: &str) -> &str {
    html.split_once("<script>")
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(s, _)| s)
        .expect("an inline script")
}

/// Without JavaScript every finding is there and visible, the failures open; the filters and
/// the copy buttons, which need the script, are hidden.
#[test]
fn the_report_reads_without_javascript() {
    let t = Tmp::new("nojs");
    let (_, html, doc) = example_report(&t);
    let rows = rows(&html);
    assert_eq!(
        rows.len(),
        doc["results"].as_array().map_or(0, Vec::len),
        "one row per result"
    );
    assert!(rows.iter().all(|r| !r.hidden), "a row is hidden: {rows:?}");
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.outcome == "fail")
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(failed, FAILING, "the failures come first, in this order");
    assert_eq!(
        rows.iter().position(|r| r.outcome != "fail"),
        Some(4),
        "failures first"
    );
    for t in tags(&html, "details") {
        let open = has(t, "open");
        let fail = attr(t, "data-outcome") == Some("fail");
        assert_eq!(open, fail, "only failures (and unknowns) open: {t}");
    }
    let form = tags(&html, "form");
    assert!(form.len() == 1 && has(form[0], "hidden"), "{form:?}");
    let buttons = tags(&html, "button");
    let copy: Vec<&&str> = buttons
        .iter()
        .filter(|b| attr(b, "class") == Some("copy"))
        .collect();
    assert_eq!(copy.len(), 4, "a copy button per failure with a command");
    assert!(copy.iter().all(|b| has(b, "hidden")));
    let text = plain(&html);
    for (rule, message) in failures(&doc) {
        assert!(text.contains(&html_text(&message)), "{rule}: {message}");
    }
    // Print: A4, the controls gone, every finding expanded.
    for css in [
        "@page{size:A4;margin:15mm}",
        ".filters,.copy{display:none!important}",
        "details::details-content{content-visibility:visible;display:block}",
    ] {
        assert!(html.contains(css), "the print style lacks {css}");
    }
}

/// The script is allowed by its hash in the Content-Security-Policy: the two must agree, or
/// the browser refuses the script (filters and copy buttons stay hidden).
#[test]
fn the_policy_names_the_script_hash() {
    let t = Tmp::new("hash");
    let (_, html, _) = example_report(&t);
    let script = inline_script(&html);
    let file = t.join("script.js");
    std::fs::write(&file, script).expect("write the script");
    let out = match Command::new("sha256sum").arg(&file).output() {
        Ok(o) if o.status.success() => o,
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "no sha256sum to check the script hash with, and CI is set"
            );
            eprintln!("skipped: no sha256sum to check the script hash with");
            return;
        }
    };
    let hex = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    assert_eq!(bytes.len(), 32, "sha256sum printed {hex}");
    let want = format!("'sha256-{}'", base64(&bytes));
    assert!(
        html.contains(&format!("script-src {want};")),
        "the policy's script hash is not the script's; set SCRIPT_HASH in src/report/html.rs to {}",
        want.trim_matches('\'')
    );
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Secrets next to a reported value (a PXE password on the line under DEP-02's AdvertFlags, a
/// media password beside CS-02's AllowCMG) are blanked in the snippet, as in every format.
#[test]
fn no_secret_reaches_the_html() {
    let t = Tmp::new("secret");
    let export = example_copy(&t);
    edit(
        &export.join("deployments.json"),
        "\"AdvertFlags\":  9306112,\r\n",
        &format!("\"AdvertFlags\":  9306112,\r\n        \"PXEPassword\":  \"{SENTINEL}\",\r\n"),
    );
    edit(
        &export.join("client-settings.json"),
        "\"AllowCMG\":  0,\r\n",
        &format!(
            "\"AllowCMG\":  0,\r\n                      \"MediaPassword\":  \"{SENTINEL}\",\r\n"
        ),
    );
    let (html, doc) = report(&export, &t.join("secret.html"));
    assert_eq!(failures(&doc).len(), 4, "still the example's four failures");
    assert!(
        !html.contains(SENTINEL) && !html.contains("entinel-Pa55"),
        "the secret is in the HTML"
    );
    // Not vacuous: both lines are shown, blanked.
    let blank = "*".repeat(SENTINEL.len() + 2);
    for key in ["PXEPassword", "MediaPassword"] {
        let line = format!("&quot;{key}&quot;:  {blank}");
        assert!(
            html.contains(&line),
            "the snippet does not show {key} blanked"
        );
    }
}

/// An export whose object and file names carry markup: `<script>`, an image from the
/// network, quotes and `&`. In the file they are text, and (with a browser) the DOM has no
/// element from them and the page makes no request.
#[test]
fn hostile_names_stay_text() {
    let t = Tmp::new("hostile");
    let export = example_copy(&t);
    let name = "<script>alert(1)</script><img src=\"https://example.invalid/x.png\"> & 'q' \"r\"";
    let json_name = name.replace('"', "\\\"");
    edit(
        &export.join("client-settings.json"),
        "\"Name\":  \"Remote reimage devices\"",
        &format!("\"Name\":  \"{json_name}\""),
    );
    // No `/` in a file name: an element that runs code when it loads.
    let file_name = "a<img src=x onerror=alert(2)>\"b'&c.json";
    std::fs::write(export.join(file_name), "[{\"Foo\": 1}]\n").expect("write");
    let html_file = t.join("hostile.html");
    let (html, doc) = report(&export, &html_file);
    assert_eq!(failures(&doc).len(), 4);
    assert_eq!(tags(&html, "script").len(), 1, "one script element");
    assert!(tags(&html, "img").is_empty(), "no img element");
    assert!(
        html.contains(&html_text(name)),
        "the setting's name, escaped"
    );
    assert!(
        html.contains(&html_text(file_name)),
        "the file's name, escaped"
    );
    let Some(chromium) = chromium() else {
        return;
    };
    let run = browse(chromium, &t, &[], &url(&html_file, ""));
    let dom = &run.dom;
    assert_eq!(
        tags(dom, "script").len(),
        1,
        "one script element in the DOM"
    );
    assert!(tags(dom, "img").is_empty(), "no img element in the DOM");
    assert!(dom.contains(&dom_text(name)), "the name is text in the DOM");
    assert_eq!(run.page_requests(), Vec::<String>::new());
    assert_eq!(
        rows(dom).iter().filter(|r| !r.hidden).count(),
        rows(dom).len()
    );
}

// ---------------------------------------------------------------------------------------------
// In the browser
// ---------------------------------------------------------------------------------------------

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Chromium, or `None` (with the skip message) when it is not installed; under CI a missing
/// Chromium fails the test.
fn chromium() -> Option<&'static Path> {
    let path = Path::new(CHROMIUM);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        !ci(),
        "chromium not found at {CHROMIUM}, and CI is set: the HTML report must be tested in a browser (install it: apt-get install chromium; .ci/run does)"
    );
    eprintln!("skipped: chromium not found (install it: apt-get install chromium; .ci/run does)");
    None
}

fn url(file: &Path, fragment: &str) -> String {
    let path = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let mut u = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                u.push(char::from(b))
            }
            _ => u.push_str(&format!("%{b:02X}")),
        }
    }
    u.push_str(fragment);
    u
}

/// One browser run: the dumped DOM (with `--dump-dom`) and the network log.
struct Run {
    dom: String,
    net: Value,
}

/// Runs Chromium on `url` with `extra` flags (`--dump-dom` unless a `--screenshot` is given),
/// its own profile and a network log, under a watchdog.
fn browse(chromium: &Path, t: &Tmp, extra: &[String], url: &str) -> Run {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let profile = t.join(&format!("profile-{n}"));
    let net = t.join(&format!("net-{n}.json"));
    let mut cmd = Command::new(chromium);
    cmd.args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net.display()))
        .args(extra);
    if !extra.iter().any(|a| a.starts_with("--screenshot")) {
        cmd.arg("--dump-dom");
    }
    let mut child = cmd
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for chromium") {
            break s;
        }
        if started.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within {} s on {url}",
                WATCHDOG.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = out.join().unwrap_or_default();
    let log = err.join().unwrap_or_default();
    assert!(
        status.success(),
        "chromium exited {status} on {url}:\n{log}"
    );
    let net = std::fs::read(&net)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| panic!("chromium wrote no readable network log for {url}:\n{log}"));
    Run { dom, net }
}

impl Run {
    /// The URLs of every request the page started. Chromium logs the browser's own requests
    /// (updates, time) too; those have no initiator (`"not an origin"`) and a network
    /// isolation key that is not the page's. A page loaded from a file has the initiator
    /// `null` and the key `file://`. File loads themselves are not in the network log.
    fn page_requests(&self) -> Vec<String> {
        let Some(types) = self.net["constants"]["logEventTypes"].as_object() else {
            panic!("the network log has no event types");
        };
        let start = types
            .get("URL_REQUEST_START_JOB")
            .and_then(Value::as_u64)
            .expect("URL_REQUEST_START_JOB in the network log");
        let ws = types
            .get("WEBSOCKET_SEND_REQUEST_HEADERS")
            .and_then(Value::as_u64);
        self.net["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| {
                let ty = e["type"].as_u64();
                ty == Some(start) || (ws.is_some() && ty == ws)
            })
            .filter_map(|e| {
                let p = &e["params"];
                let url = p["url"].as_str()?;
                let initiator = p["initiator"].as_str().unwrap_or("not an origin");
                let key = p["network_isolation_key"].as_str().unwrap_or("");
                (initiator != "not an origin" || key.contains("file:")).then(|| url.to_string())
            })
            .collect()
    }
}

/// The example's report in Chromium: the script runs, the four failures are rows with their
/// messages, every result has its row, and the page makes no request.
#[test]
fn the_example_in_a_browser() {
    let Some(chromium) = chromium() else {
        return;
    };
    let t = Tmp::new("browser");
    let (html_file, _, doc) = example_report(&t);
    let run = browse(chromium, &t, &[], &url(&html_file, ""));
    let dom = &run.dom;
    assert!(dom.contains("</html>"), "no DOM dumped:\n{dom}");
    let rows = rows(dom);
    assert_eq!(rows.len(), doc["results"].as_array().map_or(0, Vec::len));
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.outcome == "fail")
        .map(|r| r.rule.as_str())
        .collect();
    assert_eq!(failed, FAILING);
    let text = plain(dom);
    for (rule, message) in failures(&doc) {
        assert!(
            text.contains(&dom_text(&message)),
            "{rule}: `{message}` not in the DOM"
        );
    }
    assert!(
        rows.iter().all(|r| !r.hidden),
        "no filter in the URL, nothing hidden"
    );
    // The script ran (the policy allowed it): the filters and copy buttons are shown.
    let form = tags(dom, "form");
    assert!(
        form.len() == 1 && !has(form[0], "hidden"),
        "the filter form is still hidden: did the script run? (a wrong script hash in the Content-Security-Policy stops it) {form:?}"
    );
    assert!(dom.contains(&format!("{0} of {0} shown", rows.len())));
    let copy: Vec<&str> = tags(dom, "button")
        .into_iter()
        .filter(|b| attr(b, "class") == Some("copy"))
        .collect();
    assert_eq!(copy.len(), 4);
    assert!(copy.iter().all(|b| !has(b, "hidden")), "{copy:?}");
    assert_eq!(
        run.page_requests(),
        Vec::<String>::new(),
        "the page made requests"
    );
}

/// The check for requests is not blind: a page with two remote images shows both.
#[test]
fn the_request_check_sees_a_request() {
    let Some(chromium) = chromium() else {
        return;
    };
    let t = Tmp::new("probe");
    let page = t.join("probe.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><title>probe</title><img src=\"http://127.0.0.1:9/a.png\"><img src=\"https://example.invalid/b.png\">",
    )
    .expect("write the probe page");
    let run = browse(chromium, &t, &[], &url(&page, ""));
    let mut seen = run.page_requests();
    seen.sort();
    assert_eq!(
        seen,
        ["http://127.0.0.1:9/a.png", "https://example.invalid/b.png"]
    );
}

/// A filter in the URL fragment is applied on load: the rows it leaves out get `hidden`, and
/// so does a section left empty.
#[test]
fn filters_from_the_fragment() {
    let Some(chromium) = chromium() else {
        return;
    };
    let t = Tmp::new("filter");
    let (html_file, _, _) = example_report(&t);
    type Visible = dyn Fn(&Row) -> bool;
    let cases: &[(&str, &Visible)] = &[
        ("#outcome=fail", &|r| r.outcome == "fail"),
        ("#outcome=fail,manual", &|r| {
            r.outcome == "fail" || r.outcome == "manual"
        }),
        ("#severity=warning", &|r| r.severity == "warning"),
        ("#group=DEP&outcome=pass", &|r| {
            r.group == "DEP" && r.outcome == "pass"
        }),
        ("#group=NOPE", &|_| true),
    ];
    for (fragment, visible) in cases {
        let run = browse(chromium, &t, &[], &url(&html_file, fragment));
        let rows = rows(&run.dom);
        assert!(!rows.is_empty(), "{fragment}: no rows in the DOM");
        let shown = rows.iter().filter(|r| visible(r)).count();
        assert!(shown > 0, "{fragment}: the case shows nothing");
        for r in &rows {
            assert_eq!(r.hidden, !visible(r), "{fragment}: {r:?}");
        }
        assert!(
            run.dom
                .contains(&format!("{shown} of {} shown", rows.len())),
            "{fragment}: the count"
        );
        for s in tags(&run.dom, "section") {
            if let Some(key) = attr(s, "data-section") {
                let any = rows.iter().any(|r| r.outcome == key && !r.hidden);
                assert_eq!(has(s, "hidden"), !any, "{fragment}: section {key}");
            }
        }
    }
    // The pass rows are hidden with `#outcome=fail`, the fail rows are not.
    let run = browse(chromium, &t, &[], &url(&html_file, "#outcome=fail"));
    let rows = rows(&run.dom);
    assert!(rows
        .iter()
        .filter(|r| r.outcome == "pass")
        .all(|r| r.hidden));
    assert!(rows
        .iter()
        .filter(|r| r.outcome == "fail")
        .all(|r| !r.hidden));
}

/// PNG width and height from the IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |r: std::ops::Range<usize>| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(r)?.try_into().ok()?))
    };
    Some((be(16..20)?, be(20..24)?))
}

/// Chromium draws the example's report (a PNG of the window's size); with `BLESS=1` it
/// becomes docs/html-report.png, the README's screenshot. The committed screenshot must be a
/// PNG of that size.
#[test]
fn screenshot_of_the_example() {
    let committed = root().join(SCREENSHOT);
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    if !bless {
        let bytes = std::fs::read(&committed).expect("docs/html-report.png");
        assert_eq!(
            png_size(&bytes),
            Some(SCREEN),
            "{SCREENSHOT} is no {SCREEN:?} PNG"
        );
    }
    let Some(chromium) = chromium() else {
        return;
    };
    let t = Tmp::new("shot");
    let (html_file, _, _) = example_report(&t);
    let png = t.join("shot.png");
    let run = browse(
        chromium,
        &t,
        &[
            format!("--window-size={},{}", SCREEN.0, SCREEN.1),
            format!("--screenshot={}", png.display()),
        ],
        &url(&html_file, ""),
    );
    assert_eq!(run.page_requests(), Vec::<String>::new());
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(png_size(&bytes), Some(SCREEN));
    if bless {
        std::fs::write(&committed, &bytes).expect("write docs/html-report.png");
    }
}

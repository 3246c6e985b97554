//! The page on hostile and large reports. The structural check: since nothing from an
//! input may become markup, every `<` in the output opens a tag the renderer writes, and
//! no tag carries an attribute it does not write (no `on*` handler, no `src`).

use super::render;
use crate::finding::{Finding, Kind, Severity};
use crate::report::model::{
    Bundle, Certificate, Coverage, Evidence, Report, RootCause, SkippedEntry, Unrecognised,
};
use crate::unrecognised::Level;
use jiff::Timestamp;
use std::collections::BTreeMap;

const SCRIPT: &str = "<script>window.__pwned=1;document.title='PWNED'</script>";
const IMG: &str = r#""><img src=x onerror="document.title='PWNED'">"#;
const SVG: &str = "'></title></svg><svg onload=alert(1)>";

/// A string carrying all three payloads, tagged so a test can tell fields apart.
fn hostile(tag: &str) -> String {
    format!("{tag} {SCRIPT} {IMG} {SVG} &amp; \u{202E}end")
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn finding(
    id: &str,
    vm: &str,
    sev: Severity,
    kind: Kind,
    at: Option<&str>,
    last: Option<&str>,
) -> Finding {
    let mut captures = BTreeMap::new();
    captures.insert(hostile("capkey"), hostile("capval"));
    Finding {
        id: id.into(),
        signature: format!("sig-{}", hostile("id")),
        category: hostile("category"),
        kind,
        severity: sev,
        title: hostile("title"),
        summary: hostile("summary"),
        vm: vm.into(),
        job: Some(hostile("job")),
        path: format!("var/vcap/sys/log/{}", hostile("path")),
        line: Some(7),
        timestamp: at.map(t),
        last_seen: last.map(t),
        count: 3,
        excerpt: hostile("excerpt"),
        captures,
    }
}

fn bundle(vm: &str, at: &str, problems: Vec<String>) -> Bundle {
    Bundle {
        path: format!("{}.tgz", hostile("bundlepath")),
        vm: vm.into(),
        deployment: Some(hostile("deployment")),
        az: Some(hostile("az")),
        collected_at: Some(t(at)),
        complete: Some(false),
        files: 10,
        bytes: 2048,
        problems: problems.into_iter().map(Into::into).collect(),
    }
}

fn cert(vm: &str, days_left: i64, status: &str) -> Certificate {
    Certificate {
        vm: vm.into(),
        path: format!("var/vcap/jobs/{}/config/ca.crt", hostile("certpath")),
        index: 1,
        subject: hostile("subject"),
        issuer: hostile("issuer"),
        sans: vec![hostile("san")],
        serial: "01".into(),
        is_ca: false,
        not_before: t("2019-01-01T00:00:00Z"),
        not_after: t("2027-01-01T00:00:00Z"),
        status: status.into(),
        days_left,
        issuer_in_bundle: false,
    }
}

/// Three VMs with hostile names (one with no finding at all), every string field hostile.
fn hostile_report() -> Report {
    let vm_a = format!("cell/{}", hostile("vm-a"));
    let vm_b = format!("doppler/{}", hostile("vm-b"));
    let vm_quiet = format!("router/{}", hostile("vm-quiet"));
    let findings = vec![
        finding(
            "f1",
            &vm_a,
            Severity::High,
            Kind::Symptom,
            Some("2026-11-22T00:01:00Z"),
            Some("2026-11-22T00:09:00Z"),
        ),
        finding(
            "f2",
            &vm_b,
            Severity::Critical,
            Kind::Cause,
            Some("2026-11-22T00:00:30Z"),
            None,
        ),
        finding("f3", &vm_a, Severity::Medium, Kind::Symptom, None, None),
        finding("f4", &vm_b, Severity::Low, Kind::Cause, None, None),
    ];
    let ev = |f: &Finding| Evidence {
        finding: f.id.clone(),
        vm: f.vm.clone(),
        path: f.path.clone(),
        line: f.line,
        timestamp: f.timestamp,
        count: f.count,
        excerpt: f.excerpt.clone(),
    };
    Report {
        schema: 1,
        generated_by: hostile("generator"),
        now: Some(t("2026-11-22T00:18:12Z")),
        bundles: vec![
            bundle(&vm_a, "2026-11-22T00:10:00Z", vec![hostile("problem")]),
            bundle(&vm_b, "2026-11-22T00:18:12Z", vec![]),
            bundle(&vm_quiet, "2026-11-22T00:18:00Z", vec![]),
        ],
        root_causes: vec![RootCause {
            rank: 1,
            signature: findings[1].signature.clone(),
            category: hostile("rccategory"),
            title: hostile("rctitle"),
            severity: Severity::Critical,
            vms: vec![vm_b.clone()],
            first_seen: findings[1].timestamp,
            explains: vec!["f1".into(), "f3".into()],
            symptom_vms: vec![vm_a.clone()],
            evidence: vec![ev(&findings[1])],
            why: vec![hostile("why")],
            summary: hostile("rcsummary"),
            remediation: hostile("remediation"),
            cause_found: true,
            look_at: None,
            groups: Vec::new(),
            symptom_groups: Vec::new(),
            odd_ones: Vec::new(),
        }],
        unexplained: vec!["f3".into()],
        latent: vec!["f4".into()],
        findings,
        certificates: vec![cert(&vm_a, -30, "expired"), cert(&vm_b, 400, "valid")],
        unrecognised: vec![Unrecognised {
            template: hostile("template"),
            level: Level::Error,
            count: 3,
            vms: vec![vm_a.clone()],
            example: hostile("example"),
            example_at: hostile("exampleat"),
        }],
        coverage: Coverage {
            inputs: 3,
            vms: 3,
            files: 30,
            bytes: 6144,
            skipped: vec![SkippedEntry {
                vm: vm_a.clone(),
                path: hostile("skippath"),
                reason: hostile("reason"),
            }],
            errors: vec![hostile("error").into()],
        },
        fleet: Vec::new(),
    }
}

fn html(r: &Report) -> String {
    let mut out = Vec::new();
    render(r, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Tags the renderer writes, and the attributes it puts on them.
const TAGS: &[&str] = &[
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "nav", "main",
    "section", "article", "footer", "h1", "h2", "h3", "p", "div", "span", "b", "br", "code", "pre",
    "a", "ul", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "details",
    "summary", "input", "button", "time", "script", "svg", "g", "rect", "line", "text", "circle",
    "path",
];
const ATTRS: &[&str] = &[
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "nonce",
    "class",
    "id",
    "href",
    "datetime",
    "hidden",
    "open",
    "type",
    "placeholder",
    "aria-label",
    "aria-labelledby",
    "role",
    "xmlns",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "d",
    "text-anchor",
    "data-vm",
    "data-filter",
    "html",
];

/// Every tag and attribute in `page`, checked against the lists above.
fn check_structure(page: &str) {
    let mut rest = page;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let close = rest.starts_with('/');
        let body = rest.trim_start_matches('/');
        let name_len = body
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap();
        let name = &body[..name_len];
        assert!(
            TAGS.contains(&name),
            "unexpected tag <{name}> near: {}",
            &rest[..rest.len().min(120)]
        );
        if name == "script" || name == "style" {
            // Their content is the renderer's own constant; skip to the closing tag.
            if !close {
                let end = rest.find(&format!("</{name}>")).expect("closed");
                rest = &rest[end + 2..];
            }
            continue;
        }
        // Attributes: name, or name="value" with the value free of quotes and angle brackets.
        let mut a = &body[name_len..];
        loop {
            a = a.trim_start();
            if a.starts_with('>') || a.starts_with("/>") {
                break;
            }
            let n = a.find(['=', ' ', '>', '/']).unwrap();
            let attr = &a[..n];
            assert!(
                ATTRS.contains(&attr),
                "unexpected attribute {attr:?} on <{name}>"
            );
            a = &a[n..];
            if let Some(v) = a.strip_prefix("=\"") {
                let end = v.find('"').expect("quoted value closed");
                let value = &v[..end];
                assert!(
                    !value.contains(['<', '>']),
                    "raw angle bracket in {attr}={value:?}"
                );
                a = &v[end + 1..];
            } else {
                assert!(!a.starts_with('='), "unquoted value for {attr} on <{name}>");
            }
        }
    }
}

#[test]
fn hostile_strings_render_as_text_everywhere() {
    let page = html(&hostile_report());
    check_structure(&page);
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("<img"));
    assert!(!page.contains("<svg onload"));
    // Each field's payload is there, as text.
    for tag in [
        "vm-a",
        "vm-b",
        "vm-quiet",
        "title",
        "excerpt",
        "path",
        "capkey",
        "capval",
        "rctitle",
        "rcsummary",
        "template",
        "example",
        "exampleat",
        "why",
        "remediation",
        "subject",
        "issuer",
        "san",
        "skippath",
        "reason",
        "error",
        "problem",
        "generator",
        "deployment",
        "az",
        "bundlepath",
        "certpath",
    ] {
        let escaped = format!(
            "{tag} &lt;script&gt;window.__pwned=1;document.title=&#39;PWNED&#39;&lt;/script&gt; \
             &quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;PWNED&#39;&quot;&gt; \
             &#39;&gt;&lt;/title&gt;&lt;/svg&gt;&lt;svg onload=alert(1)&gt; &amp;amp; \u{FFFD}end"
        );
        assert!(
            page.contains(&escaped),
            "{tag} is not rendered as escaped text"
        );
    }
}

#[test]
fn hostile_strings_are_escaped_inside_svg_titles_and_attributes() {
    let page = html(&hostile_report());
    let svg_start = page.find("<svg class=\"chart timeline\"").unwrap();
    let svg = &page[svg_start..svg_start + page[svg_start..].find("</svg>").unwrap()];
    assert!(
        svg.contains("<title>[high] title &lt;script&gt;"),
        "tooltip escaped"
    );
    assert!(
        page.contains("data-vm=\"cell/vm-a &lt;script&gt;"),
        "attribute escaped"
    );
    check_structure(svg);
}

#[test]
fn every_vm_gets_a_timeline_lane_even_without_findings() {
    let r = hostile_report();
    let page = html(&r);
    assert_eq!(page.matches("<g class=\"lane\"").count(), r.bundles.len());
    // The quiet VM has a lane and a section.
    assert!(page.contains("<g class=\"lane\" data-vm=\"router/vm-quiet"));
    assert!(page.contains("No finding on this VM."));
    // Dated findings are marks (one with a bar to its last hit), undated ones are listed.
    assert_eq!(page.matches("<circle class=\"dot").count(), 2);
    assert_eq!(page.matches("<rect class=\"bar high\"").count(), 1);
    assert!(page.contains("Findings without a timestamp (2)"));
}

#[test]
fn header_clock_spread_and_certificates() {
    let page = html(&hostile_report());
    assert!(page.contains("2026-11-22 00:18:12Z"), "now");
    assert!(
        page.contains("span <b>8m 12s</b>"),
        "collection spread noted"
    );
    assert!(page.contains("line up events across VMs with care"));
    assert!(page.contains("EXPIRED 30 day(s) ago"));
    assert!(page.contains("<rect class=\"cert expired\""));
    assert!(page.contains("400 day(s)"));
    assert!(page.contains("Content-Security-Policy"));
}

#[test]
fn long_lists_are_capped_with_a_note() {
    let mut r = hostile_report();
    let vm = r.bundles[0].vm.clone();
    for i in 0..120 {
        let mut f = finding(
            &format!("g{i}"),
            &vm,
            Severity::Info,
            Kind::Symptom,
            Some("2026-11-22T00:05:00Z"),
            None,
        );
        f.excerpt = format!("line {i}");
        r.findings.push(f);
    }
    let ev = r.root_causes[0].evidence[0].clone();
    r.root_causes[0].evidence = vec![ev; 30];
    let page = html(&r);
    assert!(
        page.contains("72 more finding(s) on this VM"),
        "122 findings, 50 shown"
    );
    assert!(page.contains("20 more evidence line(s)"));
    check_structure(&page);
}

#[test]
fn an_empty_report_renders() {
    let r = Report {
        schema: 1,
        generated_by: "vcap-analyze test".into(),
        now: None,
        bundles: vec![],
        root_causes: vec![],
        findings: vec![],
        unexplained: vec![],
        latent: vec![],
        certificates: vec![],
        unrecognised: vec![],
        coverage: Coverage::default(),
        fleet: vec![],
    };
    let page = html(&r);
    check_structure(&page);
    assert!(page.contains("No root cause found"));
    assert!(page.contains("No certificate in the inputs."));
    assert!(page.ends_with("</html>\n"));
}

#[test]
#[should_panic(expected = "unexpected tag <img>")]
fn the_structure_check_catches_an_injected_tag() {
    check_structure("<p>ok</p><img src=x>");
}

#[test]
#[should_panic(expected = "unexpected attribute \"onerror\"")]
fn the_structure_check_catches_an_attribute_breakout() {
    check_structure(r#"<g class="lane" data-vm="x" onerror="alert(1)"></g>"#);
}

#[test]
fn findings_far_from_now_are_pinned_to_the_window_edge() {
    let mut r = hostile_report();
    let vm = r.bundles[1].vm.clone();
    // A certificate that expired years before the incident.
    r.findings.push(finding(
        "f9",
        &vm,
        Severity::Critical,
        Kind::Cause,
        Some("2019-07-12T22:25:49Z"),
        None,
    ));
    let page = html(&r);
    assert_eq!(page.matches("<path class=\"pin critical\"").count(), 1);
    assert!(page.contains("(before the chart&#39;s window)"));
    assert!(page.contains("1 finding(s) outside this window"));
    // The window still starts at the incident, not in 2019.
    assert!(page.contains("From 2026-11-22 00:00:"), "window start");
    assert_eq!(page.matches("<circle class=\"dot").count(), 2);
}

#[test]
fn a_large_fleet_stays_a_reasonable_size() {
    let mut r = hostile_report();
    r.findings.clear();
    r.bundles.clear();
    for v in 0..300 {
        let vm = format!("diego_cell/{v:04}");
        r.bundles.push(bundle(&vm, "2026-11-22T00:18:00Z", vec![]));
        for i in 0..150 {
            let at = format!("2026-11-21T{:02}:{:02}:00Z", i / 60 % 24, i % 60);
            let mut f = finding(
                &format!("f{v}-{i}"),
                &vm,
                Severity::Medium,
                Kind::Symptom,
                Some(&at),
                None,
            );
            // Realistic sizes: the hostile fields above are long. One signature of each VM
            // its own: no two VMs alike (alike VMs share a lane and a section).
            f.signature = match i {
                0 => format!("signature-of-{v}"),
                _ => format!("signature-{}", i % 40),
            };
            f.title = "metron_agent panics: no doppler listening".into();
            f.category = "doppler_unavailable".into();
            f.path = format!("var/vcap/sys/log/job{}/job.stderr.log", i % 7);
            f.excerpt = "x".repeat(240);
            f.captures = [("protocols".to_string(), "udp".to_string())].into();
            r.findings.push(f);
        }
    }
    r.certificates = (0..2000)
        .map(|i| cert(&r.bundles[i % 300].vm, i as i64 - 100, "valid"))
        .collect();
    r.coverage.skipped = (0..5000)
        .map(|i| SkippedEntry {
            vm: r.bundles[i % 300].vm.clone(),
            path: format!("p{i}"),
            reason: "fifo".into(),
        })
        .collect();
    let page = html(&r);
    eprintln!(
        "{} findings on {} VMs: {} bytes",
        r.findings.len(),
        r.bundles.len(),
        page.len()
    );
    assert!(page.len() < 8 << 20, "{} bytes", page.len());
    assert_eq!(
        page.matches("<g class=\"lane\"").count(),
        300,
        "every VM keeps its lane"
    );
    assert!(
        page.contains("134 more finding(s) on this VM"),
        "16 rows each for 300 VMs"
    );
    assert!(page.contains("The chart shows the 40 soonest to expire"));
    assert!(page.contains("1500 more certificate(s)"));
    assert!(page.contains("4800 more skipped entries"));
}

#[test]
fn overlapping_marks_get_their_own_row_in_a_taller_lane() {
    let mut r = hostile_report();
    let vm = r.bundles[0].vm.clone();
    // Same span as f1 on the same VM: without rows it would hide under f1.
    r.findings.push(finding(
        "f8",
        &vm,
        Severity::Medium,
        Kind::Symptom,
        Some("2026-11-22T00:01:00Z"),
        Some("2026-11-22T00:09:00Z"),
    ));
    let page = html(&r);
    let cys: Vec<&str> = page
        .match_indices("<circle class=\"dot")
        .map(|(i, _)| {
            let s = &page[i..];
            let a = s.find("cy=\"").unwrap() + 4;
            &s[a..a + s[a..].find('"').unwrap()]
        })
        .collect();
    assert_eq!(cys.len(), 3);
    let mut distinct = cys.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "every mark on its own row: {cys:?}");
    assert!(
        page.contains(
            "<rect class=\"lane-bg\" x=\"0\" y=\"26.0\" width=\"1300\" height=\"40.0\"/>"
        ),
        "first lane grew to two rows"
    );
    check_structure(&page);
}

/// `vms` VMs in five instance groups, the VMs of a group alike (the same three signatures,
/// each VM at its own times), as copies of one incident across a fleet.
fn alike_fleet(vms: usize) -> Report {
    let mut r = hostile_report();
    r.findings.clear();
    r.bundles.clear();
    r.root_causes.clear();
    r.certificates.clear();
    r.coverage.skipped.clear();
    let start = t("2026-11-21T00:00:00Z");
    for v in 0..vms {
        let vm = format!("group{}/{v:05}", v % 5);
        let mut b = bundle(&vm, "2026-11-22T00:18:00Z", vec![]);
        b.path = format!("results/vm{v:05}.json");
        b.deployment = Some("cf".into());
        b.az = Some("z1".into());
        r.bundles.push(b);
        for i in 0..3 {
            let mut f = finding(
                &format!("f{}", v * 3 + i),
                &vm,
                Severity::High,
                Kind::Symptom,
                None,
                None,
            );
            f.timestamp = Some(start + jiff::SignedDuration::from_secs((v * 7 + i * 600) as i64));
            f.signature = format!("signature-{}-{i}", v % 5);
            f.title = "metron_agent panics: no doppler listening".into();
            f.path = "var/vcap/sys/log/metron_agent/metron_agent.stderr.log".into();
            f.excerpt = "x".repeat(200);
            f.captures = [("protocols".to_string(), "udp".to_string())].into();
            r.findings.push(f);
        }
    }
    r
}

/// A fleet of alike VMs grows the page by a name per VM, not by its rows and marks: five
/// groups are five lanes and five sections whatever the fleet's size, every VM keeps its
/// anchor, and 5,000 VMs stay under 5 MB.
#[test]
fn alike_vms_share_a_lane_and_a_section_and_the_page_grows_by_names_only() {
    let small = html(&alike_fleet(1000));
    let large = html(&alike_fleet(5000));
    check_structure(&large);
    eprintln!("1000 VMs: {} bytes, 5000: {}", small.len(), large.len());
    assert!(large.len() < 5 << 20, "{} bytes", large.len());
    let per_vm = (large.len() - small.len()) / 4000;
    assert!(per_vm <= 100, "{per_vm} bytes per VM added");
    for page in [&small, &large] {
        assert_eq!(page.matches("<g class=\"lane\"").count(), 5);
        assert_eq!(page.matches("<details class=\"vm\"").count(), 5);
    }
    assert!(
        large.contains(">group0 ×1000<"),
        "the lane of 1000 alike VMs"
    );
    assert!(large.contains("group0 ×1000 VMs with the same findings"));
    for v in [0, 1, 2500, 4999] {
        assert!(
            large.contains(&format!("id=\"vm-{v}\"")),
            "vm-{v} keeps its anchor"
        );
    }
}

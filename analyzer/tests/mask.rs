//! `vcap-analyze redact --mask`: host names, IPs and user names replaced by the same tokens
//! in every bundle of one run, the map kept outside the copies, and the copies still
//! analyzed as before (signatures fire on masked bundles).
//!
//! The log lines below are illustrative (written for this test) except the rep line,
//! which is seeds/001's.

use assert_cmd::Command;
use flate2::read::MultiGzDecoder;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use testkit::archive::RawTar;

/// seeds/001: the cell's rep cannot download the droplet; bad tls.
const REP_BAD_CERT: &str = r#"{"timestamp":"1563024441.123456789","source":"rep","message":"rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-run.node-run.setup.download-step.failed-to-fetch","log_level":2,"data":{"error":"Get https://file-server.service.cf.internal:8447/v1/static/buildpack_app_lifecycle/buildpack_app_lifecycle.tgz: remote error: tls: bad certificate"}}"#;

const CELL: &str =
    "cf.diego_cell.5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18-20190713-132721-123456789.tgz";
const ROUTER: &str = "cf.router.bbbbbbbb-0000-4000-8000-000000000002-20190713-132721-123456789.tgz";

/// What must not survive masking, anywhere in the copies.
const ORIGINALS: &[&str] = &[
    "10.0.16.5",
    "10.0.1.9",
    "fd00:10::16",
    "api.sys.acme-corp.com",
    "acme-corp",
    "db01",
    "jdoe",
    "svc_deploy",
];

fn write_inputs(dir: &Path) {
    let cell = RawTar::new()
        .file(
            "./rep/rep.stdout.log",
            format!(
                "{REP_BAD_CERT}\n\
                 {{\"timestamp\":\"1563024442.5\",\"source\":\"rep\",\"message\":\"rep.bbs-client.request.failed\",\"log_level\":2,\"data\":{{\"error\":\"dial tcp 10.0.16.5:8889: connect: connection refused\",\"host\":\"db01\",\"url\":\"https://api.sys.acme-corp.com/v2/info\"}}}}\n"
            ),
        )
        .file(
            "./rep/auth.log",
            "Accepted publickey for jdoe from 10.0.1.9 port 50022 ssh2\n\
             sudo: jdoe : TTY=pts/0 ; PWD=/home/jdoe ; USER=root ; COMMAND=/bin/ls\n\
             listening on [fd00:10::16]:8443 as uid=1002(svc_deploy)\n",
        )
        .tgz();
    let router = RawTar::new()
        .file(
            "./gorouter/access.log",
            "api.sys.acme-corp.com - [2019-07-13T13:27:21.000+0000] \"GET /v2/info HTTP/1.1\" 502 0 67 \"-\" \"cf/6.46\" \"10.0.1.9:50412\" \"10.0.16.5:8889\" x_forwarded_for:\"10.0.1.9\"\n\
             ssh jdoe@10.0.16.5 by svc_deploy\n",
        )
        .tgz();
    fs::write(dir.join(CELL), cell).unwrap();
    fs::write(dir.join(ROUTER), router).unwrap();
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String) {
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Entry name -> content of a tgz.
fn entries(path: &Path) -> BTreeMap<String, String> {
    let mut ar = tar::Archive::new(MultiGzDecoder::new(fs::File::open(path).unwrap()));
    ar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let mut body = String::new();
            e.read_to_string(&mut body).unwrap();
            (name, body)
        })
        .collect()
}

fn all_text(path: &Path) -> String {
    entries(path)
        .into_iter()
        .map(|(n, b)| format!("{n}\n{b}\n"))
        .collect()
}

#[test]
fn two_bundles_share_tokens_the_map_stays_outside_and_signatures_still_fire() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("bundles");
    let ticket = dir.path().join("ticket");
    fs::create_dir_all(&inputs).unwrap();
    fs::create_dir_all(&ticket).unwrap();
    write_inputs(&inputs);
    let map = dir.path().join("acme.map.json");
    let (cell, router) = (inputs.join(CELL), inputs.join(ROUTER));
    let args = |out: &Path, ins: &[&Path]| -> Vec<String> {
        let mut v = vec![
            "redact".to_string(),
            "--mask".into(),
            "hosts,ips,users".into(),
        ];
        v.extend(["--mask-map".into(), map.display().to_string()]);
        v.extend(ins.iter().map(|p| p.display().to_string()));
        v.push(out.display().to_string());
        v
    };

    // one run over both bundles
    let a = args(&ticket, &[&cell, &router]);
    let (code, stderr) = run(&a);
    assert_eq!(code, 0, "{stderr}");

    // the map: mode 0600, where it was asked for, nothing of it in the ticket
    let mode = fs::metadata(&map).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let mut written: Vec<String> = fs::read_dir(&ticket)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, [CELL, ROUTER], "the copies and nothing else");
    let m: serde_json::Value = serde_json::from_slice(&fs::read(&map).unwrap()).unwrap();

    // no original host, address or user is left in either copy
    let texts = [all_text(&ticket.join(CELL)), all_text(&ticket.join(ROUTER))];
    for t in &texts {
        for o in ORIGINALS {
            assert!(!t.contains(o), "{o} left in:\n{t}");
        }
    }
    // the same names have the same tokens in both bundles
    let ip = m["ips"]["10.0.16.5"].as_str().unwrap();
    let client = m["ips"]["10.0.1.9"].as_str().unwrap();
    let user = m["users"]["jdoe"].as_str().unwrap();
    let service = m["users"]["svc_deploy"].as_str().unwrap();
    let host = m["hosts"]["api.sys.acme-corp.com"].as_str().unwrap();
    let domain = m["domains"]["sys.acme-corp.com"].as_str().unwrap();
    assert!(ip.starts_with("240.") && user.starts_with("user-") && host.starts_with("host-"));
    let fqdn = format!("{host}.{domain}");
    for t in &texts {
        for token in [ip, client, user, service, fqdn.as_str()] {
            assert!(t.contains(token), "{token} missing in:\n{t}");
        }
    }
    assert!(texts[0].contains(&format!("Accepted publickey for {user} from {client} port")));
    assert!(texts[1].contains(&format!("ssh {user}@{ip} by {service}")));
    // kept: the service names every CF has, and the redaction manifest's shape
    assert!(texts[0].contains("file-server.service.cf.internal:8447"));

    // the masked cell still reads as the same VM and its signature still fires
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args(["analyze", "--format", "json", "-q"])
        .arg(ticket.join(CELL))
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r["bundles"][0]["vm"],
        "diego_cell/5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18"
    );
    let sigs: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["signature"].as_str())
        .collect();
    assert!(sigs.contains(&"remote-bad-certificate"), "{sigs:?}");

    // a later run with the same map gives the router the same tokens
    let later = dir.path().join("later");
    fs::create_dir_all(&later).unwrap();
    let a = args(&later, &[&router]);
    let (code, stderr) = run(&a);
    assert_eq!(code, 0, "{stderr}");
    let log = "./gorouter/access.log";
    assert_eq!(
        entries(&later.join(ROUTER))[log],
        entries(&ticket.join(ROUTER))[log]
    );
}

#[test]
fn a_map_inside_the_ticket_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write_inputs(dir.path());
    let ticket = dir.path().join("ticket");
    fs::create_dir_all(&ticket).unwrap();
    let map = ticket.join("map.json");
    let (code, stderr) = run(&[
        "redact",
        "--mask",
        "all",
        "--mask-map",
        map.to_str().unwrap(),
        dir.path().join(CELL).to_str().unwrap(),
        ticket.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("inside the output directory"), "{stderr}");
    assert_eq!(fs::read_dir(&ticket).unwrap().count(), 0);
    // several inputs need a directory
    let (code, stderr) = run(&[
        "redact",
        dir.path().join(CELL).to_str().unwrap(),
        dir.path().join(ROUTER).to_str().unwrap(),
        dir.path().join("one.tgz").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("several inputs"), "{stderr}");
}

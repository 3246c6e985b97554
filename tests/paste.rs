//! `vcap-analyze analyze -` on what an operator pastes into a ticket: CLI output, `bosh ssh
//! -c` output with its per-line VM prefixes, a `bosh vms` table, `openssl x509 -dates` and a
//! task's error, mixed. Lines come from the seeds (cited per line) and public threads; the
//! `bosh ssh -c` prefixes are put in front of seed lines in the shape of
//! cloudfoundry/bosh-cli#434, and the `cf push` error line is illustrative (its error text is
//! the one Cloud Controller keeps, see auctioneer-insufficient-resources).

use assert_cmd::Command;
use serde_json::Value;

const PASTE: &str = "\
$ cf push web-app
Staging app and tracing logs...
FAILED
Server error, status code: 400, error code: 170001, message: Staging error: insufficient resources: memory
$ cf logs web-app --recent
[cell/o] ERR Downloading Failed
$ bosh -d cf vms
Instance                                     Process State       AZ  IPs
nginx/14e444f1-48c0-4006-8908-7d535ee88bc0  unresponsive agent  z1  10.4.1.17
$ bosh -d cf ssh doppler_z1/0 -c 'sudo /var/vcap/bosh/bin/monit summary; tail -1 /var/vcap/sys/log/metron_agent/metron_agent.stderr.log'
doppler_z1/0: stdout | The Monit daemon 5.2.5 uptime: 1h 28m
doppler_z1/0: stdout | 
doppler_z1/0: stdout | Process 'consul_agent'              running
doppler_z1/0: stdout | Process 'doppler'                   running
doppler_z1/0: stdout | Process 'metron_agent'              not monitored
doppler_z1/0: stdout | System 'system_localhost'           running
doppler_z1/0: stdout | panic: No dopplers listening on [udp]
doppler_z1/0: stderr | Connection to 10.160.55.25 closed.
$ openssl x509 -noout  -dates -in cert_file
notBefore=Jul 13 22:25:49 2018 GMT
notAfter=Jul 12 22:25:49 2019 GMT
$ bosh create-env bosh.yml
Task 147 | 06:39:48 | Preparing deployment: Preparing deployment (00:00:00)
Task 147 | 06:39:49 | Error: Unable to render instance groups for deployment. Errors are:
";

fn report() -> Value {
    let o = Command::cargo_bin("vcap-analyze")
        .unwrap()
        .args([
            "analyze",
            "-",
            "--format",
            "json",
            "-q",
            "--at",
            "2019-07-14T00:00:00Z",
        ])
        .write_stdin(PASTE)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `(signature, vm)` of every finding.
fn found(r: &Value) -> Vec<(String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["signature"].as_str().unwrap().to_string(),
                f["vm"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_mixed_paste_is_read_line_by_line_and_bosh_ssh_lines_belong_to_their_vm() {
    let r = report();
    let found = found(&r);
    let has = |sig: &str, vm: &str| found.iter().any(|(s, v)| s == sig && v == vm);
    // `bosh ssh -c` lines: the panic and monit's summary are doppler_z1/0's.
    assert!(has("metron-no-dopplers", "doppler_z1/0"), "{found:#?}");
    assert!(has("monit-process-failed", "doppler_z1/0"), "{found:#?}");
    // A `bosh vms` row names its instance.
    assert!(
        has(
            "bosh-instance-unresponsive-agent",
            "nginx/14e444f1-48c0-4006-8908-7d535ee88bc0"
        ),
        "{found:#?}"
    );
    // The rest is the paste's own: CLI errors, the app stream, the task, the certificate.
    for sig in [
        "auctioneer-insufficient-resources",
        "rep-downloading-failed",
        "director-unable-to-render",
        "cert-expired",
    ] {
        assert!(has(sig, "stdin"), "{sig}: {found:#?}");
    }
    // Nothing of doppler_z1/0 is left on stdin, and no finding names a made-up VM.
    assert!(!has("metron-no-dopplers", "stdin"));
    let vms: std::collections::BTreeSet<&str> = found.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(
        vms.into_iter().collect::<Vec<_>>(),
        [
            "doppler_z1/0",
            "nginx/14e444f1-48c0-4006-8908-7d535ee88bc0",
            "stdin"
        ]
    );
    let cert = &r["certificates"][0];
    assert_eq!(cert["status"], "expired");
}

/// A paste holding only a symptom (seed 001's `ERR Downloading Failed`, as `cf logs` prints
/// it): the report leads with it as *cause not found*, says where to look, and the text
/// report shows it once.
#[test]
fn a_lone_symptom_leads_the_report_as_cause_not_found_and_is_shown_once() {
    let paste = "[cell/o] ERR Downloading Failed\n";
    let run = |format: &str| {
        Command::cargo_bin("vcap-analyze")
            .unwrap()
            .args(["analyze", "-", "--format", format, "-q", "--color", "never"])
            .write_stdin(paste)
            .output()
            .unwrap()
    };
    let o = run("json");
    assert_eq!(o.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let top = &r["root_causes"][0];
    assert_eq!(top["category"], "droplet_download_failed", "{r:#}");
    assert_eq!(top["cause_found"], false, "{top:#}");
    assert!(top["look_at"].is_object(), "{top:#}");
    // The contract's list of symptoms nothing explains still holds it.
    assert_eq!(r["unexplained"].as_array().unwrap().len(), 1);
    for format in ["text", "markdown"] {
        let out = String::from_utf8(run(format).stdout).unwrap();
        assert_eq!(
            out.matches("ERR Downloading Failed").count(),
            1,
            "{format}:\n{out}"
        );
    }
}

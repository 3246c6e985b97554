//! Pastes built from real output: seeds/000's `monit summary` (three of its rows left out),
//! seeds/001's `openssl x509 -dates`, Altoros/s1p-bosh-lab bosh-troubleshooting/README.md's
//! `bosh instances --ps`. Where they are wrapped in `bosh ssh -c` prefixes, the prefix
//! (cloudfoundry/bosh-cli#434's shape) is added here. The `df -h` test is illustrative:
//! the layout and first row of aminabougallala/ds-remote-engine-guide
//! troubleshooting/storage.md, with full filesystems made up.

use super::*;

fn paste(text: &str) -> Pastes {
    let mut p = Pastes::default();
    for (i, line) in text.lines().enumerate() {
        p.line("stdin", i as u64 + 1, line.as_bytes());
    }
    p
}

fn at(s: &str) -> Option<Timestamp> {
    Some(s.parse().unwrap())
}

#[test]
fn monit_summary_behind_bosh_ssh_prefixes_is_the_named_vms() {
    let text = "\
doppler_z1/0: stdout | The Monit daemon 5.2.5 uptime: 1h 28m
doppler_z1/0: stdout | 
doppler_z1/0: stdout | Process 'consul_agent'              running
doppler_z1/0: stdout | Process 'doppler'                   running
doppler_z1/0: stdout | Process 'metron_agent'              not monitored
doppler_z1/0: stdout | System 'system_localhost'           running
doppler_z2/0: stdout | Process 'doppler'                   running
";
    let (findings, _) = paste(text).finish("stdin", at("2016-12-06T18:40:00Z"), 30);
    let got: Vec<(&str, &str, &str, Option<u64>)> = findings
        .iter()
        .map(|f| {
            (
                f.signature.as_str(),
                f.vm.as_str(),
                f.captures["process"].as_str(),
                f.line,
            )
        })
        .collect();
    assert_eq!(
        got,
        [(
            "monit-process-failed",
            "doppler_z1/0",
            "metron_agent",
            Some(5)
        )]
    );
}

#[test]
fn bosh_instances_ps_rows_are_process_states_of_their_instance() {
    let text = "\
Instance                                           Process  Process State  AZ  IPs
nginx-centos/94e82144-f161-4f12-af2f-5c0dd55df24e  -        running        z1  10.0.0.137
~                                                  nginx    running        -   -
nginx-ubuntu/23a81ebe-af07-4675-adc3-244153394e4a  -        failing        z1  10.0.0.138
~                                                  nginx    unknown        -   -
";
    let (findings, _) = paste(text).finish("stdin", None, 30);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.vm, "nginx-ubuntu/23a81ebe-af07-4675-adc3-244153394e4a");
    assert_eq!(
        (f.captures["process"].as_str(), f.captures["state"].as_str()),
        ("nginx", "unknown")
    );
    assert_eq!((f.job.as_deref(), f.line), (Some("nginx"), Some(5)));
}

#[test]
fn openssl_dates_are_judged_at_the_given_time() {
    let text = "$ openssl x509 -noout  -dates -in cert_file\n\nnotBefore=Jul 13 22:25:49 2018 GMT\nnotAfter=Jul 12 22:25:49 2019 GMT\n";
    let (findings, certs) = paste(text).finish("stdin", at("2019-07-13T09:27:21Z"), 30);
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].status, "expired");
    let ids: Vec<&str> = findings.iter().map(|f| f.signature.as_str()).collect();
    assert_eq!(
        ids,
        ["cert-expired"],
        "no unknown-issuer finding for a paste"
    );
    let (_, certs) = paste(text).finish("stdin", at("2019-01-01T00:00:00Z"), 30);
    assert_eq!(certs[0].status, "valid");
}

#[test]
fn df_h_blocks_in_a_paste() {
    let text = "\
some log line 1 2 3 99% noise
Filesystem      Size  Used Avail Use% Mounted on
/dev/xvda4      8.8G  42.4G 52.8G 81% /
/dev/xvdb        20G   19G  1.0G  96% /var/vcap/data

Filesystem      Inodes IUsed IFree IUse% Mounted on
/dev/xvdb        1.3M  1.3M     0  100% /var/vcap/data
";
    let (findings, _) = paste(text).finish("stdin", None, 30);
    let got: Vec<(&str, &str, Option<u64>)> = findings
        .iter()
        .map(|f| (f.signature.as_str(), f.captures["mount"].as_str(), f.line))
        .collect();
    assert_eq!(
        got,
        [
            ("disk-full", "/var/vcap/data", Some(4)),
            ("inodes-exhausted", "/var/vcap/data", Some(7))
        ]
    );
}

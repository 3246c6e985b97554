//! The scenarios: one per seed incident, plus common failures. Each VM's `build` lays out
//! its logs and configs; `monit_summary`/`df`/`dmesg` are what its commands print.

use super::{df_with, healthy, Scenario, Vm};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use testkit::certs;
use testkit::lines::{self, healthy_lines, Access, Kind, LagerLevel};
use testkit::monit::legacy_summary;
use testkit::FakeVm;

pub fn all() -> Vec<Scenario> {
    vec![
        doppler_never_registered(),
        expired_cell_certificates(),
        credhub_encryption_password_changed(),
        monit_stopped_agent_unresponsive(),
        sequestered_cell_still_emitting(),
        disk_full_cell(),
        oom_kills(),
        nats_down(),
        uaa_token_errors(),
        gorouter_backend_failures(),
    ]
}

fn ago(now: SystemTime, mins: u64) -> SystemTime {
    now - Duration::from_secs(mins * 60)
}

fn ago_s(now: SystemTime, secs: u64) -> SystemTime {
    now - Duration::from_secs(secs)
}

/// Healthy `kind` traffic between `from` and `to` (at most 600 lines, like [`healthy`]).
fn filler(kind: Kind, from: SystemTime, to: SystemTime, id: &str) -> Vec<String> {
    let span = to.duration_since(from).unwrap_or_default();
    healthy_lines(kind, 600, from)
        .with_mean_gap(span / 600)
        .with_identity("cf", "vm", id)
        .until(to)
        .collect()
}

/// UTC calendar fields of `t`: (year, month, day, hour, minute, second, nanos).
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let d = t.duration_since(UNIX_EPOCH).expect("after 1970");
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400) as u32);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_nanos(),
    )
}

/// `2019-01-26T06:39:40.123Z` (Spring Boot / CredHub).
fn iso_ms(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, n) = civil(t);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        n / 1_000_000
    )
}

/// `2021-07-13T15:01:30.452379948Z` (Go's RFC 3339 with nanoseconds, as gorouter writes it).
fn rfc3339_nano(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, n) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{n:09}Z")
}

/// `2019-07-12T22:25:49Z` (Go's RFC 3339 in x509 errors, Spring's `Jwt used before`).
fn iso_s(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, _) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A Ruby `Logger` line as the BOSH director and health monitor write them:
/// `E, [2019-01-26T06:39:49.123456 #1234] ERROR -- DirectorJobRunner: msg`.
fn ruby(t: SystemTime, level: &str, pid: u32, prog: &str, msg: &str) -> String {
    let (y, mo, d, h, mi, s, n) = civil(t);
    let letter = &level[..1];
    format!("{letter}, [{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06} #{pid}] {level:>5} -- {prog}: {msg}", n / 1000)
}

/// A UAA log line: `[2018-11-06 18:45:30.123] uaa - 4321 [thread] .... INFO --- Class: msg`.
fn uaa_log(t: SystemTime, thread: &str, level: &str, class: &str, msg: &str) -> String {
    let (y, mo, d, h, mi, s, n) = civil(t);
    format!("[{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03}] uaa - 4321 [{thread}] .... {level:>5} --- {class}: {msg}", n / 1_000_000)
}

/// A CredHub (Spring Boot) log line: `2019-01-26T06:39:40.123Z [thread] .... INFO --- Class: msg`.
fn credhub_log(t: SystemTime, thread: &str, level: &str, class: &str, msg: &str) -> String {
    format!(
        "{} [{thread}] .... {level:>5} --- {class}: {msg}",
        iso_ms(t)
    )
}

/// A `dmesg` line: seconds since boot, then the message.
fn dmesg_line(uptime: f64, msg: &str) -> String {
    format!("[{uptime:>12.6}] {msg}")
}

/// A stemcell's `df -P` with `/var/vcap/data` at `percent` (the root and the run tmpfs as on
/// a healthy VM).
fn df_data_at(percent: u64) -> String {
    let full = df_with("/var/vcap/data", percent);
    format!("{full}tmpfs                 1024        8      1016       1% /var/vcap/data/sys/run\n")
}

/// seeds/000: metron_agent panics `No dopplers listening on [udp]` on every VM and monit
/// stops monitoring it; the doppler on doppler_z2/0 never registered in etcd because it
/// cannot reach etcd. `monit restart all` there fixes every VM.
fn doppler_never_registered() -> Scenario {
    // metron's own start-up line (gosteno JSON) and its panic text, both from seeds/000 and
    // loggregator-release src/metron (the JSON line is quoted in signature-example.toml).
    fn metron(vm: &mut testkit::FakeVm, now: SystemTime) {
        let at = ago(now, 88)
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        vm.job("metron_agent")
            .log("metron_agent.stdout.log", &[format!(r#"{{"timestamp":{at:.9},"process_id":7992,"source":"metron","log_level":"info","message":"Startup: Setting up the Metron agent","data":null}}"#)])
            .log("metron_agent.stderr.log", &["panic: No dopplers listening on [udp]", "", "goroutine 1 [running]:", "panic(0x8c4d20, 0xc8201a8f40)"]);
    }
    let summary = |extra: &[(&'static str, &'static str)]| {
        let mut procs = vec![("consul_agent", "running")];
        procs.extend_from_slice(extra);
        procs.push(("metron_agent", "not monitored"));
        legacy_summary("1h 28m", &procs)
    };
    Scenario {
        name: "doppler-never-registered",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "doppler_z1",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    metron(vm, now);
                    vm.job("doppler").log(
                        "doppler.stdout.log",
                        &healthy(Kind::Metron, now, 2, "doppler_z1"),
                    );
                }),
                // seeds/000 verbatim: the doppler VM where the operator ran `monit summary`.
                monit_summary: Some(legacy_summary(
                    "1h 28m",
                    &[
                        ("consul_agent", "running"),
                        ("doppler", "running"),
                        ("syslog_drain_binder", "running"),
                        ("metron_agent", "not monitored"),
                        ("sensu-client", "running"),
                        ("toolbelt", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "doppler_z2",
                id: "0",
                az: "z2",
                build: Box::new(|vm, now| {
                    metron(vm, now);
                    // The doppler runs but cannot reach etcd, so it never announces itself
                    // under /doppler/meta/z2. The error text is the etcd Go client's
                    // (coreos/etcd client/client.go, ErrClusterUnavailable); its placement in
                    // doppler's stderr is illustrative.
                    let errs: Vec<String> = (0..3).map(|_| "Error:  client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 10.160.55.10:4001: getsockopt: connection refused".to_string()).collect();
                    vm.job("doppler").log("doppler.stderr.log", &errs).log(
                        "doppler.stdout.log",
                        &healthy(Kind::Metron, now, 2, "doppler_z2"),
                    );
                }),
                monit_summary: Some(summary(&[
                    ("doppler", "running"),
                    ("syslog_drain_binder", "running"),
                ])),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "diego_cell",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    metron(vm, now);
                    vm.job("rep")
                        .log("rep.stdout.log", &healthy(Kind::Rep, now, 1, "cell0"));
                }),
                monit_summary: Some(summary(&[("rep", "running"), ("garden", "running")])),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "router",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    metron(vm, now);
                    vm.job("gorouter").log(
                        "access.log",
                        &healthy(Kind::GorouterAccess, now, 1, "router0"),
                    );
                }),
                monit_summary: Some(summary(&[("gorouter", "running")])),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// seeds/001: apps crash with `ERR Downloading Failed`; on the cells rep's download step fails
/// with `remote error: tls: bad certificate`, and bbs refuses the cells' client certificate:
/// the certificates of the cells' rep job expired (notAfter 2019-07-12 22:25:49, the date of
/// the seed). Root cause: `cert-expired` on both cells.
fn expired_cell_certificates() -> Scenario {
    // A cell: rep's certificates (the BBS client certificate is the expired one of seeds/001,
    // testkit::certs::BBS_CLIENT), healthy rep traffic, then the download failures.
    fn cell(vm: &mut FakeVm, now: SystemTime, id: &str) {
        let start = ago(now, 42);
        let mut rep = vm.job("rep");
        rep.cert("bbs/ca", certs::CA_CERT_PEM)
            .cert("bbs/client", certs::BBS_CLIENT_CERT_PEM)
            .cert("rep/ca", certs::CA_CERT_PEM)
            .cert("rep/server", certs::REP_SERVER_CERT_PEM)
            .config("rep.json", format!(r#"{{"cell_id":"{id}","listen_addr_securable":"0.0.0.0:1801","bbs_address":"https://bbs.service.cf.internal:8889","bbs_client_cert_file":"/var/vcap/jobs/rep/config/certs/bbs/client.crt","bbs_ca_cert_file":"/var/vcap/jobs/rep/config/certs/bbs/ca.crt"}}"#));
        rep.log(
            "rep.stdout.log",
            &filler(Kind::Rep, ago(now, 120), start, id),
        );
        // The executor's download step (cloudfoundry/executor depot/steps/download_step.go:
        // session `download-step`, message `fetch-failed`) with the error of seeds/001; the
        // line shape is the illustrative example of signatures/diego/rep-downloading-failed.
        let failures: Vec<String> = (0..6u64)
            .map(|i| {
                let at = ago_s(now, 42 * 60 - i * 400);
                let guid = ["6f2c0b0e", "9a41d3c7", "2b7e5f10"][i as usize % 3];
                lines::lager(
                    at,
                    "rep",
                    "rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-run.node-run.action.download-step.fetch-failed",
                    LagerLevel::Error,
                    &format!(r#"{{"cacheKey":"droplets-{guid}-droplet","container-guid":"{guid}-1c0e-4a57-5e0f-3a1b","error":"Get https://cloud-controller-ng.service.cf.internal:9023/internal/v4/droplets/{guid}/download: remote error: tls: bad certificate","session":"{}.2.3.4","to":"/home/vcap","user":"vcap"}}"#, 40 + i),
                )
            })
            .collect();
        rep.log("rep.stdout.log", &failures);
    }
    let cell_summary = || {
        legacy_summary(
            "41d 3h",
            &[
                ("rep", "running"),
                ("garden", "running"),
                ("route_emitter", "running"),
                ("metron_agent", "running"),
            ],
        )
    };
    Scenario {
        name: "expired-cell-certificates",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "diego_cell",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| cell(vm, now, "diego_cell-0")),
                monit_summary: Some(cell_summary()),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "diego_cell",
                id: "1",
                az: "z2",
                build: Box::new(|vm, now| cell(vm, now, "diego_cell-1")),
                monit_summary: Some(cell_summary()),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "diego-api",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    let mut bbs = vm.job("bbs");
                    bbs.cert("ca", certs::CA_CERT_PEM)
                        .cert("server", certs::REP_SERVER_CERT_PEM);
                    // bbs's own lines (illustrative lager shapes), then what Go's net/http
                    // server prints to stderr when a client certificate fails verification:
                    // "http: TLS handshake error from <addr>: <err>" (net/http server.go) with
                    // crypto/tls's "tls: failed to verify client certificate: " and crypto/x509's
                    // expiry text (Go >= 1.20 wording, notAfter of seeds/001).
                    let ok: Vec<String> = (0..40u64)
                        .map(|i| {
                            lines::lager(
                                ago_s(now, 7200 - i * 170),
                                "bbs",
                                "bbs.converge-lrps.starting",
                                LagerLevel::Info,
                                &format!(r#"{{"session":"{}"}}"#, 900 + i),
                            )
                        })
                        .collect();
                    bbs.log("bbs.stdout.log", &ok);
                    let handshakes: Vec<String> = (0..12u64)
                        .map(|i| {
                            let at = ago_s(now, 41 * 60 - i * 200);
                            let from = if i % 2 == 0 { "10.0.16.21" } else { "10.0.16.22" };
                            lines::go_log(at, &format!("http: TLS handshake error from {from}:{}: tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time {} is after 2019-07-12T22:25:49Z", 40_000 + i * 37, iso_s(at)))
                        })
                        .collect();
                    bbs.log("bbs.stderr.log", &handshakes);
                }),
                monit_summary: Some(legacy_summary(
                    "41d 3h",
                    &[
                        ("bbs", "running"),
                        ("locket", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// seeds/002: the director was recreated with `bosh create-env` after `credhub_encryption_password`
/// was lost from creds.yml and regenerated. CredHub cannot decrypt its database and never
/// starts: its post-start fails (`1 of 3 post-start scripts failed. Failed Jobs: credhub.`),
/// and every later deploy or resurrection fails to render templates (`Failed to open TCP
/// connection to ...:8844`). Root cause: `credhub-keys-cannot-decrypt`.
fn credhub_encryption_password_changed() -> Scenario {
    Scenario {
        name: "credhub-encryption-password-changed",
        deployment: "bosh",
        vms: vec![Vm {
            group: "bosh",
            id: "0",
            az: "z1",
            build: Box::new(|vm, now| {
                for job in ["nats", "postgres", "director", "uaa", "health_monitor"] {
                    vm.job(job);
                }
                // credhub.log: a Spring Boot start-up that fails in DecryptableDataDetector;
                // the error text is credhub-release's documented post-start error
                // ("The encryption keys provided cannot decrypt any of the value(s) in the
                // database", docs/troubleshooting-guide.md); the line shape is illustrative
                // (as in signatures/credhub/credhub-keys-cannot-decrypt.toml). monit retries
                // the start three times.
                let mut log = Vec::new();
                for (i, m) in [58u64, 55, 52].iter().enumerate() {
                    let t = ago(now, *m);
                    log.push(credhub_log(t, "main", "INFO", "CredHubApp", &format!("Starting CredHubApp on 10.0.0.6 with PID {} (/var/vcap/packages/credhub/credhub.jar started by vcap in /var/vcap/packages/credhub)", 7261 + i as u64 * 212)));
                    log.push(credhub_log(
                        t + Duration::from_secs(19),
                        "main",
                        "INFO",
                        "EncryptionKeyCanaryMapper",
                        "Checking canaries for the configured encryption keys",
                    ));
                    log.push(credhub_log(t + Duration::from_secs(21), "main", "ERROR", "SpringApplication", "Application run failed java.lang.RuntimeException: The encryption keys provided cannot decrypt any of the value(s) in the database."));
                }
                vm.job("credhub").log("credhub.log", &log);
                // bosh-agent: healthy traffic, then the task result of the post-start run.
                // Text of seeds/002; "Failed processing task #%s got: %s" is bosh-agent's
                // agent/task/async_task_service.go (logger tag "Task Service").
                let mut agent = filler(Kind::Agent, ago(now, 180), ago(now, 60), "bosh");
                agent.push(lines::agent(ago(now, 51), "Task Service", "ERROR", "Failed processing task #1a06760d-a750-4d94-59ee-d65ec8793c56 got: 1 of 3 post-start scripts failed. Failed Jobs: credhub. Successful Jobs: director, uaa."));
                vm.agent_log(&agent);
                // The director's task logs for the recreates that followed (task 147 is the
                // seed's; the resurrector's scan-and-fix tasks failed the same way). The error
                // texts are seeds/002 with the address made concrete; the Ruby Logger prefix
                // and the placement in the director's log directory are illustrative (the task
                // debug log itself lives in /var/vcap/store/director/tasks/<id>/debug).
                let mut director = Vec::new();
                for (task, m, group, job) in [
                    (142u32, 40u64, "worker", "worker"),
                    (147, 31, "web", "atc"),
                    (151, 18, "db", "postgres"),
                ] {
                    let t = ago(now, m);
                    director.push(ruby(
                        t,
                        "INFO",
                        2481,
                        "DirectorJobRunner",
                        &format!("Starting task: {task}"),
                    ));
                    director.push(ruby(
                        t + Duration::from_secs(1),
                        "INFO",
                        2481,
                        "DirectorJobRunner",
                        "Preparing deployment: Preparing deployment",
                    ));
                    director.push(ruby(t + Duration::from_secs(2), "ERROR", 2481, "DirectorJobRunner", r#"Failed to open TCP connection to 10.0.0.6:8844 (Connection refused - connect(2) for "10.0.0.6" port 8844)"#));
                    director.push(ruby(
                        t + Duration::from_secs(2),
                        "ERROR",
                        2481,
                        "DirectorJobRunner",
                        "Unable to render instance groups for deployment. Errors are:",
                    ));
                    director.push(format!(
                        "  - Unable to render jobs for instance group '{group}'. Errors are:"
                    ));
                    director.push(format!(
                        "    - Unable to render templates for job '{job}'. Errors are:"
                    ));
                    director.push(r#"      Failed to open TCP connection to 10.0.0.6:8844 (Connection refused - connect(2) for "10.0.0.6" port 8844)"#.to_string());
                }
                vm.log("director/director.debug.log", &director);
            }),
            monit_summary: Some(legacy_summary(
                "58m",
                &[
                    ("nats", "running"),
                    ("postgres", "running"),
                    ("director", "running"),
                    ("worker_1", "running"),
                    ("worker_2", "running"),
                    ("director_scheduler", "running"),
                    ("uaa", "running"),
                    ("credhub", "Execution failed"),
                    ("health_monitor", "running"),
                ],
            )),
            df: None,
            dmesg: None,
        }],
    }
}

/// seeds/004: monit was stopped on an nginx VM (`sv stop monit`). The agent's requests to
/// monit fail (twenty attempts each), `get_state` cannot be answered, and the director sees
/// an `unresponsive agent`. Root cause: `monit-unavailable` (the bundle's `monit summary`
/// fails too).
fn monit_stopped_agent_unresponsive() -> Scenario {
    const NODE: &str = "14e444f1-48c0-4006-8908-7d535ee88bc0";
    Scenario {
        name: "monit-stopped-agent-unresponsive",
        deployment: "nginx",
        vms: vec![
            Vm {
                group: "nginx",
                id: NODE,
                az: "z1",
                build: Box::new(|vm, now| {
                    vm.job("nginx").log("nginx.access.log", &["127.0.0.1 - - [06/Nov/2018:16:30:02 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"Wget/1.19.4 (linux-gnu)\""]);
                    // Healthy agent traffic with heartbeats (testkit, seed 004 shapes) until
                    // monit is stopped 40 minutes ago.
                    let mut agent: Vec<String> = healthy_lines(Kind::Agent, 600, ago(now, 160))
                        .with_mean_gap(Duration::from_secs(12))
                        .with_identity("nginx", "nginx", NODE)
                        .until(ago(now, 41))
                        .collect();
                    // Each status poll after `sv stop monit`: seeds/004's lines (Getting monit
                    // status / status function called / Monit request / Making attempt #N /
                    // Requesting (attempt=N+1)), continued to the agent's 20th attempt, then
                    // the failed action. The final ERROR line is the illustrative example of
                    // signatures/bosh/agent-monit-status-failed.toml.
                    let url = "http://127.0.0.1:2822/_status2?format=xml";
                    for (p, m) in [39u64, 27, 14, 3].iter().enumerate() {
                        let t0 = ago(now, *m);
                        agent.push(lines::agent(
                            t0,
                            "monitJobSupervisor",
                            "DEBUG",
                            "Getting monit status",
                        ));
                        agent.push(lines::agent(
                            t0,
                            "http-client",
                            "DEBUG",
                            "status function called",
                        ));
                        agent.push(lines::agent(
                            t0,
                            "http-client",
                            "DEBUG",
                            &format!("Monit request: url='{url}' body=''"),
                        ));
                        for a in 0..20u64 {
                            let t = t0 + Duration::from_millis(a * 1000 + 320);
                            let rid = format!(
                                "{:08x}-365a-485e-68e2-{:012x}",
                                0xeb14370cu64 + p as u64 * 0x1000 + a,
                                0xbc17144u64 + a
                            );
                            agent.push(lines::agent(
                                t,
                                "attemptRetryStrategy",
                                "DEBUG",
                                &format!("Making attempt #{a} for *httpclient.RequestRetryable"),
                            ));
                            agent.push(lines::agent(t, "clientRetryable", "DEBUG", &format!("[requestID={rid}] Requesting (attempt={}): Request{{ Method: 'GET', URL: '{url}' }}", a + 1)));
                        }
                        let t = t0 + Duration::from_secs(21);
                        agent.push(lines::agent(t, "Action Runner", "ERROR", &format!("Action Failed get_state: Getting processes status: Getting service status: Sending status request to monit: Get {url}: dial tcp 127.0.0.1:2822: connect: connection refused")));
                    }
                    vm.agent_log(&agent);
                    // monit's own last words when runit stopped it: monit 5.2's do_exit()
                    // ("%s daemon with pid [%d] killed").
                    vm.monit_log(&[
                        lines::monit(
                            ago(now, 160),
                            "info",
                            "monit daemon with pid [1137] started",
                        ),
                        lines::monit(
                            ago(now, 160),
                            "info",
                            "'nginx' start: /var/vcap/jobs/nginx/bin/ctl",
                        ),
                        lines::monit(ago(now, 41), "info", "monit daemon with pid [1137] killed"),
                    ]);
                }),
                // `monit summary` fails: the daemon is not running.
                monit_summary: None,
                df: None,
                dmesg: None,
            },
            Vm {
                group: "bosh",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // The director's view: get_state times out (agent_client.rb's message,
                    // illustrative as in signatures/bosh/director-timed-out-sending.toml) and
                    // cloud-check reports the VM as not responding (unresponsive_agent.rb's
                    // description, illustrative as in director-cck-unresponsive-agent.toml).
                    // Agent id, VM CID and addresses are seed 004's.
                    let mut d = Vec::new();
                    for m in [36u64, 22] {
                        d.push(ruby(ago(now, m), "DEBUG", 3381, "DirectorJobRunner", &format!(r#"SENT: agent.{NODE} {{"protocol":3,"method":"get_state","arguments":[],"reply_to":"director.c0ffee.{NODE}.2"}}"#)));
                        d.push(ruby(ago(now, m) + Duration::from_secs(45), "ERROR", 3381, "DirectorJobRunner", &format!("Timed out sending 'get_state' to instance: 'nginx/{NODE}', agent-id: '{NODE}' after 45 seconds")));
                    }
                    d.push(ruby(ago(now, 12), "INFO", 3381, "DirectorJobRunner", &format!("Found problem: VM for 'nginx/{NODE} (0)' with cloud ID 'i-08e29a11984248a94' is not responding.")));
                    vm.job("director").log("director.debug.log", &d);
                }),
                monit_summary: Some(legacy_summary(
                    "12d 2h",
                    &[
                        ("nats", "running"),
                        ("postgres", "running"),
                        ("director", "running"),
                        ("worker_1", "running"),
                        ("health_monitor", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// One `backend-endpoint-failed` line of gorouter (proxy_round_tripper.go's message; the field
/// layout is the newer one of the illustrative example in
/// signatures/routing/gorouter-backend-endpoint-failed.toml).
fn backend_failed(at: SystemTime, app: &str, addr: &str, attempt: u32, request: &str) -> String {
    format!(
        r#"{{"log_level":3,"timestamp":"{}","message":"backend-endpoint-failed","source":"vcap.gorouter","data":{{"route-endpoint":{{"ApplicationId":"{app}","Addr":"{addr}","Tags":{{}},"RouteServiceUrl":""}},"error":"dial tcp {addr}: connect: connection refused","attempt":{attempt},"vcap_request_id":"{request}","retriable":true,"num-endpoints":1}}}}"#,
        rfc3339_nano(at)
    )
}

/// A gorouter access log record that ended in a 502 after every attempt to `backend` failed.
fn access_502(at: SystemTime, host: &str, backend: &str, app: &str, n: u64) -> String {
    lines::gorouter_access(
        at,
        &Access {
            host: host.into(),
            method: "GET".into(),
            path: "/api/orders".into(),
            status: 502,
            bytes_received: 0,
            bytes_sent: 67,
            user_agent: "okhttp/4.9.3".into(),
            remote_addr: format!("10.0.1.{}:{}", 20 + n % 40, 41_000 + n * 7),
            backend_addr: backend.into(),
            x_forwarded_for: format!("203.0.113.{}", 10 + n % 200),
            request_id: format!("27116dd3-f047-4a35-7873-{:012x}", 0xe9ef7e1d3f71u64 + n),
            response_time: 0.003_412,
            gorouter_time: 0.000_218,
            app_id: app.into(),
            app_index: 0,
            instance_id: "9d2c7a10-4b3e-4f6a-5b8c-1d2e".into(),
            router_error: "endpoint_failure".into(),
            trace_id: format!("{:016x}", 0x5f3a_9c21_77d0_0000u64 + n),
            span_id: format!("{:016x}", 0x5f3a_9c21_77d0_0000u64 + n),
        },
    )
}

/// seeds/003: a Diego cell was "sequestered" for investigation: the operator stopped its
/// bosh-agent (`sv down agent`), killed route_emitter, and deleted app containers. monit
/// restarted the killed route_emitter, so the cell kept registering routes to containers
/// that no longer answer: gorouter gets `connection refused` from 10.0.16.23 and answers 502.
/// The director only sees an unresponsive agent. What the library can show: route_emitter
/// died on that cell (monit.log) and the routers fail on its address.
fn sequestered_cell_still_emitting() -> Scenario {
    const AGENT: &str = "d3b1c2a4-7e5f-4a61-9c2b-0f8e6d4a2c19";
    const INSTANCE: &str = "7a3e2d10-5c4b-4e8f-a1d2-3b4c5d6e7f80";
    const APP: &str = "9f1c2e3d-8b7a-4c6d-9e0f-1a2b3c4d5e6f";
    Scenario {
        name: "sequestered-cell-still-emitting",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "diego_cell",
                id: "2",
                az: "z3",
                build: Box::new(|vm, now| {
                    // The agent's log simply ends when `sv down agent` stops it (56 min ago).
                    let agent: Vec<String> = healthy_lines(Kind::Agent, 600, ago(now, 180))
                        .with_mean_gap(Duration::from_secs(15))
                        .with_identity("cf", "diego_cell", AGENT)
                        .until(ago(now, 56))
                        .collect();
                    vm.agent_log(&agent);
                    // What the operator did, as sshd and sudo log it (real message formats of
                    // OpenSSH "Accepted publickey for %s from %s port %d ssh2" and sudo's
                    // "user : TTY=... ; PWD=... ; USER=root ; COMMAND=..."; values illustrative).
                    let host = AGENT;
                    vm.syslog(&[
                        lines::syslog(ago(now, 58), host, "sshd", Some(21877), "Accepted publickey for investigate from 10.0.1.5 port 52311 ssh2: RSA SHA256:Vq1xC0m3y5c9QkqJm2bq9wH0m1xV4yY4d2b6rR0F8sA"),
                        lines::syslog(ago(now, 57), host, "sudo", None, "investigate : TTY=pts/0 ; PWD=/home/investigate ; USER=root ; COMMAND=/bin/kill 2871"),
                        lines::syslog(ago(now, 56), host, "sudo", None, "investigate : TTY=pts/0 ; PWD=/home/investigate ; USER=root ; COMMAND=/usr/bin/sv down agent"),
                        lines::syslog(ago(now, 49), host, "sudo", None, "investigate : TTY=pts/0 ; PWD=/home/investigate ; USER=root ; COMMAND=/var/vcap/packages/runc/bin/runc delete 4a2f6c1e-9b3d-4e7a-6f5c-2d1e"),
                    ]);
                    // monit noticed route_emitter gone and restarted it (monit 5.2 validate.c:
                    // "'%s' process is not running", "'%s' trying to restart", "'%s' start: %s").
                    let mut monit = filler(Kind::Monit, ago(now, 180), ago(now, 58), AGENT);
                    monit.push(lines::monit(
                        ago_s(now, 57 * 60 - 20),
                        "error",
                        "'route_emitter' process is not running",
                    ));
                    monit.push(lines::monit(
                        ago_s(now, 57 * 60 - 20),
                        "info",
                        "'route_emitter' trying to restart",
                    ));
                    monit.push(lines::monit(
                        ago_s(now, 57 * 60 - 20),
                        "info",
                        "'route_emitter' start: /var/vcap/jobs/bpm/bin/bpm",
                    ));
                    vm.monit_log(&monit);
                    // route_emitter (a bpm job): its sync loop before the kill, its restart,
                    // and the registrations it publishes again for this cell's address. Message
                    // names as in testkit's route_emitter traffic (nats-emitter.emit is real,
                    // the sync and start names illustrative).
                    let mut re = Vec::new();
                    for i in 0..60u64 {
                        let t = ago_s(now, 180 * 60 - i * 120);
                        if t > ago(now, 57) {
                            break;
                        }
                        re.push(lines::lager(
                            t,
                            "route-emitter",
                            "route-emitter.watcher.sync.starting",
                            LagerLevel::Info,
                            &format!(r#"{{"session":"{}"}}"#, 100 + i),
                        ));
                        re.push(lines::lager(
                            t + Duration::from_millis(180),
                            "route-emitter",
                            "route-emitter.watcher.sync.complete",
                            LagerLevel::Info,
                            &format!(r#"{{"session":"{}"}}"#, 100 + i),
                        ));
                    }
                    let start = ago_s(now, 57 * 60 - 21);
                    re.push(lines::lager(
                        start,
                        "route-emitter",
                        "route-emitter.starting",
                        LagerLevel::Info,
                        "{}",
                    ));
                    re.push(lines::lager(
                        start + Duration::from_secs(1),
                        "route-emitter",
                        "route-emitter.started",
                        LagerLevel::Info,
                        "{}",
                    ));
                    for i in 0..25u64 {
                        let t = start + Duration::from_secs(20 + i * 130);
                        re.push(lines::lager(t, "route-emitter", "route-emitter.nats-emitter.emit", LagerLevel::Debug, &format!(r#"{{"message":{{"host":"10.0.16.23","port":61012,"uris":["orders.apps.example.com"],"app":"{APP}","private_instance_id":"4a2f6c1e-9b3d-4e7a-6f5c-2d1e"}},"session":"{}","subject":"router.register"}}"#, 7 + i)));
                    }
                    let mut job = vm.job("route_emitter");
                    job.bpm("processes:\n- name: route_emitter\n  executable: /var/vcap/packages/route_emitter/bin/route-emitter\n");
                    job.log("route_emitter.stdout.log", &re);
                    vm.job("rep")
                        .log("rep.stdout.log", &healthy(Kind::Rep, now, 1, "cell2"));
                }),
                // monit itself kept running (only the agent was stopped): route_emitter is back.
                monit_summary: Some(legacy_summary(
                    "41d 3h",
                    &[
                        ("rep", "running"),
                        ("garden", "running"),
                        ("route_emitter", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "router",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    let mut failed = Vec::new();
                    let mut access =
                        filler(Kind::GorouterAccess, ago(now, 90), ago(now, 45), "router0");
                    for i in 0..14u64 {
                        let t = ago_s(now, 44 * 60 - i * 180);
                        let rid = format!("27116dd3-f047-4a35-7873-{:012x}", 0xe9ef7e1d3f71u64 + i);
                        failed.push(backend_failed(t, APP, "10.0.16.23:61012", 1, &rid));
                        access.push(access_502(
                            t + Duration::from_millis(4),
                            "orders.apps.example.com",
                            "10.0.16.23:61012",
                            APP,
                            i,
                        ));
                    }
                    vm.job("gorouter")
                        .log("gorouter.stdout.log", &failed)
                        .log("access.log", &access);
                }),
                monit_summary: Some(legacy_summary(
                    "12d 2h",
                    &[("gorouter", "running"), ("metron_agent", "running")],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "bosh",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // The health monitor loses the agent's heartbeats (logger plugin alert,
                    // illustrative as in signatures/bosh/health-monitor-agent-timed-out.toml),
                    // and cloud-check finds the VM not responding (seeds/003 step 6, `bosh cck`).
                    let hm = vec![
                        ruby(
                            ago(now, 54),
                            "INFO",
                            1024,
                            "",
                            &format!(
                                "[ALERT] Alert @ {} UTC, severity 2: {AGENT} has timed out",
                                iso_s(ago(now, 54)).replace('T', " ").trim_end_matches('Z')
                            ),
                        ),
                        ruby(
                            ago(now, 54),
                            "INFO",
                            1024,
                            "",
                            "Analyzed 14 agents, took 0.002 seconds",
                        ),
                    ];
                    vm.job("health_monitor").log("health_monitor.log", &hm);
                    vm.job("director").log("director.debug.log", &[ruby(ago(now, 30), "INFO", 2481, "DirectorJobRunner", &format!("Found problem: VM for 'diego_cell/{INSTANCE} (2)' with cloud ID 'vm-41c7e0d2-6a3b-4f19-8e2d-5c0b7a9f1e34' is not responding."))]);
                }),
                monit_summary: Some(legacy_summary(
                    "12d 2h",
                    &[
                        ("nats", "running"),
                        ("director", "running"),
                        ("health_monitor", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// A cell whose ephemeral disk (/var/vcap/data, where grootfs keeps its store) is 98% full:
/// garden cannot build container root filesystems, rep cannot create containers or download
/// droplets. Root cause: `disk-full` (df). A second cell is healthy, for contrast.
fn disk_full_cell() -> Scenario {
    Scenario {
        name: "disk-full-cell",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "diego_cell",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // garden: healthy traffic, then guardian's image-plugin failures with
                    // ENOSPC (shape of the illustrative example in
                    // signatures/garden/grootfs-store-no-space.toml) and the clean-up of each
                    // failed create (gardener.go "create-failed-cleaningup", real message).
                    let mut garden = filler(Kind::Garden, ago(now, 90), ago(now, 35), "cell0");
                    let mut rep = filler(Kind::Rep, ago(now, 90), ago(now, 35), "cell0");
                    for i in 0..8u64 {
                        let t = ago_s(now, 34 * 60 - i * 240);
                        let handle = format!("{:08x}-5e6f-7a8b-9c0d", 0xa1b2c3d4u64 + i);
                        let err = format!(
                            r#"running image plugin create: making image: creating image: writing layer: write /var/vcap/data/grootfs/store/unprivileged/volumes/f5c75f24{i}/diff/home/vcap/app/lib/app.jar: no space left on device\n: exit status 1"#
                        );
                        garden.push(lines::lager(t, "guardian", "guardian.create.volumizer.image-plugin-create.image-plugin-result", LagerLevel::Error, &format!(r#"{{"action":"create","error":"{err}","handle":"{handle}","session":"{}.2.1"}}"#, 11295 + i)));
                        garden.push(lines::lager(
                            t + Duration::from_millis(3),
                            "guardian",
                            "guardian.create.create-failed-cleaningup.start",
                            LagerLevel::Info,
                            &format!(
                                r#"{{"cause":"{err}","handle":"{handle}","session":"{}.3"}}"#,
                                11295 + i
                            ),
                        ));
                        // rep's view of the same create (executor storenode.go session
                        // "node-create", message "failed-to-create-container"; shape of the
                        // illustrative example in signatures/diego/rep-container-create-failed).
                        rep.push(lines::lager(t + Duration::from_millis(9), "rep", "rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-create.node-create.failed-to-create-container", LagerLevel::Error, &format!(r#"{{"container-guid":"{handle}","error":"{err}","session":"{}.1.2"}}"#, 300 + i)));
                        if i % 3 == 1 {
                            // A droplet download into the executor cache on the same disk
                            // (download step "fetch-failed", illustrative shape).
                            rep.push(lines::lager(t + Duration::from_secs(40), "rep", "rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-run.node-run.action.download-step.fetch-failed", LagerLevel::Error, &format!(r#"{{"cacheKey":"droplets-{handle}","error":"write /var/vcap/data/executor_cache/{handle}-droplet.tgz: no space left on device","session":"{}.2.3"}}"#, 300 + i)));
                        }
                    }
                    vm.job("garden").log("garden.stdout.log", &garden);
                    vm.job("rep").log("rep.stdout.log", &rep);
                }),
                monit_summary: Some(legacy_summary(
                    "23d 7h",
                    &[
                        ("rep", "running"),
                        ("garden", "running"),
                        ("route_emitter", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: Some((df_data_at(98), super::healthy_df(true))),
                dmesg: None,
            },
            Vm {
                group: "diego_cell",
                id: "1",
                az: "z2",
                build: Box::new(|vm, now| {
                    vm.job("rep").log(
                        "rep.stdout.log",
                        &filler(Kind::Rep, ago(now, 90), ago(now, 1), "cell1"),
                    );
                }),
                monit_summary: Some(legacy_summary(
                    "23d 7h",
                    &[
                        ("rep", "running"),
                        ("garden", "running"),
                        ("route_emitter", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// A doppler VM runs out of memory: the kernel OOM killer kills log-cache twice (monit
/// restarts it each time) and doppler aborts with `fatal error: runtime: out of memory`.
/// Root cause: `oom-kill` (the structured check over dmesg and kern.log).
fn oom_kills() -> Scenario {
    // The kernel's OOM report as 4.15 kernels (Xenial stemcells) write it (mm/oom_kill.c
    // pre-4.19 wording; real pair quoted in analyzer/src/checks/memory/tests.rs and the
    // kernel-oom-killer signature). Uptimes and sizes illustrative.
    const KILLS: [(u64, f64, u32, &str); 2] = [
        (47, 1_812_345.118_204, 2092, "5212356"),
        (21, 1_813_904.662_931, 30911, "5260112"),
    ];
    fn oom_lines(pid: u32, rss: &str) -> Vec<String> {
        vec![
            "log-cache invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0".to_string(),
            format!("Out of memory: Kill process {pid} (log-cache) score 912 or sacrifice child"),
            format!("Killed process {pid} (log-cache) total-vm:7412344kB, anon-rss:{rss}kB, file-rss:0kB, shmem-rss:0kB"),
        ]
    }
    Scenario {
        name: "oom-kills",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "doppler",
                id: "1",
                az: "z2",
                build: Box::new(|vm, now| {
                    let host = "c1f0b5a2-6d1e-4b3c-8f9a-0e7d6c5b4a39";
                    let mut kern = filler(Kind::Kern, ago(now, 120), ago(now, 48), host);
                    for (m, up, pid, rss) in KILLS {
                        for (k, l) in oom_lines(pid, rss).iter().enumerate() {
                            kern.push(lines::kern(ago(now, m), host, up + k as f64 * 0.000_12, l));
                        }
                    }
                    vm.kern_log(&kern);
                    // monit restarts log-cache after each kill, and doppler once after its own
                    // abort (monit 5.2 wording, see signatures/monit/monit-process-not-running).
                    let mut monit = Vec::new();
                    for (m, secs, name) in [
                        (47u64, 50u64, "log-cache"),
                        (34, 10, "doppler"),
                        (21, 50, "log-cache"),
                    ] {
                        let t = ago_s(now, m * 60 - secs);
                        monit.push(lines::monit(
                            t,
                            "error",
                            &format!("'{name}' process is not running"),
                        ));
                        monit.push(lines::monit(
                            t,
                            "info",
                            &format!("'{name}' trying to restart"),
                        ));
                        monit.push(lines::monit(
                            t,
                            "info",
                            &format!("'{name}' start: /var/vcap/jobs/bpm/bin/bpm"),
                        ));
                    }
                    vm.monit_log(&monit);
                    for job in ["log-cache", "doppler"] {
                        vm.job(job).bpm(&format!("processes:\n- name: {job}\n  executable: /var/vcap/packages/{job}/bin/{job}\n"));
                    }
                    // Go's runtime when an allocation fails ("fatal error: runtime: out of
                    // memory", runtime/malloc.go), then the start of its stack dump.
                    vm.job("doppler").log(
                        "doppler.stderr.log",
                        &[
                            lines::go_log(ago(now, 35), "Starting doppler"),
                            "fatal error: runtime: out of memory".to_string(),
                            String::new(),
                            "runtime stack:".to_string(),
                            "runtime.throw(0xa2b3f1, 0x16)".to_string(),
                            "\t/usr/local/go/src/runtime/panic.go:617 +0x72 fp=0x7ffd4b3e7a48 sp=0x7ffd4b3e7a18 pc=0x42d8f2".to_string(),
                        ],
                    );
                    vm.job("doppler").log(
                        "doppler.stdout.log",
                        &healthy(Kind::Metron, now, 2, "doppler1"),
                    );
                }),
                monit_summary: Some(legacy_summary(
                    "33d 1h",
                    &[
                        ("doppler", "running"),
                        ("log-cache", "running"),
                        ("log-cache-gateway", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: Some({
                    let mut d = vec![dmesg_line(
                        1_811_002.114_5,
                        "EXT4-fs (sdb2): mounted filesystem with ordered data mode. Opts: (null)",
                    )];
                    for (_, up, pid, rss) in KILLS {
                        for (k, l) in oom_lines(pid, rss).iter().enumerate() {
                            d.push(dmesg_line(up + k as f64 * 0.000_12, l));
                        }
                    }
                    d.join("\n") + "\n"
                }),
            },
            Vm {
                group: "doppler",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    vm.job("doppler").log(
                        "doppler.stdout.log",
                        &healthy(Kind::Metron, now, 2, "doppler0"),
                    );
                }),
                monit_summary: Some(legacy_summary(
                    "33d 1h",
                    &[
                        ("doppler", "running"),
                        ("log-cache", "running"),
                        ("log-cache-gateway", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// The only NATS server of a small foundation does not start after a certificate rotation:
/// its TLS certificate and key do not match, nats-server exits at start-up, and monit keeps
/// restarting it. Every NATS client fails (route_emitter on the cells, route_registrar on
/// the api VM, gorouter), routes expire, gorouter answers 404 unknown_route. Root cause:
/// `go-tls-private-key-mismatch` on nats/0, through `monit-process-failed` for nats.
fn nats_down() -> Scenario {
    Scenario {
        name: "nats-down",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "nats",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // nats-server refusing its configuration: main.go prints
                    // "nats-server: <err>" and exits; the config error is "<file>:<line>:<col>:
                    // <reason>" with GenTLSConfig's "error parsing X509 certificate/key pair: %v"
                    // around crypto/tls's "tls: private key does not match public key".
                    // Composed from those real texts; line and column illustrative.
                    let err = "nats-server: /var/vcap/jobs/nats/config/nats.conf:27:5: error parsing X509 certificate/key pair: tls: private key does not match public key";
                    let mut job = vm.job("nats");
                    job.bpm("processes:\n- name: nats\n  executable: /var/vcap/packages/nats-server/bin/nats-server\n  args: [-c, /var/vcap/jobs/nats/config/nats.conf]\n");
                    job.log("nats.stderr.log", &[err, err, err, err, err]);
                    // monit's restarts of nats (monit 5.2 wording).
                    let mut monit = Vec::new();
                    for m in [50u64, 38, 26, 14, 2] {
                        let t = ago(now, m);
                        monit.push(lines::monit(t, "error", "'nats' process is not running"));
                        monit.push(lines::monit(t, "info", "'nats' trying to restart"));
                        monit.push(lines::monit(
                            t,
                            "info",
                            "'nats' start: /var/vcap/jobs/bpm/bin/bpm",
                        ));
                    }
                    vm.monit_log(&monit);
                }),
                monit_summary: Some(legacy_summary(
                    "5d 2h",
                    &[("nats", "Does not exist"), ("metron_agent", "running")],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "diego_cell",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // route_emitter: the emit failures (message of nats_handler.go; shape of the
                    // illustrative example in signatures/diego/route-emitter-emit-failed.toml),
                    // then the reconnect at restart failing with nats.go's ErrNoServers.
                    let mut re = filler(Kind::RouteEmitter, ago(now, 120), ago(now, 51), "cell0");
                    for i in 0..10u64 {
                        let t = ago_s(now, 50 * 60 - i * 290);
                        re.push(lines::lager_rfc3339(
                            t,
                            "route-emitter",
                            "route-emitter.nats-emitter.failed-to-emit-routes",
                            LagerLevel::Error,
                            &format!(
                                r#"{{"error":"nats: connection closed","session":"{}"}}"#,
                                7 + i
                            ),
                        ));
                    }
                    re.push(lines::lager_rfc3339(
                        ago(now, 3),
                        "route-emitter",
                        "route-emitter.failed-to-connect-to-nats",
                        LagerLevel::Error,
                        r#"{"error":"nats: no servers available for connection","session":"1"}"#,
                    ));
                    vm.job("route_emitter").log("route_emitter.stdout.log", &re);
                    vm.job("rep")
                        .log("rep.stdout.log", &healthy(Kind::Rep, now, 1, "cell0"));
                }),
                monit_summary: Some(legacy_summary(
                    "5d 2h",
                    &[
                        ("rep", "running"),
                        ("garden", "running"),
                        ("route_emitter", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "api",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // route_registrar registers api.sys.example.com: publish errors (shape of
                    // the illustrative example in signatures/nats/nats-connection-closed.toml)
                    // and its reconnect failing with nats.go's ErrNoServers (illustrative).
                    let mut rr = Vec::new();
                    for i in 0..12u64 {
                        let t = ago_s(now, 49 * 60 - i * 240);
                        rr.push(lines::lager_rfc3339(
                            t,
                            "route_registrar",
                            "route_registrar.Error-publishing-registration",
                            LagerLevel::Error,
                            r#"{"error":"nats: connection closed"}"#,
                        ));
                    }
                    rr.push(lines::lager_rfc3339(
                        ago(now, 2),
                        "route_registrar",
                        "route_registrar.Error-connecting-to-nats",
                        LagerLevel::Error,
                        r#"{"error":"nats: no servers available for connection"}"#,
                    ));
                    vm.job("route_registrar")
                        .log("route_registrar.stdout.log", &rr);
                }),
                monit_summary: Some(legacy_summary(
                    "5d 2h",
                    &[
                        ("cloud_controller_ng", "running"),
                        ("route_registrar", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "router",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // gorouter: its NATS client cannot reconnect (illustrative lager line
                    // around nats.go's ErrNoServers), then the pruned routes: 404
                    // unknown_route for apps and for the API (access log shape of
                    // signatures/routing/gorouter-unknown-route.toml's example).
                    vm.job("gorouter").log(
                        "gorouter.stdout.log",
                        &[
                            format!(r#"{{"log_level":3,"timestamp":"{}","message":"nats-connection-disconnected","source":"vcap.gorouter.nats","data":{{"nats-host":"nats.service.cf.internal:4222"}}}}"#, rfc3339_nano(ago(now, 50))),
                            format!(r#"{{"log_level":3,"timestamp":"{}","message":"nats-connection-error","source":"vcap.gorouter.nats","data":{{"error":"nats: no servers available for connection"}}}}"#, rfc3339_nano(ago(now, 49))),
                            format!(r#"{{"log_level":2,"timestamp":"{}","message":"prune-stale-routes","source":"vcap.gorouter.registry","data":{{"pruned":412}}}}"#, rfc3339_nano(ago(now, 47))),
                        ],
                    );
                    let mut access =
                        filler(Kind::GorouterAccess, ago(now, 100), ago(now, 47), "router0");
                    for i in 0..20u64 {
                        let t = ago_s(now, 46 * 60 - i * 130);
                        let mut a = Access {
                            host: if i % 4 == 0 {
                                "api.sys.example.com".into()
                            } else {
                                format!("app-{}.apps.example.com", i * 7 % 50)
                            },
                            method: "GET".into(),
                            path: if i % 4 == 0 {
                                "/v3/apps".into()
                            } else {
                                "/".into()
                            },
                            status: 404,
                            bytes_received: 0,
                            bytes_sent: 67,
                            user_agent: if i % 4 == 0 {
                                "cf/8.7.1+0a9c6c4.2023-07-05 (go1.20.5; amd64 linux)".into()
                            } else {
                                "curl/7.88.1".into()
                            },
                            remote_addr: format!("10.0.1.{}:{}", 20 + i, 52_000 + i),
                            backend_addr: "-".into(),
                            x_forwarded_for: format!("203.0.113.{}", 30 + i),
                            request_id: format!(
                                "b2c3d4e5-6f70-4a8b-9c0d-{:012x}",
                                0x1e2f3a4b5c6du64 + i
                            ),
                            response_time: 0.000_251,
                            gorouter_time: 0.000_251,
                            app_id: "-".into(),
                            app_index: 0,
                            instance_id: "-".into(),
                            router_error: "unknown_route".into(),
                            trace_id: "-".into(),
                            span_id: "-".into(),
                        };
                        a.bytes_sent = 67;
                        access.push(lines::gorouter_access(t, &a));
                    }
                    vm.job("gorouter").log("access.log", &access);
                }),
                monit_summary: Some(legacy_summary(
                    "5d 2h",
                    &[("gorouter", "running"), ("metron_agent", "running")],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// UAA's clock jumped almost two hours ahead (and chrony stepped it back 15 minutes before
/// the bundles were taken). Meanwhile UAA rejected tokens it had issued minutes before as
/// expired (`InvalidTokenException`), and CredHub refused the tokens UAA issued as not yet
/// valid (`Jwt used before`). Root cause: `clock-skew` on uaa/0 (its log lines are stamped
/// after its own collection time).
fn uaa_token_errors() -> Scenario {
    /// How far UAA's clock ran ahead, and when (minutes before collection).
    const SKEW: Duration = Duration::from_secs(6600);
    const JUMP: u64 = 70;
    const STEP_BACK: u64 = 15;
    Scenario {
        name: "uaa-token-errors",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "uaa",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    let host = "0e4c9a7b-2d5f-4c1e-9b8a-7f6e5d4c3b2a";
                    // uaa.log: token issuance (Audit TokenIssuedEvent, illustrative as in the
                    // signature's no_match example) every few minutes; while the clock is ahead
                    // every line is stamped SKEW late, and /check_token rejects the tokens UAA
                    // issued before the jump ("Handling error: InvalidTokenException, Token has
                    // expired", the illustrative example of uaa-invalid-token-handling-error).
                    let issued = |t: SystemTime, n: u64| {
                        uaa_log(t, &format!("http-nio-8080-exec-{}", 1 + n % 9), "INFO", "Audit", "TokenIssuedEvent ('[\"cloud_controller.read\",\"cloud_controller.write\",\"openid\"]'): principal=cf, origin=[caller=cf], identityZoneId=[uaa]")
                    };
                    let mut log = Vec::new();
                    for i in 0..30u64 {
                        let real = ago_s(now, 180 * 60 - i * 220);
                        if real >= ago(now, JUMP) {
                            break;
                        }
                        log.push(issued(real, i));
                    }
                    for i in 0..24u64 {
                        let real = ago_s(now, JUMP * 60 - 30 - i * 130);
                        if real >= ago(now, STEP_BACK) {
                            break;
                        }
                        log.push(issued(real + SKEW, i));
                        log.push(uaa_log(
                            real + SKEW + Duration::from_millis(420),
                            &format!("http-nio-8080-exec-{}", 1 + (i + 4) % 9),
                            "INFO",
                            "CheckTokenEndpoint",
                            "Handling error: InvalidTokenException, Token has expired",
                        ));
                    }
                    for i in 0..6u64 {
                        log.push(issued(ago_s(now, STEP_BACK * 60 - 40 - i * 140), i));
                    }
                    vm.job("uaa").log("uaa.log", &log);
                    // chrony sees the jump and, later, steps the clock back (real chronyd
                    // messages "Forward time jump detected!" and "System clock was stepped by
                    // %.6f seconds"; pid and values illustrative). syslog lines carry the clock
                    // of the moment they were written.
                    let mut sys = filler(Kind::Syslog, ago(now, 180), ago(now, JUMP + 1), host);
                    sys.push(lines::syslog(
                        ago(now, JUMP) + SKEW,
                        host,
                        "chronyd",
                        Some(812),
                        "Forward time jump detected!",
                    ));
                    sys.push(lines::syslog(
                        ago(now, STEP_BACK),
                        host,
                        "chronyd",
                        Some(812),
                        &format!(
                            "System clock was stepped by -{}.412117 seconds",
                            SKEW.as_secs()
                        ),
                    ));
                    vm.syslog(&sys);
                }),
                monit_summary: Some(legacy_summary(
                    "19d 4h",
                    &[
                        ("uaa", "running"),
                        ("route_registrar", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "credhub",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    // CredHub (correct clock) gets tokens whose not-before is UAA's clock:
                    // Spring Security's "Jwt used before <nbf>" (message real; line shape the
                    // illustrative example of signatures/credhub/credhub-jwt-used-before.toml).
                    let mut log = Vec::new();
                    for i in 0..18u64 {
                        let t = ago_s(now, 170 * 60 - i * 330);
                        if t >= ago(now, JUMP) {
                            break;
                        }
                        log.push(credhub_log(
                            t,
                            &format!("https-jsse-nio-8844-exec-{}", 1 + i % 8),
                            "INFO",
                            "AuditInterceptor",
                            "GET /api/v1/data?name=/cf/9f1c2e3d-service-binding succeeded",
                        ));
                    }
                    for i in 0..20u64 {
                        let t = ago_s(now, JUMP * 60 - 50 - i * 160);
                        if t >= ago(now, STEP_BACK) {
                            break;
                        }
                        let nbf = t + SKEW - Duration::from_secs(3);
                        log.push(credhub_log(t, &format!("https-jsse-nio-8844-exec-{}", 1 + i % 8), "INFO", "BearerTokenAuthenticationEntryPoint", &format!("[invalid_token] An error occurred while attempting to decode the Jwt: Jwt used before {}", iso_s(nbf))));
                    }
                    for i in 0..5u64 {
                        log.push(credhub_log(
                            ago_s(now, STEP_BACK * 60 - 60 - i * 150),
                            "https-jsse-nio-8844-exec-3",
                            "INFO",
                            "AuditInterceptor",
                            "GET /api/v1/data?name=/cf/9f1c2e3d-service-binding succeeded",
                        ));
                    }
                    vm.job("credhub").log("credhub.log", &log);
                }),
                monit_summary: Some(legacy_summary(
                    "19d 4h",
                    &[("credhub", "running"), ("metron_agent", "running")],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

/// An app instance on diego_cell/1 exceeds its memory quota: the kernel kills its java
/// process at the container's memory cgroup limit three times, the executor reports `Exit
/// status 137 (out of memory)`, and meanwhile gorouter's requests to the instance's address
/// are refused (502). Root cause: `oom-kill` (a memcg kill) on the cell.
fn gorouter_backend_failures() -> Scenario {
    const APP: &str = "6f2c0b0e-6b5a-4a4d-9a1d-0e8c5c7a1f21";
    // (minutes ago, uptime, pid): the kills.
    const KILLS: [(u64, f64, u32); 3] = [
        (41, 2_204_117.530_112, 31337),
        (27, 2_204_958.201_774, 32811),
        (12, 2_205_861.904_326, 34290),
    ];
    // The 4.15 kernel's memory cgroup OOM report (wording of the real canonical/hotsos sample
    // in signatures/kernel/kernel-memcg-oom.toml); values illustrative.
    fn oom_lines(pid: u32) -> Vec<String> {
        vec![
            "java invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=0".to_string(),
            format!("Memory cgroup out of memory: Kill process {pid} (java) score 1116 or sacrifice child"),
            format!("Killed process {pid} (java) total-vm:3264844kB, anon-rss:1046528kB, file-rss:30452kB, shmem-rss:4kB"),
        ]
    }
    Scenario {
        name: "gorouter-backend-failures",
        deployment: "cf",
        vms: vec![
            Vm {
                group: "diego_cell",
                id: "1",
                az: "z2",
                build: Box::new(|vm, now| {
                    let host = "5244b492-3477-42bd-a6b0-d4d4cba5bfb9";
                    let mut kern = filler(Kind::Kern, ago(now, 120), ago(now, 42), host);
                    for (m, up, pid) in KILLS {
                        for (k, l) in oom_lines(pid).iter().enumerate() {
                            kern.push(lines::kern(ago(now, m), host, up + k as f64 * 0.000_15, l));
                        }
                    }
                    vm.kern_log(&kern);
                    // rep: the run step's exit with garden's OOM flag (executor run_step.go,
                    // "run-step-failed-with-nonzero-status-code" / "Exit status 137 (out of
                    // memory)"; shape of the illustrative example of app-container-oom-killed).
                    let mut rep = filler(Kind::Rep, ago(now, 90), ago(now, 42), "cell1");
                    for (i, (m, _, _)) in KILLS.iter().enumerate() {
                        rep.push(lines::lager_rfc3339(ago(now, *m) + Duration::from_millis(700), "rep", "rep.executing-container-operation.ordinary-lrp-processor.process-reserved-container.run-container.containerstore-run.node-run.action.run-step.run-step-failed-with-nonzero-status-code", LagerLevel::Error, &format!(r#"{{"error":"Exit status 137 (out of memory)","process":"{APP}-a1b2c3d4","session":"{}.2.3.4","status-code":137}}"#, 20 + i)));
                    }
                    vm.job("rep").log("rep.stdout.log", &rep);
                }),
                monit_summary: Some(legacy_summary(
                    "25d 11h",
                    &[
                        ("rep", "running"),
                        ("garden", "running"),
                        ("route_emitter", "running"),
                        ("metron_agent", "running"),
                    ],
                )),
                df: None,
                dmesg: Some(
                    KILLS
                        .iter()
                        .flat_map(|(_, up, pid)| {
                            oom_lines(*pid)
                                .into_iter()
                                .enumerate()
                                .map(move |(k, l)| dmesg_line(up + k as f64 * 0.000_15, &l))
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                        + "\n",
                ),
            },
            Vm {
                group: "router",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    let mut failed = Vec::new();
                    let mut access =
                        filler(Kind::GorouterAccess, ago(now, 90), ago(now, 42), "router0");
                    for (n, (m, _, _)) in KILLS.iter().enumerate() {
                        // Until the instance is restarted (about a minute each time), requests
                        // to its address are refused.
                        for k in 0..4u64 {
                            let t = ago_s(now, m * 60 - 2 - k * 15);
                            let i = n as u64 * 10 + k;
                            let rid =
                                format!("27116dd3-f047-4a35-7873-{:012x}", 0xe9ef7e1d3f71u64 + i);
                            failed.push(backend_failed(t, APP, "10.0.16.22:61004", 1, &rid));
                            access.push(access_502(
                                t + Duration::from_millis(3),
                                "orders.apps.example.com",
                                "10.0.16.22:61004",
                                APP,
                                i,
                            ));
                        }
                    }
                    vm.job("gorouter")
                        .log("gorouter.stdout.log", &failed)
                        .log("access.log", &access);
                }),
                monit_summary: Some(legacy_summary(
                    "25d 11h",
                    &[("gorouter", "running"), ("metron_agent", "running")],
                )),
                df: None,
                dmesg: None,
            },
        ],
    }
}

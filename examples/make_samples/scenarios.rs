//! The scenarios: one per seed incident, plus common failures. Each VM's `build` lays out
//! its logs and configs; `monit_summary`/`df`/`dmesg` are what its commands print.

use super::{healthy, Scenario, Vm};
use std::time::{Duration, SystemTime};
use testkit::lines::Kind;
use testkit::monit::legacy_summary;

pub fn all() -> Vec<Scenario> {
    vec![doppler_never_registered()]
}

fn ago(now: SystemTime, mins: u64) -> SystemTime {
    now - Duration::from_secs(mins * 60)
}

/// seeds/000: metron_agent panics `No dopplers listening on [udp]` on every VM and monit
/// stops monitoring it; the doppler on doppler_z2/0 never registered in etcd because it
/// cannot reach etcd. `monit restart all` there fixes every VM.
fn doppler_never_registered() -> Scenario {
    // metron's own start-up line (gosteno JSON) and its panic text, both from seeds/000 and
    // loggregator-release src/metron (the JSON line is quoted in signature-example.toml).
    fn metron(vm: &mut testkit::FakeVm, now: SystemTime) {
        let at = ago(now, 88).duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs_f64();
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
                    vm.job("doppler").log("doppler.stdout.log", &healthy(Kind::Metron, now, 2, "doppler_z1"));
                }),
                // seeds/000 verbatim: the doppler VM where the operator ran `monit summary`.
                monit_summary: Some(legacy_summary(
                    "1h 28m",
                    &[("consul_agent", "running"), ("doppler", "running"), ("syslog_drain_binder", "running"), ("metron_agent", "not monitored"), ("sensu-client", "running"), ("toolbelt", "running")],
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
                    vm.job("doppler").log("doppler.stderr.log", &errs).log("doppler.stdout.log", &healthy(Kind::Metron, now, 2, "doppler_z2"));
                }),
                monit_summary: Some(summary(&[("doppler", "running"), ("syslog_drain_binder", "running")])),
                df: None,
                dmesg: None,
            },
            Vm {
                group: "diego_cell",
                id: "0",
                az: "z1",
                build: Box::new(|vm, now| {
                    metron(vm, now);
                    vm.job("rep").log("rep.stdout.log", &healthy(Kind::Rep, now, 1, "cell0"));
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
                    vm.job("gorouter").log("access.log", &healthy(Kind::GorouterAccess, now, 1, "router0"));
                }),
                monit_summary: Some(summary(&[("gorouter", "running")])),
                df: None,
                dmesg: None,
            },
        ],
    }
}

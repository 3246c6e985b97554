use super::*;

fn vm(name: &str, collected_at: &str) -> VmClock {
    VmClock {
        vm: name.into(),
        collected_at: collected_at.parse().unwrap(),
        newest_line: None,
    }
}

fn flagged(vms: &[VmClock]) -> Vec<(String, String)> {
    skew(vms)
        .into_iter()
        .map(|f| (f.vm, f.captures["skew_seconds"].clone()))
        .collect()
}

#[test]
fn a_vm_off_the_batch_median_is_flagged() {
    let vms = [
        vm("router/0", "2026-11-21T23:40:11Z"),
        vm("router/1", "2026-11-21T23:40:13Z"),
        vm("diego_cell/0", "2026-11-21T23:40:12Z"),
        vm("diego_cell/1", "2026-11-21T23:47:30Z"),
    ];
    assert_eq!(
        flagged(&vms),
        [("diego_cell/1".to_string(), "438".to_string())]
    );
    let f = &skew(&vms)[0];
    assert_eq!(
        (f.signature.as_str(), f.category.as_str(), f.severity),
        ("clock-skew", "clock_skew", Severity::High)
    );
    assert_eq!(
        (f.path.as_str(), f.captures["batch_size"].as_str()),
        ("manifest.json", "4")
    );
    assert_eq!(f.summary, "clock of diego_cell/1 is 7m 18s ahead of the median collection time of the 4 VMs collected with it (2026-11-21T23:40:12Z)");
    // Behind works the same; under 5 minutes is fine.
    let vms = [
        vm("a", "2026-11-21T23:40:11Z"),
        vm("b", "2026-11-21T23:40:12Z"),
        vm("c", "2026-11-21T23:30:00Z"),
        vm("d", "2026-11-21T23:36:00Z"),
    ];
    assert_eq!(flagged(&vms), [("c".to_string(), "-485".to_string())]);
}

#[test]
fn too_few_vms_or_other_batches_are_not_compared() {
    assert!(skew(&[
        vm("a", "2026-11-21T23:40:11Z"),
        vm("b", "2026-11-21T23:50:11Z")
    ])
    .is_empty());
    // Three close together and one collected on another day: no batch of its own.
    let vms = [
        vm("a", "2026-11-21T23:40:11Z"),
        vm("b", "2026-11-21T23:40:12Z"),
        vm("c", "2026-11-21T23:40:13Z"),
        vm("d", "2026-11-23T08:00:00Z"),
    ];
    assert!(skew(&vms).is_empty());
}

#[test]
fn a_batch_collected_one_vm_after_another_is_not_skew() {
    // Twelve VMs collected 150 s apart: 27.5 minutes end to end.
    let start: Timestamp = "2026-11-21T23:00:00Z".parse().unwrap();
    let vms: Vec<VmClock> = (0..12)
        .map(|i| VmClock {
            vm: format!("vm/{i}"),
            collected_at: start + jiff::SignedDuration::from_secs(150 * i),
            newest_line: None,
        })
        .collect();
    assert!(skew(&vms).is_empty(), "{:#?}", skew(&vms));
}

#[test]
fn a_log_line_far_after_collection_means_the_clock_ran_ahead() {
    let mut v = vm("nats/0", "2026-11-21T23:40:11Z");
    v.newest_line = Some((
        "2026-11-22T01:45:00Z".parse().unwrap(),
        "var/vcap/sys/log/nats/nats.log".into(),
    ));
    let findings = skew(std::slice::from_ref(&v));
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].path.as_str(), findings[0].job.as_deref()),
        ("var/vcap/sys/log/nats/nats.log", Some("nats"))
    );
    assert_eq!(findings[0].captures["skew_seconds"], "7489");
    v.newest_line = Some(("2026-11-22T00:30:00Z".parse().unwrap(), "x.log".into()));
    assert!(skew(&[v]).is_empty());
}

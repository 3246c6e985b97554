//! The model across envelopes: names, the fallback, and one fact in several envelopes.

use super::*;

fn line(s: &str) -> Line {
    parse(s.as_bytes(), YearHint::default())
}

#[test]
fn envelope_names_round_trip() {
    for e in Envelope::ALL {
        assert_eq!(Envelope::from_name(e.name()), Some(*e));
    }
    assert_eq!(Envelope::from_name("lagerr"), None);
}

#[test]
fn unknown_text_is_plain() {
    // seeds/000 (metron_agent.stderr.log).
    let l = line("panic: No dopplers listening on [udp]");
    assert_eq!(l.envelope, Envelope::Plain);
    assert_eq!(
        l.message.as_deref(),
        Some("panic: No dopplers listening on [udp]")
    );
    for bytes in [&b""[..], b"\xff\xfe{", b"{not json", b"[", b"Task ", b"~  "] {
        let _ = parse(bytes, YearHint::default());
    }
}

#[test]
fn one_fact_in_many_envelopes() {
    // The stager failure of cloudfoundry/cf-deployment#425 and cloudfoundry/diego-release#322,
    // as the API body and as the CLI print it: the same error text, another envelope each.
    let body = line("  \"description\": \"Stager is unavailable: getaddrinfo: Name or service not known (bbs.service.cf.internal:8889)\",");
    let cli = line("Error restarting application: Server error, status code: 500, error code: 170011, message: Stager error: Failed to open TCP connection to stager.service.cf.internal:8888");
    assert!(body
        .error_texts()
        .any(|t| t.starts_with("Stager is unavailable")));
    assert!(cli.error_texts().any(|t| t.starts_with("Stager error")));
    assert_ne!(body.envelope, cli.envelope);
}

#[test]
fn bosh_ssh_lines_keep_the_vm_and_the_inner_envelope() {
    // seeds/000's `monit summary` row and seeds/004's agent line, as `bosh ssh -c` prints
    // them for the instance of seeds/004.
    let l = line("nginx/14e444f1-48c0-4006-8908-7d535ee88bc0: stdout | 2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status");
    assert_eq!(
        l.vm.as_deref(),
        Some("nginx/14e444f1-48c0-4006-8908-7d535ee88bc0")
    );
    assert_eq!(l.envelope, Envelope::BoshAgent);
    assert!(l.time.is_some());
}

#[test]
fn keys_match_by_their_last_segments() {
    // The rep key names of the brief: a newer and an older session prefix.
    let l = Line {
        envelope: Envelope::Lager,
        message: Some(
            "rep.executing-container-operation.task-processor.fetch-container.failed".into(),
        ),
        ..Line::default()
    };
    assert!(l.key_ends_with("fetch-container.failed"));
    assert!(l.key_ends_with("failed"));
    assert!(!l.key_ends_with("container.failed"));
    let old = Line {
        message: Some("rep.task-processor.failed".into()),
        ..l.clone()
    };
    assert!(old.key_ends_with("task-processor.failed"));
    let text = Line {
        envelope: Envelope::Steno,
        ..old
    };
    assert!(
        !text.key_ends_with("task-processor.failed"),
        "steno messages are text"
    );
}

#[test]
fn named_vm_looks_only_at_task_table_and_event_lines() {
    // seeds/004 (`bosh vms`), cloudfoundry/bpm-release#176 (task error), the event line of
    // cloudfoundry/bosh-cli ui/task/reporter_test.go, and ordinary log lines.
    assert_eq!(
        named_vm(b"nginx/14e444f1-48c0-4006-8908-7d535ee88bc0  unresponsive agent  z1  10.4.1.17")
            .as_deref(),
        Some("nginx/14e444f1-48c0-4006-8908-7d535ee88bc0")
    );
    assert_eq!(
        named_vm(b"                   L Error: 'bpm/33f58def-3dac-467e-bc7d-715e4a890b54 (0)' is not running after update. Review logs for failed jobs: test-server, alt-test-server").as_deref(),
        Some("bpm/33f58def-3dac-467e-bc7d-715e4a890b54")
    );
    assert_eq!(
        named_vm(br#"{"time":7414830635,"stage":"Updating job","tags":["job"],"total":1,"task":"job/0 (canary)","index":1,"state":"failed","progress":100,"data":{"error":"'job/0' is not running after update"}}"#).as_deref(),
        Some("job/0")
    );
    for line in [
        &br#"{"timestamp":"1472766268.564709902","source":"guardian","message":"guardian.create.start","log_level":1,"data":{}}"#[..],
        b"2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status",
        b"panic: No dopplers listening on [udp]",
    ] {
        assert_eq!(named_vm(line), None, "{}", String::from_utf8_lossy(line));
    }
}

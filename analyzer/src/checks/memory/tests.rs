//! Real kernel OOM lines from public reports: the pre-4.19 pair `Kill process ... or
//! sacrifice child` / `Killed process` (genular/pandora#49), memory cgroup kills of envoy in
//! Diego cell containers as dmesg shows them (cloudfoundry/garden-runc-release#193), and the
//! 5.x `oom-kill:constraint=` summary with its `Out of memory: Killed process` (a CentOS 8
//! `/var/log/messages` in a public troubleshooting note).

use super::*;

const PANDORA_49: &[&str] = &[
    "May 07 21:43:54 doom kernel: Out of memory: Kill process 27438 (R) score 31 or sacrifice child",
    "May 07 21:43:54 doom kernel: Killed process 27438 (R) total-vm:38349780kB, anon-rss:1041924kB, file-rss:4kB, shmem-rss:0kB",
];
const GARDEN_193: &[&str] = &[
    "[113782.638786] Memory cgroup out of memory: Killed process 1949510 (envoy) total-vm:3264844kB, anon-rss:18812kB, file-rss:30452kB, shmem-rss:4kB, UID:4294967294 pgtables:732kB oom_score_adj:0",
    "[115582.355745] Memory cgroup stats for /system.slice/garden.service/garden/good/db315859-a870-4d77-50f9-02b6:",
    "[115559.166744] Memory cgroup out of memory: Killed process 2009943 (envoy) total-vm:3264844kB, anon-rss:19012kB, file-rss:30712kB, shmem-rss:4kB, UID:4294967294 pgtables:740kB oom_score_adj:0",
    "[114632.849111] Memory cgroup out of memory: Killed process 2856839 (envoy) total-vm:3264844kB, anon-rss:19840kB, file-rss:30904kB, shmem-rss:4kB, UID:4294967294 pgtables:724kB oom_score_adj:0",
];
const CENTOS: &[&str] = &[
    "Sep  7 14:18:32 VM-12-2-centos kernel: systemd invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
    "Sep  7 14:18:32 VM-12-2-centos kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/pm2-root.service,task=node,pid=2092,uid=0",
    "Sep  7 14:18:32 VM-12-2-centos kernel: Out of memory: Killed process 2092 (node) total-vm:2546008kB, anon-rss:1665620kB, file-rss:936kB, shmem-rss:0kB, UID:0 pgtables:38108kB oom_score_adj:0",
    "Sep  7 14:18:32 VM-12-2-centos kernel: oom_reaper: reaped process 2092 (node), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
];

fn feed(kills: &mut OomKills, path: &str, lines: &[&str]) {
    for (i, l) in lines.iter().enumerate() {
        kills.line(path, i as u64 + 1, l.as_bytes());
    }
}

#[test]
fn parse_each_kernel_wording() {
    let k = |l: &str| parse_kill(l.as_bytes()).map(|k| (k.pid, k.process, k.memcg));
    assert_eq!(k(PANDORA_49[0]), Some((27438, "R".into(), false)));
    assert_eq!(k(PANDORA_49[1]), Some((27438, "R".into(), false)));
    assert_eq!(k(GARDEN_193[0]), Some((1949510, "envoy".into(), true)));
    assert_eq!(k(CENTOS[1]), Some((2092, "node".into(), false)));
    assert_eq!(k(CENTOS[2]), Some((2092, "node".into(), false)));
    let memcg = "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/ltp_19257,task_memcg=/ltp_19257,task=memcg_process,pid=19289,uid=0";
    assert_eq!(k(memcg), Some((19289, "memcg_process".into(), true)));
    for not_a_kill in [
        CENTOS[0],
        CENTOS[3],
        GARDEN_193[1],
        "Nov  6 18:45:30 cell supervisor[12]: Killed process 123 (worker) after timeout",
    ] {
        assert_eq!(k(not_a_kill), None, "{not_a_kill}");
    }
}

#[test]
fn one_kill_on_two_lines_counts_once() {
    let mut kills = OomKills::default();
    feed(&mut kills, "var/log/syslog", PANDORA_49);
    let now = Some("2019-05-08T00:00:00Z".parse().unwrap());
    let findings = kills.findings("vm", now);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(
        (f.signature.as_str(), f.category.as_str(), f.severity),
        ("oom-kill", "out_of_memory", Severity::High)
    );
    assert_eq!(
        (
            f.count,
            f.line,
            f.captures["pid"].as_str(),
            f.captures["process"].as_str()
        ),
        (1, Some(1), "27438", "R")
    );
    assert_eq!(f.captures["constraint"], "global");
    assert_eq!(f.timestamp, Some("2019-05-07T21:43:54Z".parse().unwrap()));
    assert_eq!(
        f.summary,
        "the kernel OOM killer killed R (pid 27438): the VM out of memory"
    );
}

#[test]
fn container_kills_of_one_process_are_grouped() {
    let mut kills = OomKills::default();
    feed(&mut kills, "commands/dmesg.txt", GARDEN_193);
    let findings = kills.findings("diego_cell/3", None);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(
        (
            f.count,
            f.captures["kills"].as_str(),
            f.captures["constraint"].as_str()
        ),
        (3, "3", "memcg")
    );
    assert_eq!((f.timestamp, f.line), (None, Some(1)));
    assert_eq!(
        f.summary,
        "the kernel OOM killer killed envoy (3 times): a memory cgroup (container) limit"
    );
}

#[test]
fn the_same_kill_in_dmesg_and_kern_log_counts_once_with_kern_log_as_evidence() {
    let dmesg: Vec<String> = CENTOS
        .iter()
        .map(|l| format!("[ 1630.158028] {}", &l[l.find("kernel: ").unwrap() + 8..]))
        .collect();
    let dmesg: Vec<&str> = dmesg.iter().map(String::as_str).collect();
    let mut kills = OomKills::default();
    feed(&mut kills, "commands/dmesg.txt", &dmesg);
    feed(&mut kills, "var/log/kern.log", CENTOS);
    let findings = kills.findings("vm", Some("2020-09-08T00:00:00Z".parse().unwrap()));
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(
        (f.count, f.path.as_str(), f.line),
        (1, "var/log/kern.log", Some(2))
    );
    assert_eq!(f.timestamp, Some("2020-09-07T14:18:32Z".parse().unwrap()));
    assert!(f.excerpt.contains("oom-kill:constraint=CONSTRAINT_NONE"));
}

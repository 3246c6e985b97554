//! Realistic log line makers, and a deterministic generator of healthy log traffic.
//!
//! Every maker takes the instant first and returns one line without its newline.
//! Formats, and where each comes from:
//!
//! - [`lager`]: code.cloudfoundry.org/lager JSON as written by rep, garden (source
//!   `guardian`), route_emitter, auctioneer, bbs: `{"timestamp":"1522171784.100530624",
//!   "source":"rep","message":"rep.started","log_level":1,"data":{...}}`. The float-epoch
//!   timestamp is the `unix-epoch` format; [`lager_rfc3339`] is the `rfc3339` format that
//!   diego-release offers with `logging.format.timestamp` (`"level":"info"` replaces
//!   `"log_level":1`). Both shapes are real (diego-release docs, logsearch-for-cloudfoundry
//!   test fixtures, concourse issue #293 for guardian lines).
//! - [`agent`]: bosh-agent lines under svlogd `-tt` (`/var/vcap/bosh/log/current`), exactly
//!   as in seed 004: `2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36
//!   DEBUG - Getting monit status`.
//! - [`monit`]: monit 5.2.5 (the version BOSH stemcells ship, seed 000 and 004 show it)
//!   `/var/vcap/monit/monit.log` lines: `[UTC Nov  6 18:45:30] error    : 'rep' process is
//!   not running`.
//! - [`gorouter_access`]: gorouter `access.log` lines (format from public parser fixtures
//!   of real gorouter output).
//! - [`syslog`] and [`kern`]: rsyslog's traditional file format (`/var/log/syslog`,
//!   `/var/log/kern.log` on Ubuntu stemcells).
//! - [`go_log`]: Go's standard `log` prefix, as metron_agent / loggregator_agent write it.
//!
//! In [`healthy_lines`], message names marked "real" below were seen in real logs; the
//! others are illustrative (plausible names in the same shape, invented here).

use std::collections::VecDeque;
use std::time::SystemTime;

use crate::timefmt::{self, Utc};

/// lager's numeric `log_level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LagerLevel {
    Debug = 0,
    Info = 1,
    Error = 2,
    Fatal = 3,
}

impl LagerLevel {
    fn name(self) -> &'static str {
        match self {
            LagerLevel::Debug => "debug",
            LagerLevel::Info => "info",
            LagerLevel::Error => "error",
            LagerLevel::Fatal => "fatal",
        }
    }
}

/// A JSON string literal (with quotes) for `s`.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A lager line with a float-epoch timestamp. `data` is a JSON object, e.g. `{"session":"7"}`.
pub fn lager(at: SystemTime, source: &str, message: &str, level: LagerLevel, data: &str) -> String {
    format!(
        r#"{{"timestamp":"{}","source":{},"message":{},"log_level":{},"data":{}}}"#,
        Utc::from_system(at).epoch_9(),
        json_str(source),
        json_str(message),
        level as u8,
        data
    )
}

/// A lager line in the `rfc3339` timestamp format.
pub fn lager_rfc3339(
    at: SystemTime,
    source: &str,
    message: &str,
    level: LagerLevel,
    data: &str,
) -> String {
    format!(
        r#"{{"timestamp":"{}","level":"{}","source":{},"message":{},"data":{}}}"#,
        Utc::from_system(at).rfc3339_nano(),
        level.name(),
        json_str(source),
        json_str(message),
        data
    )
}

/// A bosh-agent line under svlogd: `<svlogd ts> [<component>] <go ts> <LEVEL> - <msg>`.
pub fn agent(at: SystemTime, component: &str, level: &str, msg: &str) -> String {
    let t = Utc::from_system(at);
    format!(
        "{} [{component}] {} {level} - {msg}",
        t.svlogd(),
        t.go_log()
    )
}

/// A raw svlogd line: the timestamp prefix and `text` (the agent's payload dumps).
pub fn svlogd(at: SystemTime, text: &str) -> String {
    format!("{} {text}", Utc::from_system(at).svlogd())
}

/// The five agent lines of one heartbeat, shaped as in seed 004.
pub fn agent_heartbeat(
    at: SystemTime,
    deployment: &str,
    job: &str,
    index: u32,
    node_id: &str,
    job_state: &str,
) -> Vec<String> {
    let payload = format!(
        concat!(
            r#"{{"deployment":{},"job":{},"index":{},"job_state":{},"#,
            r#""vitals":{{"cpu":{{"sys":"1.2","user":"3.4","wait":"0.1"}},"#,
            r#""disk":{{"ephemeral":{{"inode_percent":"2","percent":"23"}},"#,
            r#""persistent":{{"inode_percent":"0","percent":"1"}},"#,
            r#""system":{{"inode_percent":"31","percent":"42"}}}},"#,
            r#""load":["0.31","0.28","0.25"],"mem":{{"kb":"4188412","percent":"26"}},"#,
            r#""swap":{{"kb":"0","percent":"0"}},"uptime":{{"secs":75615}}}},"node_id":{}}}"#
        ),
        json_str(deployment),
        json_str(job),
        index,
        json_str(job_state),
        json_str(node_id)
    );
    vec![
        agent(at, "NATS Handler", "INFO", "Sending hm message 'heartbeat'"),
        agent(at, "NATS Handler", "DEBUG", "Message Payload"),
        svlogd(at, "********************"),
        svlogd(at, &payload),
        svlogd(at, "********************"),
    ]
}

/// The agent lines of one `monit status` poll, as in seed 004.
pub fn agent_monit_poll(at: SystemTime, request_id: &str) -> Vec<String> {
    let url = "http://127.0.0.1:2822/_status2?format=xml";
    vec![
        agent(at, "monitJobSupervisor", "DEBUG", "Getting monit status"),
        agent(at, "http-client", "DEBUG", "status function called"),
        agent(at, "http-client", "DEBUG", &format!("Monit request: url='{url}' body=''")),
        agent(at, "attemptRetryStrategy", "DEBUG", "Making attempt #0 for *httpclient.RequestRetryable"),
        agent(
            at,
            "clientRetryable",
            "DEBUG",
            &format!("[requestID={request_id}] Requesting (attempt=1): Request{{ Method: 'GET', URL: '{url}' }}"),
        ),
        agent(at, "File System", "DEBUG", "Checking if file exists /var/vcap/monit/stopped"),
    ]
}

/// A monit 5.2.5 log line: `[UTC Nov  6 18:45:30] error    : 'rep' process is not running`.
/// `level` is `info`, `error`, ... (padded to 8 like monit does).
pub fn monit(at: SystemTime, level: &str, msg: &str) -> String {
    format!("[UTC {}] {level:<8} : {msg}", Utc::from_system(at).bsd())
}

/// A traditional rsyslog line: `Nov  6 18:14:07 host program[pid]: msg`.
pub fn syslog(at: SystemTime, host: &str, program: &str, pid: Option<u32>, msg: &str) -> String {
    let tag = match pid {
        Some(pid) => format!("{program}[{pid}]"),
        None => program.to_string(),
    };
    format!("{} {host} {tag}: {msg}", Utc::from_system(at).bsd())
}

/// A kernel line in `/var/log/kern.log`: `Nov  6 18:14:07 host kernel: [ 1234.567890] msg`.
pub fn kern(at: SystemTime, host: &str, uptime_secs: f64, msg: &str) -> String {
    format!(
        "{} {host} kernel: [{uptime_secs:>12.6}] {msg}",
        Utc::from_system(at).bsd()
    )
}

/// Go's standard `log` line: `2019/08/29 03:11:50 msg`.
pub fn go_log(at: SystemTime, msg: &str) -> String {
    format!("{} {msg}", Utc::from_system(at).go_log())
}

/// One gorouter access log record.
#[derive(Clone, Debug)]
pub struct Access {
    pub host: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub user_agent: String,
    pub remote_addr: String,
    pub backend_addr: String,
    pub x_forwarded_for: String,
    pub request_id: String,
    pub response_time: f64,
    pub gorouter_time: f64,
    pub app_id: String,
    pub app_index: u32,
    pub instance_id: String,
    /// `-` when gorouter saw no error; `endpoint_failure`, `unknown_route`, ... otherwise.
    pub router_error: String,
    pub trace_id: String,
    pub span_id: String,
}

/// A gorouter access log line.
pub fn gorouter_access(at: SystemTime, a: &Access) -> String {
    format!(
        concat!(
            r#"{} - [{}] "{} {} HTTP/1.1" {} {} {} "-" "{}" "{}" "{}" "#,
            r#"x_forwarded_for:"{}" x_forwarded_proto:"https" vcap_request_id:"{}" "#,
            r#"response_time:{:.6} gorouter_time:{:.6} app_id:"{}" app_index:"{}" "#,
            r#"instance_id:"{}" x_cf_routererror:"{}" x_b3_traceid:"{}" x_b3_spanid:"{}" "#,
            r#"x_b3_parentspanid:"-" b3:"{}-{}""#
        ),
        a.host,
        Utc::from_system(at).rfc3339_9(),
        a.method,
        a.path,
        a.status,
        a.bytes_received,
        a.bytes_sent,
        a.user_agent,
        a.remote_addr,
        a.backend_addr,
        a.x_forwarded_for,
        a.request_id,
        a.response_time,
        a.gorouter_time,
        a.app_id,
        a.app_index,
        a.instance_id,
        a.router_error,
        a.trace_id,
        a.span_id,
        a.trace_id,
        a.span_id
    )
}

/// The kinds of log [`healthy_lines`] can generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `rep/rep.stdout.log` (lager, source `rep`).
    Rep,
    /// `garden/garden.stdout.log` (lager, source `guardian`).
    Garden,
    /// `route_emitter/route_emitter.stdout.log` (lager, source `route-emitter`).
    RouteEmitter,
    /// `metron_agent/metron_agent.stdout.log` (Go `log`).
    Metron,
    /// `/var/vcap/bosh/log/current` (bosh-agent under svlogd).
    Agent,
    /// `gorouter/access.log`.
    GorouterAccess,
    /// `/var/log/syslog`.
    Syslog,
    /// `/var/log/kern.log`.
    Kern,
    /// `/var/vcap/monit/monit.log`.
    Monit,
}

impl Kind {
    /// Every kind, for corpus generators.
    pub const ALL: [Kind; 9] = [
        Kind::Rep,
        Kind::Garden,
        Kind::RouteEmitter,
        Kind::Metron,
        Kind::Agent,
        Kind::GorouterAccess,
        Kind::Syslog,
        Kind::Kern,
        Kind::Monit,
    ];

    /// Where this kind of log lives, relative to `/`.
    pub fn default_path(self) -> &'static str {
        match self {
            Kind::Rep => "var/vcap/sys/log/rep/rep.stdout.log",
            Kind::Garden => "var/vcap/sys/log/garden/garden.stdout.log",
            Kind::RouteEmitter => "var/vcap/sys/log/route_emitter/route_emitter.stdout.log",
            Kind::Metron => "var/vcap/sys/log/metron_agent/metron_agent.stdout.log",
            Kind::Agent => "var/vcap/bosh/log/current",
            Kind::GorouterAccess => "var/vcap/sys/log/gorouter/access.log",
            Kind::Syslog => "var/log/syslog",
            Kind::Kern => "var/log/kern.log",
            Kind::Monit => "var/vcap/monit/monit.log",
        }
    }

    /// The mean time between two events of this kind (an event may write several lines).
    pub fn mean_gap_ms(self) -> u64 {
        match self {
            Kind::Rep | Kind::Garden | Kind::GorouterAccess => 200,
            Kind::RouteEmitter => 1_000,
            Kind::Agent => 1_500,
            Kind::Syslog | Kind::Kern => 20_000,
            Kind::Metron => 15_000,
            Kind::Monit => 60_000,
        }
    }
}

/// `n` lines of healthy `kind` traffic starting at `start`, deterministic for a given
/// (`kind`, `start`). Timestamps only increase. See [`Healthy`] to set the VM identity.
pub fn healthy_lines(kind: Kind, n: usize, start: SystemTime) -> Healthy {
    Healthy::new(kind, n, start)
}

/// Iterator returned by [`healthy_lines`].
#[derive(Clone, Debug)]
pub struct Healthy {
    kind: Kind,
    rng: Rng,
    nanos: i128,
    left: usize,
    pending: VecDeque<String>,
    seq: u64,
    next_heartbeat: i128,
    end: Option<i128>,
    mean_gap_ns: i128,
    deployment: String,
    job: String,
    id: String,
    host: String,
}

impl Healthy {
    fn new(kind: Kind, n: usize, start: SystemTime) -> Healthy {
        let (secs, nanos) = timefmt::unix(start);
        let total = secs as i128 * 1_000_000_000 + nanos as i128;
        Healthy {
            kind,
            rng: Rng::new(total as u64 ^ (kind as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            nanos: total,
            left: n,
            pending: VecDeque::new(),
            seq: 0,
            next_heartbeat: total + 10_000_000_000,
            end: None,
            mean_gap_ns: kind.mean_gap_ms() as i128 * 1_000_000,
            deployment: "cf".into(),
            job: "diego_cell".into(),
            id: "5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18".into(),
            host: "5b0d2c4e-8f7a-4d3b-9e61-2a7c0f9d4b18".into(),
        }
    }

    /// Use this BOSH identity in agent heartbeats and as the syslog host name.
    pub fn with_identity(mut self, deployment: &str, instance_group: &str, id: &str) -> Healthy {
        self.deployment = deployment.into();
        self.job = instance_group.into();
        self.id = id.into();
        self.host = id.into();
        self
    }

    /// Stop before the first event after `end` (whichever comes first: `n` or `end`).
    pub fn until(mut self, end: SystemTime) -> Healthy {
        let (secs, nanos) = timefmt::unix(end);
        self.end = Some(secs as i128 * 1_000_000_000 + nanos as i128);
        self
    }

    /// Change the mean time between events (each kind has a busy default: rep and garden
    /// every 200 ms, the agent every 1.5 s, ...). Gaps are uniform in [mean/2, 3*mean/2).
    pub fn with_mean_gap(mut self, gap: std::time::Duration) -> Healthy {
        self.mean_gap_ns = (gap.as_nanos() as i128).max(2);
        self
    }

    fn now(&self) -> SystemTime {
        let secs = self.nanos.div_euclid(1_000_000_000) as i64;
        let sub = self.nanos.rem_euclid(1_000_000_000) as u64;
        timefmt::from_unix(secs) + std::time::Duration::from_nanos(sub)
    }

    fn advance(&mut self) {
        let mean = self.mean_gap_ns;
        // Uniform in [mean/2, 3*mean/2): irregular but never backwards.
        let jitter = self.rng.below(mean as u64) as i128;
        self.nanos += mean / 2 + jitter;
    }

    fn small_step(&mut self) {
        self.nanos += 50_000 + self.rng.below(900_000) as i128;
    }

    fn fill(&mut self) {
        self.advance();
        self.seq += 1;
        match self.kind {
            Kind::Rep => self.rep(),
            Kind::Garden => self.garden(),
            Kind::RouteEmitter => self.route_emitter(),
            Kind::Metron => self.metron(),
            Kind::Agent => self.agent(),
            Kind::GorouterAccess => self.gorouter(),
            Kind::Syslog => self.syslog(),
            Kind::Kern => self.kern(),
            Kind::Monit => self.monit(),
        }
    }

    fn session(&mut self) -> String {
        format!("{}.{}.1.1", 2 + self.rng.below(12), self.seq)
    }

    fn rep(&mut self) {
        let session = self.session();
        let data = format!(r#"{{"session":"{session}"}}"#);
        match self.rng.below(5) {
            0 | 1 => {
                // real: "...containerstore-metrics.starting"; ".complete" is illustrative.
                let base =
                    "rep.container-metrics-reporter.tick.get-all-metrics.containerstore-metrics";
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "rep",
                    &format!("{base}.starting"),
                    LagerLevel::Info,
                    &data,
                ));
                self.small_step();
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "rep",
                    &format!("{base}.complete"),
                    LagerLevel::Info,
                    &data,
                ));
            }
            2 => {
                // real: rep.auction-fetch-state.success (lattice); ".handling" illustrative.
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "rep",
                    "rep.auction-fetch-state.handling",
                    LagerLevel::Info,
                    &data,
                ));
                self.small_step();
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "rep",
                    "rep.auction-fetch-state.success",
                    LagerLevel::Info,
                    &data,
                ));
            }
            3 => {
                // real: rep.executing-container-operation.starting and
                // ...succeeded-fetch-container; ".finished" illustrative.
                let guid = self.rng.uuid();
                let d = format!(r#"{{"container-guid":"{guid}","session":"{session}"}}"#);
                for msg in ["starting", "succeeded-fetch-container", "finished"] {
                    let t = self.now();
                    self.pending.push_back(lager(
                        t,
                        "rep",
                        &format!("rep.executing-container-operation.{msg}"),
                        LagerLevel::Info,
                        &d,
                    ));
                    self.small_step();
                }
            }
            _ => {
                // illustrative
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "rep",
                    "rep.running-bulker.sync.starting",
                    LagerLevel::Info,
                    &data,
                ));
                self.small_step();
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "rep",
                    "rep.running-bulker.sync.complete",
                    LagerLevel::Info,
                    &data,
                ));
            }
        }
    }

    fn garden(&mut self) {
        let session = self.session();
        match self.rng.below(4) {
            0 => {
                // real: guardian.create.start and guardian.create.network.started
                // (concourse issue #293); the last two are illustrative.
                let handle = self.rng.uuid();
                let d = format!(r#"{{"handle":"{handle}","session":"{session}"}}"#);
                let steps = [
                    ("guardian.create.start", d.clone()),
                    (
                        "guardian.create.network.started",
                        format!(r#"{{"handle":"{handle}","session":"{session}.1","spec":""}}"#),
                    ),
                    ("guardian.create.containerizer-create.finished", d.clone()),
                    ("guardian.create.finished", d),
                ];
                for (msg, data) in steps {
                    let t = self.now();
                    self.pending
                        .push_back(lager(t, "guardian", msg, LagerLevel::Info, &data));
                    self.small_step();
                }
            }
            1 | 2 => {
                // illustrative (garden-linux's real name was garden-server.bulk_info.got-bulkinfo)
                let handles = format!(r#"["{}","{}"]"#, self.rng.uuid(), self.rng.uuid());
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "guardian",
                    "guardian.api.garden-server.bulk_info.got-bulkinfo",
                    LagerLevel::Info,
                    &format!(r#"{{"handles":{handles},"session":"{session}"}}"#),
                ));
            }
            _ => {
                // illustrative
                let t = self.now();
                self.pending.push_back(lager(
                    t,
                    "guardian",
                    "guardian.metrics-notifier.emit.started",
                    LagerLevel::Debug,
                    &format!(r#"{{"session":"{session}"}}"#),
                ));
            }
        }
    }

    fn route_emitter(&mut self) {
        let session = self.session();
        if self.rng.below(3) == 0 {
            // illustrative
            let t = self.now();
            let d = format!(r#"{{"session":"{session}"}}"#);
            self.pending.push_back(lager(
                t,
                "route-emitter",
                "route-emitter.watcher.sync.starting",
                LagerLevel::Info,
                &d,
            ));
            self.small_step();
            let t = self.now();
            self.pending.push_back(lager(
                t,
                "route-emitter",
                "route-emitter.watcher.sync.complete",
                LagerLevel::Info,
                &d,
            ));
        } else {
            // real shape: route-emitter.nats-emitter.emit at debug level
            let app = self.rng.uuid();
            let instance = self.rng.uuid();
            let port = 61000 + self.rng.below(1000);
            let d = format!(
                r#"{{"message":{{"host":"10.0.16.13","port":{port},"uris":["app-{n}.apps.example.com"],"app":"{app}","private_instance_id":"{instance}"}},"session":"{session}","subject":"router.register"}}"#,
                n = self.rng.below(50)
            );
            let t = self.now();
            self.pending.push_back(lager(
                t,
                "route-emitter",
                "route-emitter.nats-emitter.emit",
                LagerLevel::Debug,
                &d,
            ));
        }
    }

    fn metron(&mut self) {
        // illustrative
        let t = self.now();
        let n = 800 + self.rng.below(4000);
        self.pending.push_back(go_log(
            t,
            &format!("Forwarded {n} envelopes to doppler, dropped 0"),
        ));
    }

    fn agent(&mut self) {
        let t = self.now();
        // The agent sends a heartbeat every 30 s.
        if self.nanos >= self.next_heartbeat {
            self.next_heartbeat = self.nanos + 30_000_000_000;
            let (d, j, id) = (self.deployment.clone(), self.job.clone(), self.id.clone());
            self.pending
                .extend(agent_heartbeat(t, &d, &j, 0, &id, "running"));
        } else {
            let rid = self.rng.uuid();
            self.pending.extend(agent_monit_poll(t, &rid));
        }
    }

    fn gorouter(&mut self) {
        let t = self.now();
        let trace = self.rng.hex(16);
        let status = [200, 200, 200, 200, 200, 204, 302, 304][self.rng.below(8) as usize];
        let a = Access {
            host: format!("app-{}.apps.example.com", self.rng.below(50)),
            method: ["GET", "GET", "GET", "POST"][self.rng.below(4) as usize].into(),
            path: ["/", "/health", "/api/v1/items", "/static/app.js"][self.rng.below(4) as usize]
                .into(),
            status,
            bytes_received: 0,
            bytes_sent: 100 + self.rng.below(20_000),
            user_agent: "curl/7.88.1".into(),
            remote_addr: format!(
                "10.0.1.{}:{}",
                2 + self.rng.below(250),
                30000 + self.rng.below(30000)
            ),
            backend_addr: format!(
                "10.0.16.{}:{}",
                10 + self.rng.below(20),
                61000 + self.rng.below(1000)
            ),
            x_forwarded_for: format!("203.0.113.{}", self.rng.below(255)),
            request_id: self.rng.uuid(),
            response_time: (1 + self.rng.below(120_000)) as f64 / 1e6,
            gorouter_time: (50 + self.rng.below(300)) as f64 / 1e6,
            app_id: self.rng.uuid(),
            app_index: self.rng.below(4) as u32,
            instance_id: self.rng.uuid()[..28].to_string(),
            router_error: "-".into(),
            trace_id: trace.clone(),
            span_id: trace,
        };
        self.pending.push_back(gorouter_access(t, &a));
    }

    fn syslog(&mut self) {
        let t = self.now();
        let host = self.host.clone();
        let pid = 1000 + self.rng.below(30_000) as u32;
        let line = match self.rng.below(4) {
            0 => syslog(t, &host, "CRON", Some(pid), "(root) CMD (/usr/sbin/logrotate /etc/logrotate.conf)"),
            1 => syslog(t, &host, "systemd", Some(1), "Started Session 12 of User vcap."),
            2 => syslog(
                t,
                &host,
                "vcap.agent",
                Some(pid),
                &format!(
                    "{} CEF:0|CloudFoundry|BOSH|1|agent_api|get_task|1|duser=director.{} src=10.0.0.6 spt=4222 shost={}",
                    Utc::from_system(t).go_log(),
                    self.rng.uuid(),
                    host
                ),
            ),
            _ => syslog(t, &host, "rsyslogd", None, "action 'action-8-builtin:omfwd' resumed (module 'builtin:omfwd')"),
        };
        self.pending.push_back(line);
    }

    fn kern(&mut self) {
        let t = self.now();
        let host = self.host.clone();
        let uptime = 75_000.0 + (self.seq as f64) * 20.0 + self.rng.below(1_000_000) as f64 / 1e6;
        let ifname = format!("w{}-0", self.rng.hex(10));
        let msg = match self.rng.below(3) {
            0 => format!("IPv6: ADDRCONF(NETDEV_CHANGE): {ifname}: link becomes ready"),
            1 => format!("wbrdg-0afe0000: port 2({ifname}) entered forwarding state"),
            _ => format!("device {ifname} entered promiscuous mode"),
        };
        self.pending.push_back(kern(t, &host, uptime, &msg));
    }

    fn monit(&mut self) {
        let t = self.now();
        self.pending
            .push_back(monit(t, "info", "Awakened by User defined signal 1"));
    }
}

impl Iterator for Healthy {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.left == 0 {
            return None;
        }
        if self.pending.is_empty() {
            self.fill();
            if self.end.is_some_and(|end| self.nanos > end) {
                self.pending.clear();
                self.left = 0;
                return None;
            }
        }
        self.left -= 1;
        self.pending.pop_front()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.end {
            None => (self.left, Some(self.left)),
            Some(_) => (0, Some(self.left)),
        }
    }
}

/// splitmix64: small, fast, deterministic.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(len);
        s
    }

    /// A version-4-looking UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn lager_matches_real_shape() {
        // Real line (diego-release docs):
        // {"timestamp":"1522171784.100530624","source":"rep","message":"rep.started","log_level":1,"data":{"cell-id":"7f84c2ea-ce4a-43cc-920d-db8d8d66f58e"}}
        let line = lager(
            at(1_522_171_784, 100_530_624),
            "rep",
            "rep.started",
            LagerLevel::Info,
            r#"{"cell-id":"7f84c2ea-ce4a-43cc-920d-db8d8d66f58e"}"#,
        );
        assert_eq!(
            line,
            r#"{"timestamp":"1522171784.100530624","source":"rep","message":"rep.started","log_level":1,"data":{"cell-id":"7f84c2ea-ce4a-43cc-920d-db8d8d66f58e"}}"#
        );
        let line = lager_rfc3339(
            at(1_522_108_623, 585_894_300),
            "rep",
            "rep.started",
            LagerLevel::Info,
            "{}",
        );
        assert_eq!(
            line,
            r#"{"timestamp":"2018-03-26T23:57:03.5858943Z","level":"info","source":"rep","message":"rep.started","data":{}}"#
        );
    }

    #[test]
    fn agent_matches_seed_004() {
        let line = agent(
            at(1_541_522_316, 169_860_000),
            "monitJobSupervisor",
            "DEBUG",
            "Getting monit status",
        );
        assert_eq!(
            line,
            "2018-11-06_16:38:36.16986 [monitJobSupervisor] 2018/11/06 16:38:36 DEBUG - Getting monit status"
        );
    }

    #[test]
    fn monit_syslog_kern_formats() {
        let t = at(1_541_529_930, 0);
        assert_eq!(
            monit(t, "error", "'rep' process is not running"),
            "[UTC Nov  6 18:45:30] error    : 'rep' process is not running"
        );
        assert_eq!(
            syslog(t, "h", "CRON", Some(7), "x"),
            "Nov  6 18:45:30 h CRON[7]: x"
        );
        assert_eq!(
            kern(t, "h", 12.5, "x"),
            "Nov  6 18:45:30 h kernel: [   12.500000] x"
        );
    }

    #[test]
    fn healthy_is_deterministic_ordered_and_sized() {
        let start = at(1_700_000_000, 0);
        for kind in Kind::ALL {
            let a: Vec<String> = healthy_lines(kind, 57, start).collect();
            let b: Vec<String> = healthy_lines(kind, 57, start).collect();
            assert_eq!(a.len(), 57, "{kind:?}");
            assert_eq!(a, b, "{kind:?}");
            assert!(a.iter().all(|l| !l.contains('\n')), "{kind:?}");
        }
        let stamps: Vec<f64> = healthy_lines(Kind::Rep, 500, start)
            .map(|l| l[14..34].trim_end_matches('"').parse::<f64>().unwrap())
            .collect();
        assert!(stamps.windows(2).all(|w| w[0] <= w[1]));
        assert!(stamps[0] >= 1_700_000_000.0);
    }

    #[test]
    fn until_and_gap_bound_the_time_span() {
        let start = at(1_700_000_000, 0);
        let end = start + Duration::from_secs(3600);
        let lines: Vec<String> = healthy_lines(Kind::Agent, usize::MAX, start)
            .with_mean_gap(Duration::from_secs(15))
            .until(end)
            .collect();
        // About 240 events of 5-6 lines each.
        assert!(lines.len() > 900 && lines.len() < 2000, "{}", lines.len());
        let last = lines.last().unwrap();
        assert!(last.starts_with("2023-11-14_"), "{last}");
        assert!(lines
            .iter()
            .any(|l| l.contains("Sending hm message 'heartbeat'")));
    }

    #[test]
    fn json_str_escapes() {
        assert_eq!(json_str("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
    }
}

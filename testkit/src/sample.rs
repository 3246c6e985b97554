//! A ready-made, realistic Diego cell ([`sample_cell`]) and the secrets planted in it.
//!
//! What it holds (paths from `/`; the VM uses [`Layout::Stemcell`], so `var/vcap/sys` is a
//! relative link to `var/vcap/data/sys` and each job directory is a link into
//! `var/vcap/data/jobs/<job>/<sha1>`, as on a real stemcell):
//!
//! - identity `cf` / `diego_cell` / [`CELL_ID`] / `z1` in `var/vcap/instance/`, and
//!   `var/vcap/bosh/etc/{infrastructure,operating_system,stemcell_version,stemcell_git_sha1}`;
//! - `var/vcap/bosh/settings.json` ([`AgentSettings`] defaults: NATS password in the mbus
//!   URL, s3 `access_key_id`/`secret_access_key`, dav password, `$6$` vcap hash, mbus TLS key);
//! - `var/vcap/bosh/log/current`: the agent's boot sequence from seed 004 (with the
//!   `registry-user:<password>@10.4.1.4:25777` lines), then monit polls and heartbeats;
//!   and an older svlogd-rotated `var/vcap/bosh/log/@<tai64n>.s`;
//! - jobs `rep` and `route_emitter` (bpm), `garden` and `metron_agent` (`bin/ctl`), each
//!   with `monit`, config files, certificates and logs; `var/vcap/monit/monit.log` (monit
//!   5.2.5 format) and `var/vcap/monit/job/*.monitrc`;
//! - certificates: `rep/config/certs/{ca,rep_server,bbs_client}.crt` (CA, a leaf valid to
//!   2049, and a leaf EXPIRED in 2019), `route_emitter/config/certs/{ca,route_emitter}.crt`
//!   (leaf expiring 2031-03-01), `metron_agent/config/certs/metron.crt` (self-signed, to
//!   2054); their private keys as `.key` files or inline in YAML are planted secrets;
//! - rotated logs: `rep/rep.stdout.log.1.gz` (1 day old) and `rep/rep.stdout.log.2.gz`
//!   (10 days old, outside a 7-day `--since`);
//! - hostile entries: [`EVIL_SYMLINK`] (`-> /etc`), [`ESCAPING_SYMLINK`] (a relative link
//!   that climbs out of the root to `/etc/hostname`) and the FIFO [`FIFO`];
//! - `var/log/syslog` (one `sudo` line leaks a password in a URL) and `var/log/kern.log`.
//!
//! Values marked "illustrative" in comments are invented in a realistic shape; the rest
//! follows real files (sources named where they are written).

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::certs;
use crate::lines::{self, healthy_lines, json_str, Healthy, Kind, LagerLevel};
use crate::secrets::PlantedSecrets;
use crate::settings::AgentSettings;
use crate::timefmt;
use crate::vm::{FakeVm, Identity, Layout};

/// The sample cell's instance id.
pub const CELL_ID: &str = "d2f8b7a4-3c1e-4e8b-9a57-0c6e4f1b2a93";
/// The release jobs on the sample cell.
pub const JOBS: [&str; 4] = ["rep", "garden", "route_emitter", "metron_agent"];
/// A symlink pointing out of the root, absolute: `-> /etc`.
pub const EVIL_SYMLINK: &str = "var/vcap/sys/log/evil";
/// A symlink climbing out of the root with `../`, to `/etc/hostname`.
pub const ESCAPING_SYMLINK: &str = "var/vcap/sys/log/rep/escape.log";
/// A named pipe among the logs.
pub const FIFO: &str = "var/vcap/sys/log/garden/garden.fifo";
/// A rotated log one day old (inside a 7-day `--since`).
pub const RECENT_GZ: &str = "var/vcap/sys/log/rep/rep.stdout.log.1.gz";
/// A rotated log ten days old (outside a 7-day `--since`).
pub const OLD_GZ: &str = "var/vcap/sys/log/rep/rep.stdout.log.2.gz";

const DAY: Duration = Duration::from_secs(86_400);

/// The sample Diego cell in `dir` (created if needed, kept after drop), with logs ending
/// now. Returns the VM and every secret planted in it.
pub fn sample_cell(dir: impl AsRef<Path>) -> (FakeVm, PlantedSecrets) {
    sample_cell_at(Some(dir.as_ref()), SystemTime::now())
}

/// The sample Diego cell in a new temporary directory (removed on drop).
pub fn sample_cell_temp() -> (FakeVm, PlantedSecrets) {
    sample_cell_at(None, SystemTime::now())
}

/// The sample Diego cell as of `now`: log lines and file times are relative to it, so a
/// fixed `now` gives identical content (for generated samples). `dir` `None` means a
/// temporary directory.
pub fn sample_cell_at(dir: Option<&Path>, now: SystemTime) -> (FakeVm, PlantedSecrets) {
    let identity = Identity {
        deployment: "cf".into(),
        instance_group: "diego_cell".into(),
        id: CELL_ID.into(),
        az: "z1".into(),
    };
    let mut vm = FakeVm::create(dir, identity, Layout::Stemcell);
    let mut planted = PlantedSecrets::new();

    let settings = vm.default_settings();
    vm.settings_json(&settings);
    for (label, value) in settings.secrets() {
        planted.add(label, value, "var/vcap/bosh/settings.json");
    }

    agent_logs(&mut vm, &settings, now, &mut planted);
    rep(&mut vm, now, &mut planted);
    garden(&mut vm, now, &mut planted);
    route_emitter(&mut vm, now, &mut planted);
    metron_agent(&mut vm, now, &mut planted);
    monit(&mut vm, now);
    system_logs(&mut vm, now, &mut planted);

    vm.symlink(EVIL_SYMLINK, "/etc");
    vm.symlink(
        ESCAPING_SYMLINK,
        &format!("{}etc/hostname", "../".repeat(24)),
    );
    vm.fifo(FIFO);

    for rel in [
        "var/vcap/bosh/log/current",
        "var/vcap/monit/monit.log",
        "var/log/syslog",
        "var/log/kern.log",
        "var/vcap/sys/log/rep/rep.stdout.log",
        "var/vcap/sys/log/rep/rep.stderr.log",
        "var/vcap/sys/log/garden/garden.stdout.log",
        "var/vcap/sys/log/garden/garden.stderr.log",
        "var/vcap/sys/log/route_emitter/route_emitter.stdout.log",
        "var/vcap/sys/log/route_emitter/route_emitter.stderr.log",
        "var/vcap/sys/log/metron_agent/metron_agent.stdout.log",
        "var/vcap/sys/log/metron_agent/metron_agent.stderr.log",
    ] {
        vm.set_mtime(rel, now - Duration::from_secs(20));
    }
    (vm, planted)
}

/// seed 004's boot sequence, as (milliseconds after boot, component, level, message).
/// `{cid}` and `{ip}` are filled in; the registry credentials are the seed's own.
const AGENT_BOOT: &[(u64, &str, &str, &str)] = &[
    (0, "main", "DEBUG", "Starting agent"),
    (3, "unlimitedRetryStrategy", "DEBUG", "Making attempt #0"),
    (3, "DelayedAuditLogger", "DEBUG", "Starting logging to syslog..."),
    (5, "httpClient", "DEBUG", "Sending GET request to endpoint 'http://169.254.169.254/latest/meta-data/public-keys/0/openssh-key'"),
    (5, "attemptRetryStrategy", "DEBUG", "Making attempt #0 for *httpclient.RequestRetryable"),
    (13, "settingsService", "DEBUG", "Loading settings from fetcher"),
    (14, "httpClient", "DEBUG", "Sending GET request to endpoint 'http://169.254.169.254/latest/user-data'"),
    (15, "registryProvider", "DEBUG", "Using http registry at http://registry-user:deBaTjI9cS5y9ar612OfY4atOwfGK9aqkvJ361NIRByxDyMxSdwgSPcY6TvoG7SS@10.4.1.4:25777"),
    (16, "httpClient", "DEBUG", "Sending GET request to endpoint 'http://169.254.169.254/latest/meta-data/instance-id'"),
    (18, "httpClient", "DEBUG", "Sending GET request to endpoint 'http://registry-user:deBaTjI9cS5y9ar612OfY4atOwfGK9aqkvJ361NIRByxDyMxSdwgSPcY6TvoG7SS@10.4.1.4:25777/instances/{cid}/settings'"),
    (18, "attemptRetryStrategy", "DEBUG", "Making attempt #0 for *httpclient.RequestRetryable"),
    (22, "settingsService", "DEBUG", "Successfully received settings from fetcher"),
    (51, "interfaceConfigurationCreator", "DEBUG", "Creating network configuration with settings: type: 'manual', ip: '{ip}', netmask: '255.255.240.0', gateway: '10.0.16.1', mac: '02:12:47:61:64:aa', resolved: 'false', preconfigured: 'false', use_dhcp: 'true'"),
    (51, "interfaceConfigurationCreator", "DEBUG", "Using dhcp networking"),
    (53, "arping", "DEBUG", "Broadcasting MAC addresses"),
    (7854, "virtioDevicePathResolver", "DEBUG", "Failed to get device real path by disk ID: ''. Error: 'Disk ID is not set', timeout: 'false'"),
    (7854, "virtioDevicePathResolver", "DEBUG", "Using mapped resolver to get device real path"),
    (7855, "linuxPlatform", "DEBUG", "Getting device size of `/dev/xvdb'"),
    (7856, "linuxPlatform", "DEBUG", "Calculating partition sizes of `/dev/xvdb', with available size 107374182400B"),
    (7862, "linuxPlatform", "DEBUG", "Found root partition: `/dev/xvda1'"),
    (7863, "linuxPlatform", "DEBUG", "Symlink is: `/dev/xvda1'"),
];

/// The registry password in seed 004's agent log.
pub const REGISTRY_PASSWORD: &str =
    "deBaTjI9cS5y9ar612OfY4atOwfGK9aqkvJ361NIRByxDyMxSdwgSPcY6TvoG7SS";

fn agent_logs(
    vm: &mut FakeVm,
    settings: &AgentSettings,
    now: SystemTime,
    planted: &mut PlantedSecrets,
) {
    let id = vm.identity().clone();
    let boot = now - Duration::from_secs(2 * 3600);
    let mut out = Vec::new();
    for (ms, component, level, msg) in AGENT_BOOT {
        let msg = msg
            .replace("{cid}", &settings.vm_cid)
            .replace("{ip}", &settings.ip);
        out.push(lines::agent(
            boot + Duration::from_millis(*ms),
            component,
            level,
            &msg,
        ));
    }
    let healthy = healthy_lines(Kind::Agent, usize::MAX, boot + Duration::from_secs(30))
        .with_identity(&id.deployment, &id.instance_group, &id.id)
        .with_mean_gap(Duration::from_secs(15))
        .until(now - Duration::from_secs(20));
    out.extend(healthy);
    vm.agent_log(&out);
    planted.add(
        "agent log registry password (seed 004)",
        REGISTRY_PASSWORD,
        "var/vcap/bosh/log/current",
    );

    // svlogd renames a full `current` to `@<tai64n>.s`.
    let older = now - DAY;
    let old_lines: Vec<String> = healthy_lines(Kind::Agent, 300, older - Duration::from_secs(600))
        .with_identity(&id.deployment, &id.instance_group, &id.id)
        .collect();
    let rel = format!("var/vcap/bosh/log/{}", tai64n_label(older));
    vm.append_lines(&rel, &old_lines);
    vm.set_mtime(&rel, older);
}

/// svlogd's name for a rotated file: `@` + TAI64N label + `.s`.
fn tai64n_label(t: SystemTime) -> String {
    let (secs, nanos) = timefmt::unix(t);
    // TAI is UTC + 10 s (+ leap seconds since 1972: 27 as of 2017).
    format!("@{:016x}{:08x}.s", (1u64 << 62) + (secs as u64) + 37, nanos)
}

fn rep(vm: &mut FakeVm, now: SystemTime, planted: &mut PlantedSecrets) {
    // illustrative key name; real rep.json has bbs/locket/TLS/cell settings like these.
    const CACHE_PASSWORD: &str = "Wyp0xhkZLulmUXczyPTt4tGYAYw5rL";
    const LOCKET_SECRET: &str = "58IDMeJtb6cszBvWjXsUUyMtdcRar3";
    let rep_json = format!(
        concat!(
            "{{\"bbs_address\":\"https://bbs.service.cf.internal:8889\",",
            "\"bbs_ca_cert_file\":\"/var/vcap/jobs/rep/config/certs/ca.crt\",",
            "\"bbs_client_cert_file\":\"/var/vcap/jobs/rep/config/certs/bbs_client.crt\",",
            "\"bbs_client_key_file\":\"/var/vcap/jobs/rep/config/certs/bbs_client.key\",",
            "\"cell_id\":\"{id}\",\"zone\":\"z1\",\"listen_addr_securable\":\"0.0.0.0:1801\",",
            "\"ca_cert_file\":\"/var/vcap/jobs/rep/config/certs/ca.crt\",",
            "\"server_cert_file\":\"/var/vcap/jobs/rep/config/certs/rep_server.crt\",",
            "\"server_key_file\":\"/var/vcap/jobs/rep/config/certs/rep_server.key\",",
            "\"locket_address\":\"locket.service.cf.internal:8891\",",
            "\"cached_dependency_uri\":\"https://cache-user:{pw}@blobstore.service.cf.internal:4443/cached-dependencies\",",
            "\"garden_network\":\"tcp\",\"garden_addr\":\"127.0.0.1:7777\",",
            "\"evacuation_timeout\":\"10m0s\",\"lager_config\":{{\"log_level\":\"info\",\"time_format\":\"unix-epoch\"}}}}\n"
        ),
        id = CELL_ID,
        pw = CACHE_PASSWORD
    );
    let bpm = format!(
        "---\nprocesses:\n- name: rep\n  executable: /var/vcap/packages/rep/bin/rep\n  args:\n  - -config\n  - /var/vcap/jobs/rep/config/rep.json\n  env:\n    GODEBUG: x509ignoreCN=0\n    REP_LOCKET_CLIENT_SECRET: \"{LOCKET_SECRET}\"\n  limits:\n    open_files: 100000\n  unsafe:\n    privileged: true\n  additional_volumes:\n  - path: /var/vcap/data/rep\n    writable: true\n"
    );
    let start = now - Duration::from_secs(90 * 60);
    let mut current = vec![
        lines::lager(start, "rep", "rep.starting", LagerLevel::Info, "{}"),
        lines::lager(
            start + Duration::from_millis(420),
            "rep",
            "rep.started",
            LagerLevel::Info,
            &format!("{{\"cell-id\":{}}}", json_str(CELL_ID)),
        ),
    ];
    current.extend(busy(Kind::Rep, start + Duration::from_secs(1), now, 10));
    let recent: Vec<String> =
        healthy_lines(Kind::Rep, 300, now - DAY - Duration::from_secs(600)).collect();
    let old: Vec<String> =
        healthy_lines(Kind::Rep, 300, now - 10 * DAY - Duration::from_secs(600)).collect();

    vm.package("rep");
    vm.job("rep")
        .bpm(&bpm)
        .config("rep.json", rep_json)
        .cert("ca", certs::CA_CERT_PEM)
        .cert("rep_server", certs::REP_SERVER_CERT_PEM)
        .key("rep_server", certs::REP_SERVER_KEY_PEM)
        .cert("bbs_client", certs::BBS_CLIENT_CERT_PEM)
        .key("bbs_client", certs::BBS_CLIENT_KEY_PEM)
        .log("rep.stdout.log", &current)
        .log::<&str>("rep.stderr.log", &[])
        .pidfile(4242);
    vm.gz_file(RECENT_GZ, join(&recent).as_bytes());
    vm.set_mtime(RECENT_GZ, now - DAY);
    vm.gz_file(OLD_GZ, join(&old).as_bytes());
    vm.set_mtime(OLD_GZ, now - 10 * DAY);

    planted.add(
        "rep.json password in URL",
        CACHE_PASSWORD,
        "var/vcap/jobs/rep/config/rep.json",
    );
    planted.add(
        "rep bpm.yml env secret",
        LOCKET_SECRET,
        "var/vcap/jobs/rep/config/bpm.yml",
    );
    planted.add(
        "rep server private key (PKCS#8)",
        certs::REP_SERVER_KEY_PEM,
        "var/vcap/jobs/rep/config/certs/rep_server.key",
    );
    planted.add(
        "rep bbs client private key (EC)",
        certs::BBS_CLIENT_KEY_PEM,
        "var/vcap/jobs/rep/config/certs/bbs_client.key",
    );
}

fn garden(vm: &mut FakeVm, now: SystemTime, planted: &mut PlantedSecrets) {
    // illustrative: a proxy URL with credentials and a token in a sourced env file.
    const PROXY_PASSWORD: &str = "PR9Cf3rsHg1cMELHTQSbVmrO62GiM1";
    const DEBUG_TOKEN: &str = "23DOnZTxZxWcR05pbd1H8UPIf4JhSr";
    let envs = format!(
        "export PATH=/var/vcap/packages/guardian/bin:$PATH\nexport HTTP_PROXY=http://proxy-user:{PROXY_PASSWORD}@10.0.0.50:3128\nexport NO_PROXY=127.0.0.1,.cf.internal\nexport GARDEN_DEBUG_TOKEN={DEBUG_TOKEN}\n"
    );
    let ini = "[server]\n  bind-ip = 127.0.0.1\n  bind-port = 7777\n  depot = /var/vcap/data/garden/depot\n  log-level = info\n  default-container-grace-time = 0\n  max-containers = 250\n  network-pool = 10.254.0.0/22\n  runtime-plugin = /var/vcap/packages/runc/bin/runc\n  debug-bind-ip = 127.0.0.1\n  debug-bind-port = 17019\n";
    let start = now - Duration::from_secs(95 * 60);
    let mut current = vec![lines::lager(
        start,
        "guardian",
        "guardian.started",
        LagerLevel::Info,
        r#"{"addr":"127.0.0.1:7777","network":"tcp"}"#,
    )];
    current.extend(busy(Kind::Garden, start + Duration::from_secs(2), now, 10));

    vm.package("guardian");
    vm.job("garden")
        .config("config.ini", ini)
        .config("envs", envs)
        .log("garden.stdout.log", &current)
        .log::<&str>("garden.stderr.log", &[])
        .pidfile(4100);
    planted.add(
        "garden envs proxy password in URL",
        PROXY_PASSWORD,
        "var/vcap/jobs/garden/config/envs",
    );
    planted.add(
        "garden envs token",
        DEBUG_TOKEN,
        "var/vcap/jobs/garden/config/envs",
    );
}

fn route_emitter(vm: &mut FakeVm, now: SystemTime, planted: &mut PlantedSecrets) {
    const NATS_PASSWORD: &str = "kn3Ls6z0LVszSUtBjEKoUQ6FQfESky";
    const PROPS_PASSWORD: &str = "HRYotzkWeWx0TPc1dlFSuje4r33RQ7";
    const PROPS_CLIENT_SECRET: &str = "tqptd2dSV7DmPtvXdXQCVeo3hO0X7q";
    const BPM_SECRET: &str = "zmcLBVwtwyEWYtM0tdBbar2tWtCDQg";
    const JWT: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIiwidHlwIjoiSldUIn0.eyJqdGkiOiI1ZjBjMWIyYTllM2Q0YzdiOGE2ZiIsInN1YiI6InJvdXRlX2VtaXR0ZXIiLCJzY29wZSI6WyJyb3V0aW5nLnJvdXRlcy53cml0ZSJdLCJjbGllbnRfaWQiOiJyb3V0ZV9lbWl0dGVyIiwiY2lkIjoicm91dGVfZW1pdHRlciIsImdyYW50X3R5cGUiOiJjbGllbnRfY3JlZGVudGlhbHMiLCJpc3MiOiJodHRwczovL3VhYS5zZXJ2aWNlLmNmLmludGVybmFsOjg0NDMvb2F1dGgvdG9rZW4iLCJleHAiOjE4OTM0NTYwMDB9.3hPCileZNLlsx1QrM22gI1RLJ31zlkyfRVOVkwh-NwFMOwfzuhAGruiAVruD2BXPhtXeB8eGlVYtAkLLIekC4A";
    // Key names as in diego-release's route_emitter.json; values ours.
    let json = format!(
        concat!(
            "{{\"bbs_address\":\"https://bbs.service.cf.internal:8889\",",
            "\"bbs_ca_cert_file\":\"/var/vcap/jobs/route_emitter/config/certs/ca.crt\",",
            "\"bbs_client_cert_file\":\"/var/vcap/jobs/route_emitter/config/certs/route_emitter.crt\",",
            "\"bbs_client_key_file\":\"/var/vcap/jobs/route_emitter/config/certs/route_emitter.key\",",
            "\"cell_id\":\"{id}\",\"communication_timeout\":\"30s\",",
            "\"nats_addresses\":\"nats.service.cf.internal:4222\",\"nats_username\":\"nats\",",
            "\"nats_password\":\"{pw}\",\"sync_interval\":\"1m0s\",",
            "\"lager_config\":{{\"log_level\":\"info\",\"time_format\":\"unix-epoch\"}}}}\n"
        ),
        id = CELL_ID,
        pw = NATS_PASSWORD
    );
    // illustrative Java-style properties file
    let props = format!(
        "# route registrar credentials\nnats.host=nats.service.cf.internal\nnats.port=4222\nnats.user=nats\nnats.password={PROPS_PASSWORD}\nuaa.url=https://uaa.service.cf.internal:8443\nuaa.client_id=route_emitter\nuaa.client_secret = {PROPS_CLIENT_SECRET}\n"
    );
    let bpm = format!(
        "---\nprocesses:\n- name: route_emitter\n  executable: /var/vcap/packages/route_emitter/bin/route-emitter\n  args:\n  - -config=/var/vcap/jobs/route_emitter/config/route_emitter.json\n  env:\n    UAA_CLIENT_SECRET: {BPM_SECRET}\n"
    );
    let start = now - Duration::from_secs(90 * 60);
    let mut current = vec![
        lines::lager(
            start,
            "route-emitter",
            "route-emitter.started",
            LagerLevel::Info,
            "{}",
        ),
        // illustrative: a debug line that logs the bearer token it fetched.
        lines::lager(
            start + Duration::from_millis(250),
            "route-emitter",
            "route-emitter.uaa-client.fetch-token.received-token",
            LagerLevel::Debug,
            &format!("{{\"authorization\":\"bearer {JWT}\",\"session\":\"3\"}}"),
        ),
    ];
    current.extend(busy(
        Kind::RouteEmitter,
        start + Duration::from_secs(1),
        now,
        20,
    ));

    vm.package("route_emitter");
    vm.job("route_emitter")
        .bpm(&bpm)
        .config("route_emitter.json", json)
        .config("emitter.properties", props)
        .cert("ca", certs::CA_CERT_PEM)
        .cert("route_emitter", certs::ROUTE_EMITTER_CERT_PEM)
        .key("route_emitter", certs::ROUTE_EMITTER_KEY_PEM)
        .log("route_emitter.stdout.log", &current)
        .log::<&str>("route_emitter.stderr.log", &[])
        .pidfile(4300);
    let dir = "var/vcap/jobs/route_emitter/config";
    planted.add(
        "route_emitter.json nats_password",
        NATS_PASSWORD,
        format!("{dir}/route_emitter.json"),
    );
    planted.add(
        "emitter.properties nats.password",
        PROPS_PASSWORD,
        format!("{dir}/emitter.properties"),
    );
    planted.add(
        "emitter.properties uaa.client_secret",
        PROPS_CLIENT_SECRET,
        format!("{dir}/emitter.properties"),
    );
    planted.add(
        "route_emitter bpm.yml env secret",
        BPM_SECRET,
        format!("{dir}/bpm.yml"),
    );
    planted.add(
        "route_emitter private key (EC, PKCS#8)",
        certs::ROUTE_EMITTER_KEY_PEM,
        format!("{dir}/certs/route_emitter.key"),
    );
    planted.add(
        "bearer JWT in route_emitter log",
        JWT,
        "var/vcap/sys/log/route_emitter/route_emitter.stdout.log",
    );
}

fn metron_agent(vm: &mut FakeVm, now: SystemTime, planted: &mut PlantedSecrets) {
    const SYSLOG_PASSWORD: &str = "Q7XIqOJX0pYZ8jDsIzQMLEYA5BRzCb";
    // illustrative YAML config with a password and an inline PEM private key block.
    let indented_key: String = certs::METRON_KEY_PEM
        .lines()
        .map(|l| format!("      {l}\n"))
        .collect();
    let indented_cert: String = certs::METRON_CERT_PEM
        .lines()
        .map(|l| format!("      {l}\n"))
        .collect();
    let yml = format!(
        "---\nincoming_udp_port: 3457\ndeployment: cf\njob: diego_cell\nindex: \"{CELL_ID}\"\nzone: z1\nloggregator:\n  doppler_addr: doppler.service.cf.internal:8082\n  tls:\n    cert: |\n{indented_cert}    key: |\n{indented_key}syslog_drain:\n  url: syslog-tls://logs.example.com:6514\n  username: metron\n  password: {SYSLOG_PASSWORD}\n"
    );
    let start = now - Duration::from_secs(90 * 60);
    let mut current = vec![lines::go_log(start, "Starting Metron agent on :3457")];
    current.extend(busy(Kind::Metron, start + Duration::from_secs(1), now, 30));

    vm.package("metron_agent");
    vm.job("metron_agent")
        .config("metron_agent.yml", yml)
        .cert("metron", certs::METRON_CERT_PEM)
        .log("metron_agent.stdout.log", &current)
        .log::<&str>("metron_agent.stderr.log", &[])
        .pidfile(4400);
    let path = "var/vcap/jobs/metron_agent/config/metron_agent.yml";
    planted.add("metron_agent.yml password", SYSLOG_PASSWORD, path);
    planted.add(
        "metron_agent.yml inline private key (PKCS#1)",
        certs::METRON_KEY_PEM,
        path,
    );
}

fn monit(vm: &mut FakeVm, now: SystemTime) {
    let boot = now - Duration::from_secs(2 * 3600) + Duration::from_secs(9);
    let at = |s: u64| boot + Duration::from_secs(s);
    let mut out = vec![
        lines::monit(
            at(0),
            "info",
            "Starting monit daemon with http interface at [127.0.0.1:2822]",
        ),
        lines::monit(
            at(0),
            "info",
            "Starting monit HTTP server at [127.0.0.1:2822]",
        ),
        lines::monit(at(0), "info", "monit HTTP server started"),
        lines::monit(at(0), "info", "'system_localhost' Monit started"),
    ];
    for (i, job) in JOBS.iter().enumerate() {
        let program = if matches!(*job, "rep" | "route_emitter") {
            "/var/vcap/jobs/bpm/bin/bpm".to_string()
        } else {
            format!("/var/vcap/jobs/{job}/bin/ctl")
        };
        out.push(lines::monit(
            at(10 + i as u64),
            "info",
            &format!("'{job}' start: {program}"),
        ));
    }
    out.extend(busy(Kind::Monit, at(60), now, 600));
    vm.monit_log(&out);
    for (i, job) in JOBS.iter().enumerate() {
        let text =
            std::fs::read(vm.path(&format!("var/vcap/jobs/{job}/monit"))).expect("job monit file");
        vm.file(&format!("var/vcap/monit/job/{i:04}_{job}.monitrc"), text);
    }
}

fn system_logs(vm: &mut FakeVm, now: SystemTime, planted: &mut PlantedSecrets) {
    const CURL_PASSWORD: &str = "IktpL9tPVB3bAMMPsQX83McnyGQRSQ";
    let id = vm.identity().clone();
    let start = now - Duration::from_secs(2 * 3600);
    let mut sys: Vec<String> = busy(Kind::Syslog, start, now, 30)
        .with_identity(&id.deployment, &id.instance_group, &id.id)
        .collect();
    // An operator's `bosh ssh` session that put a password on the command line.
    let sudo = lines::syslog(
        now - Duration::from_secs(30 * 60),
        &id.id,
        "sudo",
        None,
        &format!(
            "  bosh_5f1d2e3c4b : TTY=pts/0 ; PWD=/var/vcap/bosh_ssh/bosh_5f1d2e3c4b ; USER=root ; COMMAND=/usr/bin/curl -s https://admin:{CURL_PASSWORD}@uaa.service.cf.internal:8443/oauth/token"
        ),
    );
    let at = sys.len() / 2;
    sys.insert(at, sudo);
    vm.syslog(&sys);
    planted.add(
        "syslog sudo command password in URL",
        CURL_PASSWORD,
        "var/log/syslog",
    );

    let kern: Vec<String> = busy(Kind::Kern, start, now, 60)
        .with_identity(&id.deployment, &id.instance_group, &id.id)
        .collect();
    vm.kern_log(&kern);
}

/// Healthy `kind` lines from `start` until shortly before `now`, one event every
/// `gap_secs` on average: a few hundred KB per log, so tests stay fast.
fn busy(kind: Kind, start: SystemTime, now: SystemTime, gap_secs: u64) -> Healthy {
    healthy_lines(kind, usize::MAX, start)
        .with_mean_gap(Duration::from_secs(gap_secs))
        .until(now - Duration::from_secs(20))
}

fn join(lines: &[String]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn tai64n_label_shape() {
        let l = tai64n_label(timefmt::from_unix(1_541_529_930));
        assert_eq!(l.len(), 1 + 24 + 2);
        assert!(l.starts_with("@40000000"));
        assert!(l.ends_with(".s"));
    }

    #[test]
    fn every_planted_secret_is_where_it_says() {
        let (vm, planted) = sample_cell_temp();
        assert!(planted.len() >= 20, "{planted}");
        for s in &planted {
            let bytes = fs::read(vm.path(&s.path)).unwrap_or_else(|e| panic!("{}: {e}", s.path));
            let found = s
                .needles()
                .iter()
                .all(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()));
            assert!(found, "{} not found in {}", s.label, s.path);
        }
        // Certificates are not secrets: no needle may match a .crt file.
        for job in ["rep", "route_emitter", "metron_agent"] {
            for entry in
                fs::read_dir(vm.path(&format!("var/vcap/jobs/{job}/config/certs"))).unwrap()
            {
                let p = entry.unwrap().path();
                if p.extension().is_some_and(|e| e == "crt") {
                    assert!(
                        planted.found_in(&fs::read(&p).unwrap()).is_empty(),
                        "{}",
                        p.display()
                    );
                }
            }
        }
    }

    #[test]
    fn hostile_entries_and_rotated_logs() {
        use std::os::unix::fs::FileTypeExt;
        let (vm, _) = sample_cell_temp();
        let evil = fs::symlink_metadata(vm.path(EVIL_SYMLINK)).unwrap();
        assert!(evil.file_type().is_symlink());
        let escape = fs::read_link(vm.path(ESCAPING_SYMLINK)).unwrap();
        assert!(escape.to_string_lossy().starts_with("../../"));
        assert!(fs::symlink_metadata(vm.path(FIFO))
            .unwrap()
            .file_type()
            .is_fifo());
        let age = |rel: &str| {
            SystemTime::now()
                .duration_since(fs::metadata(vm.path(rel)).unwrap().modified().unwrap())
                .unwrap()
        };
        assert!(age(RECENT_GZ) < 2 * DAY && age(RECENT_GZ) > DAY / 2);
        assert!(age(OLD_GZ) > 7 * DAY);
        assert!(age("var/vcap/sys/log/rep/rep.stdout.log") < Duration::from_secs(3600));
        for job in JOBS {
            assert!(
                vm.path(&format!("var/vcap/jobs/{job}/monit")).is_file(),
                "{job}"
            );
            assert!(
                vm.path(&format!("var/vcap/sys/log/{job}/{job}.stdout.log"))
                    .is_file(),
                "{job}"
            );
        }
        let agent = fs::read_to_string(vm.path("var/vcap/bosh/log/current")).unwrap();
        assert!(agent.contains("registry-user:deBaTjI9cS5y9ar612OfY4atOwfGK9aqkvJ361NIRByxDyMxSdwgSPcY6TvoG7SS@10.4.1.4:25777"));
        assert!(agent.contains(r#""node_id":"d2f8b7a4-3c1e-4e8b-9a57-0c6e4f1b2a93""#));
    }

    #[test]
    fn sample_cell_is_deterministic_for_a_fixed_now() {
        let now = timefmt::from_unix(1_750_000_000);
        let (a, pa) = sample_cell_at(None, now);
        let (b, pb) = sample_cell_at(None, now);
        assert_eq!(pa, pb);
        for rel in [
            "var/vcap/sys/log/rep/rep.stdout.log",
            "var/vcap/bosh/log/current",
            "var/vcap/bosh/settings.json",
        ] {
            assert_eq!(
                fs::read(a.path(rel)).unwrap(),
                fs::read(b.path(rel)).unwrap(),
                "{rel}"
            );
        }
    }
}

//! [`FakeVm`]: a builder that lays out a BOSH VM's root directory (`/var/vcap/...`,
//! `/var/log/...`) under a temporary or given directory, for `vcap-collect --root DIR`.
//!
//! The layout is the one seed 004 shows on a real VM: `/var/vcap/{jobs,packages,sys,data,
//! bosh,monit,instance}`. With [`Layout::Stemcell`] the links a stemcell really has are
//! made too (`/var/vcap/sys -> /var/vcap/data/sys`, `/var/vcap/jobs/<job> ->
//! /var/vcap/data/jobs/<job>/<sha1>`, the same for packages), as *relative* links so they
//! resolve inside the fake root however it is read.
//!
//! Every method panics with the path on an I/O error: this is test support, and a test
//! that cannot build its fixture has nothing else to do.

use std::ffi::CString;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use flate2::write::GzEncoder;
use flate2::Compression;
use tempfile::TempDir;

use crate::settings::AgentSettings;
use crate::timefmt;

/// How the VM's directories are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Plain directories everywhere.
    #[default]
    Flat,
    /// As on a stemcell: `var/vcap/sys`, `var/vcap/jobs/<job>` and
    /// `var/vcap/packages/<pkg>` are (relative) symlinks into `var/vcap/data`.
    Stemcell,
}

/// The BOSH identity of a VM, as in `/var/vcap/instance/{deployment,name,id,az}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub deployment: String,
    /// The instance group name (`/var/vcap/instance/name`).
    pub instance_group: String,
    pub id: String,
    pub az: String,
}

impl Identity {
    /// `instance_group/id`, as BOSH prints an instance.
    pub fn instance(&self) -> String {
        format!("{}/{}", self.instance_group, self.id)
    }
}

/// A fake BOSH VM root directory. Removed on drop when it lives in a temporary directory.
#[derive(Debug)]
pub struct FakeVm {
    root: PathBuf,
    temp: Option<TempDir>,
    identity: Identity,
    layout: Layout,
}

impl FakeVm {
    /// A flat fake VM in a new temporary directory.
    pub fn new(deployment: &str, instance_group: &str, id: &str, az: &str) -> FakeVm {
        FakeVm::create(
            None,
            identity(deployment, instance_group, id, az),
            Layout::Flat,
        )
    }

    /// A flat fake VM rooted at `root` (created if missing, kept after drop).
    pub fn new_in(
        root: impl AsRef<Path>,
        deployment: &str,
        instance_group: &str,
        id: &str,
        az: &str,
    ) -> FakeVm {
        FakeVm::create(
            Some(root.as_ref()),
            identity(deployment, instance_group, id, az),
            Layout::Flat,
        )
    }

    /// The general constructor: `root` `None` means a new temporary directory.
    pub fn create(root: Option<&Path>, identity: Identity, layout: Layout) -> FakeVm {
        let (root, temp) = match root {
            Some(dir) => {
                fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
                (dir.to_path_buf(), None)
            }
            None => {
                let t = tempfile::Builder::new()
                    .prefix("fake-vm-")
                    .tempdir()
                    .unwrap_or_else(|e| panic!("create temporary directory: {e}"));
                (t.path().to_path_buf(), Some(t))
            }
        };
        let mut vm = FakeVm {
            root,
            temp,
            identity,
            layout,
        };
        vm.skeleton();
        vm
    }

    fn skeleton(&mut self) {
        for dir in [
            "var/vcap/bosh/bin",
            "var/vcap/bosh/etc",
            "var/vcap/bosh/log",
            "var/vcap/data/jobs",
            "var/vcap/data/packages",
            "var/vcap/data/sys/log",
            "var/vcap/data/sys/run",
            "var/vcap/data/tmp",
            "var/vcap/jobs",
            "var/vcap/packages",
            "var/vcap/monit/job",
            "var/vcap/store",
            "var/log",
        ] {
            self.mkdir(dir);
        }
        match self.layout {
            Layout::Flat => {
                self.mkdir("var/vcap/sys/log");
                self.mkdir("var/vcap/sys/run");
            }
            Layout::Stemcell => {
                if !self.path("var/vcap/sys").exists() {
                    self.symlink("var/vcap/sys", "data/sys");
                }
            }
        }
        let id = self.identity.clone();
        self.file("var/vcap/instance/deployment", id.deployment.as_bytes());
        self.file("var/vcap/instance/name", id.instance_group.as_bytes());
        self.file("var/vcap/instance/id", id.id.as_bytes());
        self.file("var/vcap/instance/az", id.az.as_bytes());
        self.file("var/vcap/bosh/etc/infrastructure", b"aws");
        self.file("var/vcap/bosh/etc/operating_system", b"ubuntu");
        self.file("var/vcap/bosh/etc/stemcell_version", b"1.423");
        self.file(
            "var/vcap/bosh/etc/stemcell_git_sha1",
            b"4f1b9c6e2d7a8b3c5e0f1a2b3c4d5e6f7a8b9c0d",
        );
    }

    /// The root directory (what `vcap-collect --root` takes).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// This VM's BOSH identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The layout chosen at creation.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Absolute path of `rel` (a path from `/`, with or without the leading slash).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Keep the directory after drop (to look at a failing test's fixture); returns it.
    pub fn keep(mut self) -> PathBuf {
        if let Some(t) = self.temp.take() {
            let _ = t.keep();
        }
        self.root.clone()
    }

    fn mkdir(&self, rel: &str) {
        let p = self.path(rel);
        fs::create_dir_all(&p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
    }

    fn parent_dirs(&self, p: &Path) {
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
        }
    }

    /// Write `contents` to `rel` (replacing it), creating parent directories.
    pub fn file(&mut self, rel: &str, contents: impl AsRef<[u8]>) -> &mut Self {
        let p = self.path(rel);
        self.parent_dirs(&p);
        fs::write(&p, contents).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    /// Append `contents` to `rel`, creating it and its parents.
    pub fn append(&mut self, rel: &str, contents: impl AsRef<[u8]>) -> &mut Self {
        let p = self.path(rel);
        self.parent_dirs(&p);
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .unwrap_or_else(|e| panic!("open {}: {e}", p.display()));
        f.write_all(contents.as_ref())
            .unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    /// Append `lines` (newline-terminated) to `rel`.
    pub fn append_lines<S: AsRef<str>>(&mut self, rel: &str, lines: &[S]) -> &mut Self {
        let text = join_lines(lines);
        self.append(rel, text)
    }

    /// Append `lines` to `var/vcap/sys/log/<rel>` (e.g. `rep/rep.stdout.log`).
    pub fn log<S: AsRef<str>>(&mut self, rel: &str, lines: &[S]) -> &mut Self {
        self.append_lines(&format!("var/vcap/sys/log/{rel}"), lines)
    }

    /// Write `lines` gzip-compressed to `var/vcap/sys/log/<rel>` (name it like logrotate
    /// on a stemcell, which rotates without `dateext`: `rep/rep.stdout.log.1.gz`) and set
    /// its mtime to `age` ago.
    pub fn rotated_gz_log<S: AsRef<str>>(
        &mut self,
        rel: &str,
        lines: &[S],
        age: Duration,
    ) -> &mut Self {
        let rel = format!("var/vcap/sys/log/{rel}");
        self.gz_file(&rel, join_lines(lines).as_bytes());
        self.set_mtime(&rel, SystemTime::now() - age);
        self
    }

    /// Write `contents` gzip-compressed to `rel`.
    pub fn gz_file(&mut self, rel: &str, contents: &[u8]) -> &mut Self {
        let gz = gzip(contents);
        self.file(rel, gz)
    }

    /// Write a gzip of `lines` cut short in the middle (a rotation interrupted by a full
    /// disk): the reader must report it and carry on.
    pub fn truncated_gz_log<S: AsRef<str>>(&mut self, rel: &str, lines: &[S]) -> &mut Self {
        let gz = gzip(join_lines(lines).as_bytes());
        let cut = (gz.len() / 2).max(12);
        self.file(&format!("var/vcap/sys/log/{rel}"), &gz[..cut.min(gz.len())])
    }

    /// Append svlogd-format `lines` to the agent log `var/vcap/bosh/log/current`
    /// (make them with [`crate::lines::agent`]).
    pub fn agent_log<S: AsRef<str>>(&mut self, lines: &[S]) -> &mut Self {
        self.append_lines("var/vcap/bosh/log/current", lines)
    }

    /// Append `lines` to `var/vcap/monit/monit.log` (make them with [`crate::lines::monit`]).
    pub fn monit_log<S: AsRef<str>>(&mut self, lines: &[S]) -> &mut Self {
        self.append_lines("var/vcap/monit/monit.log", lines)
    }

    /// Append `lines` to `var/log/syslog`.
    pub fn syslog<S: AsRef<str>>(&mut self, lines: &[S]) -> &mut Self {
        self.append_lines("var/log/syslog", lines)
    }

    /// Append `lines` to `var/log/kern.log`.
    pub fn kern_log<S: AsRef<str>>(&mut self, lines: &[S]) -> &mut Self {
        self.append_lines("var/log/kern.log", lines)
    }

    /// Write `var/vcap/bosh/settings.json`.
    pub fn settings_json(&mut self, settings: &AgentSettings) -> &mut Self {
        let json = settings.to_json();
        self.file("var/vcap/bosh/settings.json", json);
        self.set_mode("var/vcap/bosh/settings.json", 0o600)
    }

    /// Default settings for this VM (agent id = instance id), to adjust and pass to
    /// [`FakeVm::settings_json`].
    pub fn default_settings(&self) -> AgentSettings {
        AgentSettings::new(&self.identity.id)
    }

    /// Write a certificate to `var/vcap/jobs/<job>/config/certs/<name>.crt` (`name` is kept
    /// as is when it already ends in `.crt` or `.pem`).
    pub fn cert(&mut self, job: &str, name: &str, pem: &str) -> &mut Self {
        let file = if name.ends_with(".crt") || name.ends_with(".pem") {
            name.to_string()
        } else {
            format!("{name}.crt")
        };
        self.file(&format!("var/vcap/jobs/{job}/config/certs/{file}"), pem)
    }

    /// Set the modification time of `rel` (not following a symlink).
    pub fn set_mtime(&self, rel: &str, mtime: SystemTime) {
        let p = self.path(rel);
        let (secs, nanos) = timefmt::unix(mtime);
        let ts = libc::timespec {
            tv_sec: secs as libc::time_t,
            tv_nsec: nanos as libc::c_long,
        };
        let times = [ts, ts];
        let c = cpath(&p);
        // SAFETY: `c` is a valid NUL-terminated path and `times` points to two timespecs.
        let rc = unsafe {
            libc::utimensat(
                libc::AT_FDCWD,
                c.as_ptr(),
                times.as_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            panic!(
                "utimensat {}: {}",
                p.display(),
                std::io::Error::last_os_error()
            );
        }
    }

    /// `chmod` `rel`.
    pub fn set_mode(&mut self, rel: &str, mode: u32) -> &mut Self {
        let p = self.path(rel);
        fs::set_permissions(&p, fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", p.display()));
        self
    }

    /// Make `rel` a symlink to `target`, verbatim: `"/etc"` points out of the fake root,
    /// `"../x"` is relative to the link's directory.
    pub fn symlink(&mut self, rel: &str, target: &str) -> &mut Self {
        let p = self.path(rel);
        self.parent_dirs(&p);
        std::os::unix::fs::symlink(target, &p)
            .unwrap_or_else(|e| panic!("symlink {} -> {target}: {e}", p.display()));
        self
    }

    /// Make `rel` a named pipe (opening it for reading would block a naive collector).
    pub fn fifo(&mut self, rel: &str) -> &mut Self {
        let p = self.path(rel);
        self.parent_dirs(&p);
        let c = cpath(&p);
        // SAFETY: `c` is a valid NUL-terminated path.
        let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
        if rc != 0 {
            panic!(
                "mkfifo {}: {}",
                p.display(),
                std::io::Error::last_os_error()
            );
        }
        self
    }

    /// Make a package directory `var/vcap/packages/<name>` (a link into `data/packages`
    /// with [`Layout::Stemcell`]) and return its path from `/`.
    pub fn package(&mut self, name: &str) -> String {
        let rel = format!("var/vcap/packages/{name}");
        if !self.path(&rel).exists() {
            match self.layout {
                Layout::Flat => self.mkdir(&rel),
                Layout::Stemcell => {
                    let sha = fake_sha1(&format!("package/{name}"));
                    self.mkdir(&format!("var/vcap/data/packages/{name}/{sha}"));
                    self.symlink(&rel, &format!("../data/packages/{name}/{sha}"));
                }
            }
        }
        rel
    }

    /// Start (or continue) describing release job `name`. Creates
    /// `var/vcap/jobs/<name>/{config,bin/ctl,monit}` and `var/vcap/sys/log/<name>/` the
    /// first time; see [`JobBuilder`].
    pub fn job(&mut self, name: &str) -> JobBuilder<'_> {
        let rel = format!("var/vcap/jobs/{name}");
        if !self.path(&rel).exists() {
            match self.layout {
                Layout::Flat => self.mkdir(&rel),
                Layout::Stemcell => {
                    let sha = fake_sha1(&format!("job/{name}"));
                    self.mkdir(&format!("var/vcap/data/jobs/{name}/{sha}"));
                    self.symlink(&rel, &format!("../data/jobs/{name}/{sha}"));
                }
            }
            self.mkdir(&format!("{rel}/config"));
            self.mkdir(&format!("var/vcap/sys/log/{name}"));
            self.mkdir(&format!("var/vcap/sys/run/{name}"));
            let mut j = JobBuilder {
                vm: self,
                name: name.to_string(),
            };
            j.monit(&ctl_monit(name));
            j.bin("ctl", &ctl_script(name));
            return j;
        }
        JobBuilder {
            vm: self,
            name: name.to_string(),
        }
    }
}

/// Describes one release job of a [`FakeVm`]; every method writes at once.
#[derive(Debug)]
pub struct JobBuilder<'a> {
    vm: &'a mut FakeVm,
    name: String,
}

impl JobBuilder<'_> {
    /// The job's directory from `/`: `var/vcap/jobs/<name>`.
    pub fn dir(&self) -> String {
        format!("var/vcap/jobs/{}", self.name)
    }

    /// Write `var/vcap/jobs/<name>/config/<rel>` (mode 0640 as BOSH renders templates).
    pub fn config(&mut self, rel: &str, contents: impl AsRef<[u8]>) -> &mut Self {
        let path = format!("{}/config/{rel}", self.dir());
        self.vm.file(&path, contents).set_mode(&path, 0o640);
        self
    }

    /// Write a certificate to `config/certs/<name>.crt` (see [`FakeVm::cert`]).
    pub fn cert(&mut self, name: &str, pem: &str) -> &mut Self {
        let job = self.name.clone();
        self.vm.cert(&job, name, pem);
        self
    }

    /// Write a private key to `config/certs/<name>.key`, mode 0600. A secret.
    pub fn key(&mut self, name: &str, pem: &str) -> &mut Self {
        let path = format!("{}/config/certs/{name}.key", self.dir());
        self.vm.file(&path, pem).set_mode(&path, 0o600);
        self
    }

    /// Replace the job's `monit` file.
    pub fn monit(&mut self, text: &str) -> &mut Self {
        let path = format!("{}/monit", self.dir());
        self.vm.file(&path, text);
        self
    }

    /// Write an executable `bin/<rel>`.
    pub fn bin(&mut self, rel: &str, script: &str) -> &mut Self {
        let path = format!("{}/bin/{rel}", self.dir());
        self.vm.file(&path, script).set_mode(&path, 0o755);
        self
    }

    /// Make this a bpm job: write `config/bpm.yml`, switch `monit` to start it through
    /// bpm, and remove the default `bin/ctl`.
    pub fn bpm(&mut self, bpm_yml: &str) -> &mut Self {
        self.config("bpm.yml", bpm_yml);
        let name = self.name.clone();
        self.monit(&bpm_monit(&name));
        let ctl = self.vm.path(&format!("{}/bin/ctl", self.dir()));
        let _ = fs::remove_file(ctl);
        self
    }

    /// Append `lines` to `var/vcap/sys/log/<name>/<file>`.
    pub fn log<S: AsRef<str>>(&mut self, file: &str, lines: &[S]) -> &mut Self {
        let rel = format!("{}/{file}", self.name);
        self.vm.log(&rel, lines);
        self
    }

    /// A rotated, gzipped `var/vcap/sys/log/<name>/<file>` with mtime `age` ago.
    pub fn rotated_gz_log<S: AsRef<str>>(
        &mut self,
        file: &str,
        lines: &[S],
        age: Duration,
    ) -> &mut Self {
        let rel = format!("{}/{file}", self.name);
        self.vm.rotated_gz_log(&rel, lines, age);
        self
    }

    /// Write the job's pid file `var/vcap/sys/run/<name>/<name>.pid`, or
    /// `var/vcap/sys/run/bpm/<name>/<name>.pid` after [`JobBuilder::bpm`].
    pub fn pidfile(&mut self, pid: u32) -> &mut Self {
        let bpm = self
            .vm
            .path(&format!("{}/config/bpm.yml", self.dir()))
            .exists();
        let path = if bpm {
            format!("var/vcap/sys/run/bpm/{0}/{0}.pid", self.name)
        } else {
            format!("var/vcap/sys/run/{0}/{0}.pid", self.name)
        };
        self.vm.file(&path, pid.to_string());
        self
    }
}

fn identity(deployment: &str, instance_group: &str, id: &str, az: &str) -> Identity {
    Identity {
        deployment: deployment.into(),
        instance_group: instance_group.into(),
        id: id.into(),
        az: az.into(),
    }
}

/// A monit stanza as in BOSH releases that ship a `ctl` script.
pub fn ctl_monit(name: &str) -> String {
    format!(
        "check process {name}\n  with pidfile /var/vcap/sys/run/{name}/{name}.pid\n  start program \"/var/vcap/jobs/{name}/bin/ctl start\"\n  stop program \"/var/vcap/jobs/{name}/bin/ctl stop\"\n  group vcap\n"
    )
}

/// A monit stanza as in BOSH releases that run their process under bpm.
pub fn bpm_monit(name: &str) -> String {
    format!(
        "check process {name}\n  with pidfile /var/vcap/sys/run/bpm/{name}/{name}.pid\n  start program \"/var/vcap/jobs/bpm/bin/bpm start {name}\"\n  stop program \"/var/vcap/jobs/bpm/bin/bpm stop {name}\"\n  group vcap\n"
    )
}

fn ctl_script(name: &str) -> String {
    format!(
        r#"#!/bin/bash
set -e
RUN_DIR=/var/vcap/sys/run/{name}
LOG_DIR=/var/vcap/sys/log/{name}
PIDFILE=$RUN_DIR/{name}.pid

case $1 in
  start)
    mkdir -p $RUN_DIR $LOG_DIR
    chown -R vcap:vcap $RUN_DIR $LOG_DIR
    echo $$ > $PIDFILE
    exec chpst -u vcap:vcap /var/vcap/packages/{name}/bin/{name} \
      >>$LOG_DIR/{name}.stdout.log 2>>$LOG_DIR/{name}.stderr.log
    ;;
  stop)
    kill -9 $(cat $PIDFILE) && rm -f $PIDFILE
    ;;
  *)
    echo "Usage: ctl {{start|stop}}"
    ;;
esac
"#
    )
}

fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut text = String::new();
    for l in lines {
        text.push_str(l.as_ref());
        text.push('\n');
    }
    text
}

fn gzip(contents: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(contents).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes())
        .unwrap_or_else(|_| panic!("path with NUL: {}", p.display()))
}

/// A stable 40-hex-digit name, standing in for the SHA-1 BOSH names job and package
/// directories after (FNV-1a, widened; not a real digest).
pub(crate) fn fake_sha1(s: &str) -> String {
    let mut out = String::with_capacity(40);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut round = 0u8;
    while out.len() < 40 {
        for b in s.bytes().chain([round]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        out.push_str(&format!("{h:016x}"));
        round += 1;
    }
    out.truncate(40);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn flat_vm_has_identity_and_jobs() {
        let mut vm = FakeVm::new("cf", "diego_cell", "abc", "z1");
        vm.job("rep")
            .config("rep.json", "{}")
            .log("rep.stdout.log", &["one", "two"]);
        assert_eq!(
            fs::read_to_string(vm.path("var/vcap/instance/name")).unwrap(),
            "diego_cell"
        );
        assert_eq!(
            fs::read_to_string(vm.path("/var/vcap/sys/log/rep/rep.stdout.log")).unwrap(),
            "one\ntwo\n"
        );
        assert!(vm.path("var/vcap/jobs/rep/monit").is_file());
        assert!(vm.path("var/vcap/jobs/rep/bin/ctl").is_file());
        vm.job("rep").bpm("processes: []\n");
        assert!(!vm.path("var/vcap/jobs/rep/bin/ctl").exists());
        assert!(fs::read_to_string(vm.path("var/vcap/jobs/rep/monit"))
            .unwrap()
            .contains("bpm start rep"));
        assert!(fs::read_to_string(vm.path("var/vcap/jobs/rep/config/rep.json")).is_ok());
    }

    #[test]
    fn stemcell_layout_links_stay_inside_root() {
        let mut vm = FakeVm::create(None, identity("cf", "router", "x", "z2"), Layout::Stemcell);
        vm.job("gorouter").log("access.log", &["a"]);
        vm.package("gorouter");
        let sys = fs::read_link(vm.path("var/vcap/sys")).unwrap();
        assert_eq!(sys, PathBuf::from("data/sys"));
        assert!(vm
            .path("var/vcap/data/sys/log/gorouter/access.log")
            .is_file());
        let job = fs::read_link(vm.path("var/vcap/jobs/gorouter")).unwrap();
        assert!(job.starts_with("../data/jobs/gorouter/"));
        let real = fs::canonicalize(vm.path("var/vcap/jobs/gorouter/monit")).unwrap();
        assert!(real.starts_with(fs::canonicalize(vm.root()).unwrap()));
        assert!(vm.path("var/vcap/packages/gorouter").is_dir());
    }

    #[test]
    fn special_files_and_times() {
        let mut vm = FakeVm::new("cf", "diego_cell", "abc", "z1");
        vm.rotated_gz_log(
            "rep/rep.stdout.log.1.gz",
            &["old line"],
            Duration::from_secs(8 * 86_400),
        );
        let meta = fs::metadata(vm.path("var/vcap/sys/log/rep/rep.stdout.log.1.gz")).unwrap();
        let age = SystemTime::now()
            .duration_since(meta.modified().unwrap())
            .unwrap();
        assert!(age > Duration::from_secs(7 * 86_400));
        let mut text = String::new();
        flate2::read::GzDecoder::new(
            fs::File::open(vm.path("var/vcap/sys/log/rep/rep.stdout.log.1.gz")).unwrap(),
        )
        .read_to_string(&mut text)
        .unwrap();
        assert_eq!(text, "old line\n");
        vm.fifo("var/vcap/sys/log/garden/garden.fifo");
        use std::os::unix::fs::FileTypeExt;
        assert!(
            fs::symlink_metadata(vm.path("var/vcap/sys/log/garden/garden.fifo"))
                .unwrap()
                .file_type()
                .is_fifo()
        );
        vm.symlink("var/vcap/sys/log/evil", "/etc");
        assert_eq!(
            fs::read_link(vm.path("var/vcap/sys/log/evil")).unwrap(),
            PathBuf::from("/etc")
        );
        vm.truncated_gz_log("rep/rep.stdout.log.2.gz", &["x"; 100]);
        let mut s = String::new();
        let r = flate2::read::GzDecoder::new(
            fs::File::open(vm.path("var/vcap/sys/log/rep/rep.stdout.log.2.gz")).unwrap(),
        )
        .read_to_string(&mut s);
        assert!(r.is_err());
    }

    #[test]
    fn fake_sha1_is_stable_hex() {
        let a = fake_sha1("job/rep");
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, fake_sha1("job/rep"));
        assert_ne!(a, fake_sha1("job/garden"));
    }
}

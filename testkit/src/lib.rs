//! Test support for vcap-diag: realistic fake BOSH VM roots, log lines, fixed test
//! certificates, and a real `monit` daemon.
//!
//! Used by the collector's tests, the end-to-end tests and the sample generator; never
//! by the shipped binaries. What it is for:
//!
//! - [`FakeVm`]: lay out a VM's root (`/var/vcap/{jobs,sys,bosh,monit,instance,...}`,
//!   `/var/log`) under a directory for `vcap-collect --root DIR`, with jobs, logs, rotated
//!   `.gz` logs, `settings.json`, certificates, and hostile entries (symlinks out of the
//!   tree, FIFOs).
//! - [`sample_cell`]: a ready-made Diego cell with realistic content and a list of every
//!   secret planted in it ([`PlantedSecrets`]), so a test can prove none is collected.
//! - [`lines`]: makers for the real log formats on a VM (lager JSON, bosh-agent under
//!   svlogd, monit, gorouter access, syslog, kern) and a deterministic generator of
//!   healthy traffic ([`lines::healthy_lines`]) for corpora and benchmarks.
//! - [`archive`]: hostile tar streams built from raw headers (traversal names, links,
//!   FIFOs, long-name records) and [`archive::gz`].
//! - [`certs`]: fixed certificates (CA, leaf, expired, long-lived) with known dates.
//! - [`monit`]: [`MonitHarness`], a real monit daemon with one running and one failing
//!   process, and a `monit` wrapper to put first in `PATH`.
//!
//! Not for: production code, or anything needing network access beyond 127.0.0.1.
//!
//! ```no_run
//! use std::time::Duration;
//! use testkit::{lines, FakeVm};
//!
//! let mut vm = FakeVm::new("cf", "diego_cell", "d2f8b7a4-3c1e-4e8b-9a57-0c6e4f1b2a93", "z1");
//! let now = std::time::SystemTime::now();
//! vm.job("rep")
//!     .config("rep.json", r#"{"cell_id":"d2f8b7a4"}"#)
//!     .log("rep.stdout.log", &[lines::lager(now, "rep", "rep.started", lines::LagerLevel::Info, "{}")]);
//! vm.rotated_gz_log("rep/rep.stdout.log.1.gz", &["..."], Duration::from_secs(86_400));
//! vm.symlink("var/vcap/sys/log/evil", "/etc");
//! // vcap-collect --root <vm.root()>
//! ```

pub mod archive;
pub mod certs;
pub mod lines;
pub mod monit;
mod sample;
mod secrets;
mod settings;
mod timefmt;
mod vm;

pub use monit::{Failure, MonitHarness};
pub use sample::{
    sample_cell, sample_cell_at, sample_cell_temp, CELL_ID, ESCAPING_SYMLINK, EVIL_SYMLINK, FIFO,
    JOBS, OLD_GZ, RECENT_GZ, REGISTRY_PASSWORD,
};
pub use secrets::{PlantedSecret, PlantedSecrets};
pub use settings::AgentSettings;
pub use vm::{bpm_monit, ctl_monit, FakeVm, Identity, JobBuilder, Layout};

/// `vcap-collect` flags for a test that is not about the free-space guard: a floor of
/// 16 MiB and no percentage. The default floor (5% of the filesystem) depends on how full
/// the machine running the tests is, so a test using it would pass on one machine and
/// fail on another (a 252 GB CI disk with 11 GB free is under 5%). Put these first: the
/// collector lets a later flag override an earlier one, so a test can still set its own.
pub const ANY_DISK: [&str; 4] = ["--min-free", "16MiB", "--min-free-percent", "0"];

//! `testdata/df.txt` and `testdata/df-inodes.txt` are real `df -P` / `df -Pi` output, taken
//! on a host with loop-mounted ext4 images at the BOSH mount points: the ephemeral disk
//! filled to 98%, a grootfs store at 93%, a persistent disk with all 64 inodes used.

use super::*;

const DF: &str = include_str!("../testdata/df.txt");
const DF_INODES: &str = include_str!("../testdata/df-inodes.txt");

fn summarize(findings: &[Finding]) -> Vec<(&str, &str, Severity, u64)> {
    findings
        .iter()
        .map(|f| {
            (
                f.signature.as_str(),
                f.captures["mount"].as_str(),
                f.severity,
                f.line.unwrap(),
            )
        })
        .collect()
}

#[test]
fn real_df_output_full_ephemeral_disk_and_grootfs_store() {
    let findings = findings("cell/0", "commands/df.txt", DF.as_bytes(), Usage::Blocks);
    assert_eq!(
        summarize(&findings),
        [
            ("disk-full", "/var/vcap/data", Severity::High, 7),
            (
                "disk-full",
                "/var/vcap/data/grootfs/store/unprivileged",
                Severity::Medium,
                9
            ),
        ]
    );
    let f = &findings[0];
    assert_eq!(
        (f.category.as_str(), f.path.as_str(), f.job.as_deref()),
        ("disk_full", "commands/df.txt", None)
    );
    assert_eq!(
        (
            f.captures["percent"].as_str(),
            f.captures["filesystem"].as_str()
        ),
        ("98", "/dev/loop0")
    );
    assert_eq!(
        f.summary,
        "/var/vcap/data is 98% full (696 KiB free of 25.2 MiB, /dev/loop0)"
    );
    assert_eq!(
        f.excerpt,
        "/dev/loop0                    25844    22855       696      98% /var/vcap/data"
    );
}

#[test]
fn real_df_inodes_output_persistent_disk_out_of_inodes() {
    let findings = findings(
        "db/0",
        "commands/df-inodes.txt",
        DF_INODES.as_bytes(),
        Usage::Inodes,
    );
    assert_eq!(
        summarize(&findings),
        [("inodes-exhausted", "/var/vcap/store", Severity::High, 8)]
    );
    assert_eq!(findings[0].category, "inodes_exhausted");
    assert_eq!(
        findings[0].summary,
        "/var/vcap/store has used 100% of its inodes (0 free of 64, /dev/loop1)"
    );
}

#[test]
fn parse_rows_mounts_with_spaces_stderr_and_dashes() {
    let text = "Filesystem     Inodes IUsed IFree IUse% Mounted on\n\
                /dev/sda15          0     0     0     - /boot/efi\n\
                /dev/sdc1      655360 655000   360  100% /mnt/my disk\n\
                df: /var/vcap/data/garden/x: Permission denied\n";
    let rows = parse_df(text);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].filesystem.as_str(),
            rows[0].mount.as_str(),
            rows[0].percent,
            rows[0].line
        ),
        ("/dev/sdc1", "/mnt/my disk", 100, 3)
    );
    assert_eq!(
        (rows[0].total, rows[0].used, rows[0].available),
        (655360, 655000, 360)
    );
}

#[test]
fn a_device_mounted_several_times_is_one_finding_named_by_its_main_mount() {
    // A stemcell binds directories of the ephemeral disk to /tmp and /var/log.
    let text = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                /dev/sda1          2896624  1237376   1488904      46% /\n\
                /dev/sdb2         10190100  9700000    490100      96% /tmp\n\
                /dev/sdb2         10190100  9700000    490100      96% /var/vcap/data\n\
                /dev/sdb2         10190100  9700000    490100      96% /var/log\n\
                tmpfs                 1024     1024         0     100% /var/vcap/data/sys/run\n\
                overlay           10190100  9700000    490100      96% /var/vcap/data/grootfs/store/unprivileged/images/0a1b/rootfs\n\
                /dev/loop3            1024     1024         0     100% /snap/core/1234\n";
    let findings = findings("cell/0", "commands/df.txt", text.as_bytes(), Usage::Blocks);
    assert_eq!(
        summarize(&findings),
        [("disk-full", "/var/vcap/data", Severity::High, 4)]
    );
    assert_eq!(findings[0].captures["mounts"], "/tmp, /var/log");
    assert_eq!(
        findings[0].summary,
        "/var/vcap/data is 96% full (478.6 MiB free of 9.7 GiB, /dev/sdb2)"
    );
}

#[test]
fn thresholds_and_512_byte_blocks() {
    assert_eq!(
        [89, 90, 94, 95, 100].map(severity),
        [
            None,
            Some(Severity::Medium),
            Some(Severity::Medium),
            Some(Severity::High),
            Some(Severity::High)
        ]
    );
    let text = "Filesystem     512-blocks     Used Available Capacity Mounted on\n/dev/sda1         2000000  1820000    180000      91% /\n";
    let findings = findings("vm", "commands/df.txt", text.as_bytes(), Usage::Blocks);
    assert_eq!(
        summarize(&findings),
        [("disk-full", "/", Severity::Medium, 2)]
    );
    assert!(
        findings[0].summary.contains("(87.9 MiB free of 976.6 MiB"),
        "{}",
        findings[0].summary
    );
}

#[test]
fn human_sizes_and_wrapped_names_from_pastes() {
    // aminabougallala/ds-remote-engine-guide troubleshooting/storage.md (`df -h` examples, a
    // real paste with its odd numbers), and a wrapped LVM name as `df -h` prints it.
    let text = "Filesystem      Size  Used Avail Use% Mounted on\n/dev/xvda4      8.8G  42.4G 52.8G 81% /\n/dev/xvdb        20G  175M   20G   1% /mnt/data\n";
    let rows = parse_df(text);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].percent, rows[0].mount.as_str()), (81, "/"));
    assert_eq!(rows[1].used, 175 * 1024);
    assert_eq!(rows[1].total, 20 * 1024 * 1024);
    // Illustrative: a long device name alone on its line.
    let wrapped = "Filesystem            Size  Used Avail Use% Mounted on\n/dev/mapper/vg-var_vcap_data\n                       50G   48G  2.0G  97% /var/vcap/data\n";
    let f = findings("cell/0", "ticket.txt", wrapped.as_bytes(), Usage::Blocks);
    assert_eq!(
        summarize(&f),
        [("disk-full", "/var/vcap/data", Severity::High, 3)]
    );
    assert_eq!(f[0].captures["filesystem"], "/dev/mapper/vg-var_vcap_data");
}

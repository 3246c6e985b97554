//! Regenerates the committed seed corpora in `fuzz/seeds/<target>/`:
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example make_seeds
//! ```
//!
//! Sources: the sample bundles of `samples/`, the sample Diego cell of `testkit` (configs
//! with planted secrets, logs, certificates), the hostile archives of
//! `analyzer/tests/input_reader.rs` (rebuilt here the same way), the built-in signature
//! files and their examples, and `analyzer/src/checks/testdata/`. Seeds are capped in size:
//! they are starting points, the fuzzer does the rest.

use flate2::read::MultiGzDecoder;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use tar::EntryType;
use testkit::archive::{gz, small_bundle, RawTar};

const CAP: usize = 128 << 10;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

struct Seeds {
    dir: PathBuf,
}

impl Seeds {
    /// The seed directory of `target`, emptied of what an earlier run made; crash
    /// reproducers (`crash-*`, added by hand) stay.
    fn new(target: &str) -> Seeds {
        let dir = root().join("fuzz/seeds").join(target);
        fs::create_dir_all(&dir).unwrap();
        for e in fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            if !e.file_name().to_string_lossy().starts_with("crash-") {
                fs::remove_file(e.path()).unwrap();
            }
        }
        Seeds { dir }
    }

    fn put(&self, name: &str, bytes: &[u8]) {
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        fs::write(self.dir.join(name), &bytes[..bytes.len().min(CAP)]).unwrap();
    }
}

fn with_mode(mode: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = vec![mode];
    v.extend_from_slice(bytes);
    v
}

/// Every regular entry of a `.tgz` (name, data).
fn entries(tgz: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut ar = tar::Archive::new(MultiGzDecoder::new(tgz));
    let mut out = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().display().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

fn sample_bundles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(root().join("samples")).unwrap() {
        let bundles = dir.unwrap().path().join("bundles");
        let Ok(rd) = fs::read_dir(&bundles) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            out.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            ));
        }
    }
    out
}

/// Files of the testkit sample cell (relative path, bytes), regular files only.
fn sample_cell_files() -> Vec<(String, Vec<u8>)> {
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_717_200_000);
    let (vm, _) = testkit::sample_cell_at(None, when);
    let mut out = Vec::new();
    for e in walk(vm.root()) {
        let rel = e.strip_prefix(vm.root()).unwrap().display().to_string();
        out.push((rel, fs::read(&e).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            out.extend(walk(&e.path()));
        } else if t.is_file() {
            out.push(e.path());
        }
    }
    out
}

fn reader_seeds(bundles: &[(String, Vec<u8>)]) {
    let s = Seeds::new("reader");
    // mode byte: low 3 bits = shape (0 as is, 3 under gzip, 4/5 nested, 6/7 loose), high
    // bits = the input's name (0: our bundle name, 1: logs_<epoch>.tgz, 4: bundle.tar)
    for (name, b) in bundles.iter().filter(|(_, b)| b.len() < 64 << 10).take(8) {
        s.put(&format!("sample-{name}"), &with_mode(0, b));
    }
    let top = "cf.diego_cell.6a1e.20240304T050607Z";
    let ours = small_bundle(top);
    let ours = ours.bytes();
    s.put("ours-tgz", &with_mode(0, &gz(&ours)));
    s.put("ours-tar-under-gzip", &with_mode(3, &ours));
    s.put("ours-nested", &with_mode(4, &gz(&ours)));
    s.put("ours-nested-raw", &with_mode(5, &ours));
    s.put(
        "traversal",
        &with_mode(
            8,
            &RawTar::new()
                .file("../../../../etc/passwd", "root:x:0:0\n")
                .file("/etc/shadow", "root:*:\n")
                .file("a/../../b/./c.log", "c\n")
                .tgz(),
        ),
    );
    s.put(
        "links",
        &with_mode(
            8,
            &RawTar::new()
                .file("rep/rep.log", "real\n")
                .link("rep/passwd", "/etc/passwd", EntryType::Symlink)
                .link("rep/hard", "../../etc/shadow", EntryType::Link)
                .special("rep/fifo", EntryType::Fifo)
                .special("rep/tty", EntryType::Char)
                .file("rep/after.log", "after\n")
                .tgz(),
        ),
    );
    s.put(
        "invalid-utf8",
        &with_mode(
            0,
            &RawTar::new()
                .file(b"rep/\xff\xfelog.log", b"caf\xe9 \xff\xfe\x00 bytes\n")
                .tgz(),
        ),
    );
    fn level(n: usize, deepest: usize) -> Vec<u8> {
        let mut t = RawTar::new().file(format!("job{n}/job{n}.log"), format!("level {n}\n"));
        if n < deepest {
            t = t.file(format!("l{}.tgz", n + 1), level(n + 1, deepest));
        }
        t.tgz()
    }
    s.put("nesting-6", &with_mode(8, &level(0, 6)));
    let log: Vec<u8> = (0..400u64)
        .flat_map(|i| {
            format!(
                "2024-01-02T03:04:05Z line {i} {:x}\n",
                i.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            )
            .into_bytes()
        })
        .collect();
    let full = RawTar::new()
        .file("./rep/rep.stdout.log", &log)
        .file("./rep/later.log", "later\n")
        .tgz();
    s.put(
        "truncated-gzip",
        &with_mode(8, &full[..full.len() * 6 / 10]),
    );
    let plain = RawTar::new()
        .file("a.log", vec![b'a'; 2000])
        .file("b.log", vec![b'b'; 5000])
        .bytes();
    s.put(
        "truncated-tar",
        &with_mode(32, &plain[..512 + 2048 + 512 + 1000]),
    );
    s.put("tar-no-end-marker", &with_mode(32, &plain[..512 + 2048]));
    let mut corrupt = RawTar::new()
        .file("a.log", "first\n")
        .file("b.log", "second\n")
        .bytes();
    corrupt[1024..1024 + 100].fill(b'x');
    s.put("corrupt-header", &with_mode(0, &gz(&corrupt)));
    s.put("empty", &[0]);
    s.put("zeros", &with_mode(32, &[0u8; 1024]));
    s.put("zip", &with_mode(0, b"PK\x03\x04\x14\x00rest of a zip"));
    s.put(
        "text-tgz",
        &with_mode(0, &gz(b"this is not a tar stream at all")),
    );
    s.put(
        "bad-gzip",
        &with_mode(
            0,
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage",
        ),
    );
    let mut bad = gz(&vec![b'z'; 4000]);
    let n = bad.len();
    bad[n / 2..n - 8].fill(0xff);
    s.put(
        "corrupt-gz-entry",
        &with_mode(
            0,
            &RawTar::new()
                .file("rep/old.log.1.gz", &bad)
                .file("rep/new.log", "new\n")
                .tgz(),
        ),
    );
    let good = RawTar::new().file("./rep/rep.log", "good\n").tgz();
    let big: Vec<u8> = (0..2000u32)
        .flat_map(|i| format!("l{i}\n").into_bytes())
        .collect();
    let whole = RawTar::new().file("./doppler/doppler.log", &big).tgz();
    s.put(
        "truncated-nested",
        &with_mode(
            8,
            &RawTar::new()
                .file(
                    "./doppler.0000.2024-01-02-03-04-05.tgz",
                    &whole[..whole.len() / 2],
                )
                .file("./diego_cell.1111.2024-01-02-03-04-06.tgz", &good)
                .tgz(),
        ),
    );
    s.put(
        "long-name",
        &with_mode(0, &RawTar::new().file("a.log", "a\n").long_name(3000).tgz()),
    );
    s.put(
        "vm-root-tar",
        &with_mode(
            32,
            &RawTar::new()
                .file("var/vcap/sys/log/rep/rep.stdout.log", "x\n")
                .file(
                    "var/vcap/bosh/log/current",
                    "2018-11-06_18:14:07.15669 [NATS Handler] x\n",
                )
                .bytes(),
        ),
    );
    s.put(
        "lone-gz-log",
        &with_mode(40, &gz(b"{\"timestamp\":\"1478789343.195786953\"}\n")),
    );
    s.put("loose-log", &with_mode(6, b"2017/07/16 20:40:02 message\n"));
    let mut pax = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(3);
    h.set_mode(0o644);
    h.set_entry_type(EntryType::Regular);
    pax.append_pax_extensions([
        ("path", &b"var/vcap/sys/log/pax/very-long-name.log"[..]),
        ("mtime", b"1700000000.5"),
    ])
    .unwrap();
    pax.append_data(&mut h, "short.log", &b"pax"[..]).unwrap();
    s.put("pax", &with_mode(0, &gz(&pax.into_inner().unwrap())));
}

fn lines_seeds(bundles: &[(String, Vec<u8>)], cell: &[(String, Vec<u8>)]) {
    let s = Seeds::new("lines");
    for sig in analyzer::signature::Library::builtin().signatures {
        let text: Vec<String> = sig.tests.iter().map(|e| e.input.clone()).collect();
        s.put(&format!("sig-{}", sig.id), text.join("\n").as_bytes());
    }
    let mut logs = 0;
    for (_, b) in bundles {
        for (name, data) in entries(b) {
            let name = name
                .split_once('/')
                .map_or(name.as_str(), |(_, n)| n)
                .to_string();
            if logs < 60
                && (name.contains("/sys/log/")
                    || name.contains("/bosh/log/")
                    || name.ends_with(".log"))
            {
                logs += 1;
                s.put(&name, &data[..data.len().min(4 << 10)]);
            }
        }
    }
    for (rel, data) in cell {
        if rel.contains("log") && !rel.ends_with(".gz") {
            s.put(&format!("cell-{rel}"), &data[..data.len().min(4 << 10)]);
        }
    }
}

fn signature_seeds() {
    let s = Seeds::new("signatures");
    for (origin, text) in analyzer::signature::load::builtin_files() {
        s.put(&origin.to_string(), text.as_bytes());
    }
}

fn redact_seeds(cell: &[(String, Vec<u8>)]) {
    let s = Seeds::new("redact");
    // [n][44 bytes per planted secret: shape, length, chars][text]
    let spec = |n: u8, shapes: &[u8]| -> Vec<u8> {
        let mut v = vec![n];
        for (k, &shape) in shapes.iter().enumerate() {
            v.push(shape);
            v.extend((0..43u8).map(|i| i.wrapping_mul(37).wrapping_add(k as u8 * 11)));
        }
        v
    };
    for (rel, data) in cell {
        let configish = rel.contains("/config/")
            || rel.ends_with(".json")
            || rel.ends_with(".yml")
            || rel.contains("bosh/log/current")
            || rel.ends_with("env");
        if configish && !data.contains(&0) {
            let shapes: &[u8] = &[(rel.len() % 6) as u8, ((rel.len() + 2) % 6) as u8, 3];
            let mut v = spec(2, shapes);
            v.extend_from_slice(&data[..data.len().min(24 << 10)]);
            s.put(&format!("cell-{rel}"), &v);
        }
    }
    let hand: &[(&str, &str)] = &[
        ("yaml-block", "tls:\n  certificate: |\n    -----BEGIN CERTIFICATE-----\n    MIIDfake1234567890\n    -----END CERTIFICATE-----\n  private_key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEfake1234567890abcdef\n    -----END RSA PRIVATE KEY-----\n  port: 443\n"),
        ("json-pretty", "{\n  \"uaa\": {\n    \"client_id\": \"cc_service_key_client\",\n    \"client_secret\": \"pr3tty-cl1ent-s3cret\",\n    \"url\": \"https://uaa.service.cf.internal:8443\"\n  }\n}\n"),
        ("escaped-json-pem", "{\"private_key\":\"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIFake\\n-----END EC PRIVATE KEY-----\\n\"}\n"),
        ("env-export", "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nDB_PASSWORD='x y z'\n"),
        ("bearer-jwt", "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl\ncurl -H 'X-Auth-Token: t0k3n-value-123'\n"),
        ("url-creds", "registry: http://registry-user:r3g-pass@10.4.1.4:25777\namqp://guest:gu3st@rabbit:5672/%2f\n"),
        ("properties", "spring.datasource.password=pr0ps-pw\nkeystorePass=\"ks-pw\"\n<password>xml-pw</password>\n"),
        ("cmdline", "java -jar x.jar --password=cl1-pw --token abc123XYZ --api-key=k3y\n"),
        ("placeholders", "password: ((admin_password))\ntoken: [REDACTED token]\npassword_min_length: 8\nrequire_client_secret: true\n"),
        ("ruby-hash", ":password => \"rb-pw\", \"secret\"=>\"rb-s3cret\"\n"),
        ("go-struct", "config: {Username:admin Password:g0-pw Token:abc}\n"),
        ("cc-database-encryption", "database_encryption:\n  keys: {\"encryption_key_0\":\"Zk3x9PqLm2Vb7NcR4tYw8HsJ\",\"2024-rotation\":\"Qw8Er7Ty6Ui5Op4As3Df2Gh1\"}\n  current_key_label: \"2024-rotation\"\n{\"passwords\":{\"admin\":\"hunter2-x\"}}\n"),
        ("ps-client-flags", "root 5150 mysqldump -u backup -pmy5ql-pw ccdb | gzip\nroot 5151 sshpass -p ssh-pw ssh -p 2222 h; mkdir -p /x\nvcap 5152 redis-cli -h 10.0.0.7 -a r3dis-pw ping\n"),
    ];
    for (name, text) in hand {
        let mut v = spec(0, &[0]);
        v.extend_from_slice(text.as_bytes());
        s.put(name, &v);
    }
}

fn cert_seeds(bundles: &[(String, Vec<u8>)], cell: &[(String, Vec<u8>)]) {
    let s = Seeds::new("certs");
    let testdata = root().join("analyzer/src/checks/testdata");
    for e in walk(&testdata.join("certs")) {
        s.put(
            &e.file_name().unwrap().to_string_lossy(),
            &fs::read(&e).unwrap(),
        );
    }
    for f in ["agent.yml", "rep.json"] {
        s.put(f, &fs::read(testdata.join(f)).unwrap());
    }
    let mut all = cell.to_vec();
    for (_, b) in bundles {
        all.extend(entries(b));
    }
    for (rel, data) in all {
        if memchr_find(&data, b"-----BEGIN") {
            s.put(&rel, &data);
        }
    }
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn parser_seeds(bundles: &[(String, Vec<u8>)], cell: &[(String, Vec<u8>)]) {
    let s = Seeds::new("parsers");
    let testdata = root().join("analyzer/src/checks/testdata");
    let put = |which: u8, name: &str, data: &[u8]| s.put(name, &with_mode(which, data));
    for e in walk(&testdata.join("monit")) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        let which = if name.ends_with(".log") { 3 } else { 0 };
        put(which, &name, &fs::read(&e).unwrap());
    }
    put(1, "df.txt", &fs::read(testdata.join("df.txt")).unwrap());
    put(
        2,
        "df-inodes.txt",
        &fs::read(testdata.join("df-inodes.txt")).unwrap(),
    );
    let mut all = cell.to_vec();
    for (_, b) in bundles {
        all.extend(entries(b));
    }
    for (rel, data) in all {
        let which = if rel.ends_with("monit-summary.txt") {
            0
        } else if rel.ends_with("df.txt") {
            1
        } else if rel.ends_with("df-inodes.txt") {
            2
        } else if rel.contains("monit/monit.log") {
            3
        } else {
            continue;
        };
        put(which, &rel, &data);
    }
}

fn main() {
    let bundles = sample_bundles();
    let cell = sample_cell_files();
    reader_seeds(&bundles);
    lines_seeds(&bundles, &cell);
    signature_seeds();
    redact_seeds(&cell);
    cert_seeds(&bundles, &cell);
    parser_seeds(&bundles, &cell);
    for t in [
        "reader",
        "lines",
        "signatures",
        "redact",
        "certs",
        "parsers",
    ] {
        let dir = root().join("fuzz/seeds").join(t);
        let (n, bytes) = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .fold((0, 0), |(n, b), l| (n + 1, b + l));
        println!("{t}: {n} seeds, {} KiB", bytes >> 10);
    }
}

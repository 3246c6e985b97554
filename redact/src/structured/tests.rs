//! Allow-list tests. Lines are illustrative, written for these tests in the shapes of
//! the releases' config templates (no value is real).

use super::*;
use crate::edit::{apply, normalize};

fn run(kind: FileKind, text: &str) -> String {
    let mut st = State::default();
    let mut out = Vec::new();
    for l in text.split_inclusive('\n') {
        let (c, term) = l.split_at(l.trim_end_matches('\n').len());
        let mut e = Vec::new();
        line(kind, &mut st, c.as_bytes(), true, &mut e);
        normalize(&mut e);
        apply(c.as_bytes(), &e, &mut out);
        out.extend_from_slice(term.as_bytes());
    }
    String::from_utf8(out).unwrap()
}

const M: &str = "[REDACTED value]";

#[test]
fn yaml_masks_unknown_values_and_keeps_safe_ones() {
    let src = "\
# comment kept
database:
  host: 10.0.16.5   # primary
  port: 5432
  adapter: postgres
  scheme_name: Zq8rT2mWx4Lp
  users:
  - admin|Pa55w0rdZ|scim.write
  - name: cc
    dsn: \"cc:Xk3j9qLm@tcp(10.0.16.5:3306)/ccdb\"
  url: https://uaa.service.cf.internal:8443
  ttl: 30s
  placeholder: ((db_password))
  flow: {user: ccadmin, blob: Qw9eRt5yUi3o}
  long: \"first part of a passphrase
    that goes on here\"
  plain: word1 word2
";
    let out = run(FileKind::Yaml, src);
    let want = format!(
        "\
# comment kept
database:
  host: 10.0.16.5   # primary
  port: 5432
  adapter: postgres
  scheme_name: {M}
  users:
  - {M}
  - name: cc
    dsn: \"{M}\"
  url: https://uaa.service.cf.internal:8443
  ttl: 30s
  placeholder: ((db_password))
  flow: {{user: ccadmin, blob: {M}}}
  long: \"{M}
    {M}\"
  plain: {M}
"
    );
    assert_eq!(out, want);
}

#[test]
fn yaml_block_scalars_keep_certificates_and_mask_the_rest() {
    let src = "\
ca: |
  -----BEGIN CERTIFICATE-----
  MIIBszCCAVmgAwIBAgIUZ
  -----END CERTIFICATE-----
script: |
  some text Zq8rT2mWx4Lp
  more
next: 1
";
    let out = run(FileKind::Yaml, src);
    assert_eq!(
        out,
        format!(
            "\
ca: |
  -----BEGIN CERTIFICATE-----
  MIIBszCCAVmgAwIBAgIUZ
  -----END CERTIFICATE-----
script: |
  {M}
  {M}
next: 1
"
        )
    );
}

#[test]
fn json_values_masked_keys_kept() {
    let src = r#"{"agent_id":"2f0e1c3a-9d8b-4c7a-b6e5-f4d3c2b1a098","mbus":"nats://nats:Zq8rT2@10.0.0.6:4222","env":{"bosh":{"pw":"$6$abc"}},"port":25250,"ok":true}"#;
    let out = run(FileKind::Json, src);
    assert_eq!(
        out,
        format!(
            r#"{{"agent_id":"2f0e1c3a-9d8b-4c7a-b6e5-f4d3c2b1a098","mbus":"{M}","env":{{"bosh":{{"pw":"{M}"}}}},"port":25250,"ok":true}}"#
        )
    );
}

#[test]
fn ini_env_toml_conf_sql() {
    assert_eq!(
        run(
            FileKind::Ini,
            "[client]\nuser = root\npassword = \"Xy7#pq\"\nport=3306\n"
        ),
        format!("[client]\nuser = root\npassword = \"{M}\"\nport=3306\n")
    );
    assert_eq!(
        run(FileKind::Env, "export PGPASSWORD='hunter2x'\nPGPORT=5432\n"),
        format!("export PGPASSWORD='{M}'\nPGPORT=5432\n")
    );
    assert_eq!(
        run(
            FileKind::Toml,
            "[db]\nname = \"ccdb\"\nsecret = 'a b c'\nsize = 10\n"
        ),
        format!("[db]\nname = \"ccdb\"\nsecret = '{M}'\nsize = 10\n")
    );
    assert_eq!(
        run(
            FileKind::Conf,
            "requirepass Foob4rBaz\nport 6379\nlisten 443 ssl;\n"
        ),
        format!("requirepass {M}\nport 6379\nlisten 443 ssl;\n")
    );
    assert_eq!(
        run(
            FileKind::Sql,
            "CREATE USER 'cc'@'%' IDENTIFIED BY 'Zq8rT2mW';\n"
        ),
        format!("CREATE USER 'cc'@'%' IDENTIFIED BY '{M}';\n")
    );
}

#[test]
fn detection_by_path_and_content() {
    use FileKind::*;
    assert_eq!(
        FileKind::detect("var/vcap/jobs/uaa/config/uaa.yml", b""),
        Yaml
    );
    assert_eq!(FileKind::detect("/var/vcap/bosh/settings.json", b"{"), Json);
    assert_eq!(FileKind::detect("var/vcap/sys/log/uaa/uaa.log", b"{"), Text);
    assert_eq!(
        FileKind::detect("var/vcap/jobs/x/config/bpm.yml.erb", b"a: 1"),
        Yaml
    );
    assert_eq!(
        FileKind::detect("var/vcap/jobs/x/config/redis", b"requirepass x\n"),
        Conf
    );
    assert_eq!(
        FileKind::detect("var/vcap/jobs/x/config/vars", b"A=1\n"),
        Env
    );
    assert_eq!(
        FileKind::detect("var/vcap/jobs/x/config/ca.crt", b"-----BEGIN"),
        Text
    );
}

#[test]
fn a_comment_after_a_masked_value_goes_with_it() {
    // bosh `jobs/blobstore/templates/write_users.erb` (`user:{PLAIN}<password>`) and an
    // unquoted YAML secret: a password holding ` #` was pasted as is.
    // (no space after the colon: one plain YAML scalar, as the collector sniffs it)
    assert_eq!(
        run(FileKind::Yaml, "director:{PLAIN}q #Zq7p-Xv9\n"),
        format!("{M}\n")
    );
    assert_eq!(
        run(
            FileKind::Yaml,
            "scheme_name: Zq8rT2mWx4Lp #Xv9-tail  \nport: 5432 # the db\n"
        ),
        format!("scheme_name: {M}  \nport: 5432 # the db\n")
    );
}

#[test]
fn text_after_a_closing_quote_means_the_quote_was_inside_the_value() {
    // capi-release `newrelic.yml.erb` pastes `license_key: '<%= ... %>'`: a key holding a
    // quote (made up) leaked whole before.
    assert_eq!(
        run(
            FileKind::Yaml,
            "  license_key: 'q'Zq7p-12v5-Xv9'\n  app_name: 'cc'\n"
        ),
        format!("  license_key: '{M}'\n  app_name: 'cc'\n")
    );
    // A quote in the key: the value's closing quote lies past what looks like a comment
    // (no panic, the value still masked).
    assert!(!run(FileKind::Yaml, "it's: 'xq7Zk2 #y9Lp'\n").contains("xq7Zk2"));
}

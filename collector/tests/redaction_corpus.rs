//! The redaction corpus: real-shaped secret placements that must go, near misses that must
//! stay byte for byte, idempotence, streaming and long lines.
//!
//! Every secret here is a made-up value. Config shapes follow the real files they imitate;
//! each case says where its shape comes from.

use redact::{RedactStats, Redactor};

fn redact(input: &str) -> (String, RedactStats) {
    let (out, stats) = Redactor::new().redact_bytes(input.as_bytes());
    (
        String::from_utf8(out).expect("valid UTF-8 in, valid UTF-8 out"),
        stats,
    )
}

/// One placement: the secret values that must disappear, the key names (or other context)
/// that must stay, and the markers that must appear.
struct Case {
    name: &'static str,
    input: &'static str,
    secrets: &'static [&'static str],
    keep: &'static [&'static str],
    kinds: &'static [&'static str],
}

const RSA_BODY: &str = "MIIEpAIBAAKCAQEAzF4k3Rfake0fakeRSAbodyLineNumberOne0123456789abcdef";
const EC_BODY: &str = "MHcCAQEEIFakeECbodyLineNumberOne0123456789abcdefABCDEFGHIJKLMNOP";

const CASES: &[Case] = &[
    // ---- YAML (rendered BOSH job configs) ----
    Case {
        // nats job: `nats.user` / `nats.password` properties rendered into a YAML config.
        name: "yaml nats_password",
        input: "nats:\n  user: nats\n  nats_password: n4ts-Pa55w0rd-1\n  port: 4222\n",
        secrets: &["n4ts-Pa55w0rd-1"],
        keep: &["nats_password:", "user: nats", "port: 4222"],
        kinds: &["password"],
    },
    Case {
        name: "yaml single-quoted admin_password with comment",
        input: "  admin_password: 'adm1n-s3cr3t''q' # rotated 2024\n",
        secrets: &["adm1n-s3cr3t"],
        keep: &["admin_password:", "# rotated 2024"],
        kinds: &["password"],
    },
    Case {
        name: "yaml double-quoted blobstore_secret",
        input: "blobstore:\n  blobstore_secret: \"bl0b-s3cret-value\"\n",
        secrets: &["bl0b-s3cret-value"],
        keep: &["blobstore_secret:"],
        kinds: &["secret"],
    },
    Case {
        // credhub-release `config/application/encryption.yml`: encryption.keys list items.
        name: "credhub encryption keys",
        input: "encryption:\n  keys:\n  - provider_name: internal\n    encryption_password: cr3dhub-encrypt10n-pw\n    active: true\n  - provider_name: internal\n    encryption_password: \"0ld-encrypt10n-pw\"\n    active: false\n",
        secrets: &["cr3dhub-encrypt10n-pw", "0ld-encrypt10n-pw"],
        keep: &["encryption_password:", "active: true", "provider_name: internal"],
        kinds: &["encryption_key"],
    },
    Case {
        // credhub-release `application/data-storage.yml` (datasource username/password).
        name: "credhub data storage password",
        input: "spring:\n  datasource:\n    username: credhub\n    password: \"cr3dhub-db-pw\"\n    url: jdbc:postgresql://10.0.0.7:5432/credhub?autoReconnect=true\n",
        secrets: &["cr3dhub-db-pw"],
        keep: &["password:", "username: credhub", "jdbc:postgresql://10.0.0.7:5432/credhub"],
        kinds: &["password"],
    },
    Case {
        // uaa-release `uaa.yml`: oauth.clients.<id>.secret and the admin client.
        name: "uaa clients secrets",
        input: "oauth:\n  clients:\n    cf:\n      authorized-grant-types: password,refresh_token\n      secret: cf-cl1ent-s3cret\n    admin:\n      secret: 'uaa-adm1n-s3cret'\n",
        secrets: &["cf-cl1ent-s3cret", "uaa-adm1n-s3cret"],
        keep: &["secret:", "authorized-grant-types: password,refresh_token"],
        kinds: &["secret"],
    },
    Case {
        // bosh `creds.yml` / uaa.yml: a PEM private key in a YAML block scalar.
        name: "yaml private_key block scalar",
        input: "director_ssl:\n  certificate: |\n    -----BEGIN CERTIFICATE-----\n    MIIDfakeCertificateBody0123456789\n    -----END CERTIFICATE-----\n  private_key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEpAIBAAKCAQEAzF4k3Rfake0fakeRSAbodyLineNumberOne0123456789abcdef\n    c2Vjb25kTGluZU9mVGhlRmFrZVJTQUtleUJvZHk=\n    -----END RSA PRIVATE KEY-----\nnext: 1\n",
        secrets: &[RSA_BODY, "c2Vjb25kTGluZU9mVGhlRmFrZVJTQUtleUJvZHk="],
        keep: &["private_key: |", "MIIDfakeCertificateBody0123456789", "next: 1"],
        kinds: &["private_key"],
    },
    Case {
        // uaa-release `uaa.yml`: jwt.token.policy.keys.<id>.signingKey (camelCase, PKCS#8).
        name: "uaa jwt signingKey",
        input: "jwt:\n  token:\n    policy:\n      activeKeyId: key-1\n      keys:\n        key-1:\n          signingKey: |\n            -----BEGIN PRIVATE KEY-----\n            MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCfakeSigningKey\n            -----END PRIVATE KEY-----\n",
        secrets: &["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCfakeSigningKey"],
        keep: &["signingKey: |", "activeKeyId: key-1", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "yaml flow map and flow list",
        input: "db: {user: ccadmin, password: fl0w-map-pw}\npasswords: [l1st-pw-one, \"l1st-pw-two\"]\n",
        secrets: &["fl0w-map-pw", "l1st-pw-one", "l1st-pw-two"],
        keep: &["password:", "user: ccadmin", "passwords:"],
        kinds: &["password"],
    },
    Case {
        // bosh manifest `env.bosh.password` (a crypt hash is still a credential).
        name: "bosh env password hash",
        input: "env:\n  bosh:\n    password: $6$salt4fake$hAsHfAkEvAlUe0123456789\n    keep_root_password: false\n",
        secrets: &["$6$salt4fake$hAsHfAkEvAlUe0123456789"],
        keep: &["password:", "keep_root_password: false"],
        kinds: &["password"],
    },
    // ---- JSON ----
    Case {
        name: "json one line",
        input: "{\"username\":\"admin\",\"password\":\"js0n-Pa55\",\"port\":8443}\n",
        secrets: &["js0n-Pa55"],
        keep: &["\"password\":", "\"username\":\"admin\"", "\"port\":8443"],
        kinds: &["password"],
    },
    Case {
        // cloud_controller_ng / diego JSON configs, pretty-printed.
        name: "json pretty",
        input: "{\n  \"uaa\": {\n    \"client_id\": \"cc_service_key_client\",\n    \"client_secret\": \"pr3tty-cl1ent-s3cret\",\n    \"url\": \"https://uaa.service.cf.internal:8443\"\n  },\n  \"db_encryption_key\": \"db-encrypt-k3y-fake\"\n}\n",
        secrets: &["pr3tty-cl1ent-s3cret", "db-encrypt-k3y-fake"],
        keep: &["\"client_secret\":", "\"db_encryption_key\":", "\"client_id\": \"cc_service_key_client\""],
        kinds: &["client_secret", "encryption_key"],
    },
    Case {
        // A lager log line whose data holds a request body as an escaped JSON string.
        name: "json escaped inside a lager line",
        input: "{\"timestamp\":\"2024-05-02T10:11:12.123456789Z\",\"level\":\"debug\",\"source\":\"cc\",\"message\":\"request\",\"data\":{\"body\":\"{\\\"username\\\":\\\"bob\\\",\\\"password\\\":\\\"3sc4ped-pw\\\"}\"}}\n",
        secrets: &["3sc4ped-pw"],
        keep: &["\\\"password\\\":\\\"", "\\\"username\\\":\\\"bob\\\""],
        kinds: &["password"],
    },
    Case {
        // bosh-agent `/var/vcap/bosh/settings.json` (compact, as json.Marshal writes it;
        // shape from cloudfoundry/bosh-agent settings.go and its settings fixtures).
        name: "bosh agent settings.json",
        input: concat!(
            r#"{"agent_id":"a1b2c3d4-0000-4000-8000-000000000001","blobstore":{"provider":"s3","options":{"bucket_name":"bosh-blobs","credentials_source":"static","access_key_id":"AKIAFAKEFAKEFAKE1234","secret_access_key":"s3-s3cr3t/Acc3ss+Key0123456789abcdefFAKE","region":"us-east-1"}},"#,
            r#""env":{"bosh":{"password":"$6$fakesalt$fakeHashValue0123","keep_root_password":false,"authorized_keys":[],"#,
            r#""blobstores":[{"provider":"dav","options":{"endpoint":"https://10.0.0.6:25250","user":"agent","password":"dav-ag3nt-pw"}}]}},"#,
            r#""mbus":"nats://nats:n4ts-mbus-pw@10.0.0.6:4222","vm":{"name":"i-0a7c3e9b5d1f24680"}}"#,
            "\n"
        ),
        secrets: &["AKIAFAKEFAKEFAKE1234", "s3-s3cr3t/Acc3ss+Key0123456789abcdefFAKE", "$6$fakesalt$fakeHashValue0123", "dav-ag3nt-pw", "n4ts-mbus-pw"],
        keep: &["\"secret_access_key\":", "\"access_key_id\":", "\"keep_root_password\":false", "nats://nats:", "@10.0.0.6:4222", "\"authorized_keys\":[]"],
        kinds: &["aws_access_key", "aws_secret_key", "password", "url_credentials"],
    },
    Case {
        // bosh-agent settings.json from a create-env director: mbus over https.
        name: "settings.json https mbus",
        input: "{\"mbus\":\"https://mbus:mbus-h77ps-pw@10.0.0.6:6868\",\"ntp\":[]}\n",
        secrets: &["mbus-h77ps-pw"],
        keep: &["https://mbus:", "@10.0.0.6:6868"],
        kinds: &["url_credentials"],
    },
    // ---- properties, env, shell, ERB ----
    Case {
        name: "properties",
        input: "spring.datasource.password=pr0ps-db-pw\nuaa.admin.client_secret = pr0ps-cl1ent\nserver.port=8080\n",
        secrets: &["pr0ps-db-pw", "pr0ps-cl1ent"],
        keep: &["spring.datasource.password=", "uaa.admin.client_secret =", "server.port=8080"],
        kinds: &["password", "client_secret"],
    },
    Case {
        name: "env file",
        input: "DB_HOST=10.0.0.7\nDB_PASSWORD=env-db-pw-9\nAPI_KEY=env-ap1-k3y\n",
        secrets: &["env-db-pw-9", "env-ap1-k3y"],
        keep: &["DB_PASSWORD=", "API_KEY=", "DB_HOST=10.0.0.7"],
        kinds: &["password", "api_key"],
    },
    Case {
        // bosh-deployment docs: `export BOSH_CLIENT_SECRET=...` in a shell profile.
        name: "shell export",
        input: "export BOSH_CLIENT=admin\nexport BOSH_CLIENT_SECRET=\"sh-b0sh-s3cret\"\nexport CREDHUB_SECRET='sh-cr3dhub'\n",
        secrets: &["sh-b0sh-s3cret", "sh-cr3dhub"],
        keep: &["export BOSH_CLIENT_SECRET=", "export CREDHUB_SECRET=", "BOSH_CLIENT=admin"],
        kinds: &["client_secret", "secret"],
    },
    Case {
        // A BOSH CPI config rendered from ERB (`"password" => p('vcenter.password')`).
        name: "erb rendered ruby hash",
        input: "{ \"host\" => \"vcenter.local\", \"user\" => \"admin\", \"password\" => \"rub7-vc-pw\" }\n",
        secrets: &["rub7-vc-pw"],
        keep: &["\"password\" =>", "\"user\" => \"admin\""],
        kinds: &["password"],
    },
    // ---- URLs ----
    Case {
        name: "nats url",
        input: "servers: [nats://nats:n4ts-url-pw@10.0.0.1:4222]\n",
        secrets: &["n4ts-url-pw"],
        keep: &["nats://nats:", "@10.0.0.1:4222"],
        kinds: &["url_credentials"],
    },
    Case {
        name: "postgres and mysql2 urls",
        input: "db: postgres://ccadmin:pg-url-pw@sql-db.service.cf.internal:5524/ccdb\nlegacy: mysql2://cc:my5ql-url-pw@10.0.0.9:3306/cc\n",
        secrets: &["pg-url-pw", "my5ql-url-pw"],
        keep: &["postgres://ccadmin:", "mysql2://cc:", "@10.0.0.9:3306/cc"],
        kinds: &["url_credentials"],
    },
    Case {
        name: "amqp and https admin urls",
        input: "amqp://rabbit:amqp-pw-77@10.0.0.9:5672/%2f\ncurl https://admin:h77ps-adm1n-pw@10.0.0.6:25555/info\n",
        secrets: &["amqp-pw-77", "h77ps-adm1n-pw"],
        keep: &["amqp://rabbit:", "https://admin:", "/info"],
        kinds: &["url_credentials"],
    },
    Case {
        // shared/seeds/004: the bosh-agent log prints the registry URL with its password,
        // bare and quoted inside a request dump.
        name: "bosh-agent registry url (seed 004)",
        input: concat!(
            "2018-11-06_18:14:07.15665 [registryProvider] 2018/11/06 18:14:07 DEBUG - Using http registry at http://registry-user:deBaTjFAKEFAKE9cS5y9ar612OfY4atOwfGK9aq@10.4.1.4:25777\n",
            "2018-11-06_18:14:07.15962 [httpClient] 2018/11/06 18:14:07 DEBUG - Sending GET request to endpoint 'http://registry-user:deBaTjFAKEFAKE9cS5y9ar612OfY4atOwfGK9aq@10.4.1.4:25777/instances/i-08e29a11984248a94/settings'\n",
            "2018-11-06_18:14:07.15963 [clientRetryable] 2018/11/06 18:14:07 DEBUG - [requestID=645ed5d1-034c-4290-65ab-4c9d7766fdae] Requesting (attempt=1): Request{ Method: 'GET', URL: 'http://registry-user:deBaTjFAKEFAKE9cS5y9ar612OfY4atOwfGK9aq@10.4.1.4:25777/instances/i-08e29a11984248a94/settings' }\n",
        ),
        secrets: &["deBaTjFAKEFAKE9cS5y9ar612OfY4atOwfGK9aq"],
        keep: &["http://registry-user:", "@10.4.1.4:25777/instances/i-08e29a11984248a94/settings", "[requestID=645ed5d1-034c-4290-65ab-4c9d7766fdae]"],
        kinds: &["url_credentials"],
    },
    Case {
        name: "jdbc url with password parameter and query string",
        input: "url: jdbc:mysql://10.0.0.7:3306/uaa?user=uaa&password=jdbc-qs-pw&useSSL=true\n",
        secrets: &["jdbc-qs-pw"],
        keep: &["password=", "&useSSL=true", "user=uaa"],
        kinds: &["password"],
    },
    Case {
        // uaa-release renders tomcat's `server.xml`: keystore password as an attribute.
        name: "xml attribute and element",
        input: "<Connector port=\"8443\" keystorePass=\"t0mcat-ks-pw\" keyAlias=\"uaa\"/>\n<password>xml-el3ment-pw</password>\n",
        secrets: &["t0mcat-ks-pw", "xml-el3ment-pw"],
        keep: &["keystorePass=", "<password>", "</password>", "keyAlias=\"uaa\""],
        kinds: &["password"],
    },
    Case {
        // cloud_controller_ng / rails-style apps: `secret_key_base`, `api_key`.
        name: "secret_key_base and api_key",
        input: "secret_key_base: 0123abcdSecretKeyBaseFAKE\napi_key: ap1-k3y-fake-value\n",
        secrets: &["0123abcdSecretKeyBaseFAKE", "ap1-k3y-fake-value"],
        keep: &["secret_key_base:", "api_key:"],
        kinds: &["secret", "api_key"],
    },
    // ---- PEM private keys ----
    Case {
        name: "pem rsa multi-line",
        input: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAzF4k3Rfake0fakeRSAbodyLineNumberOne0123456789abcdef\nc2Vjb25kTGluZU9mVGhlRmFrZVJTQUtleUJvZHk=\n-----END RSA PRIVATE KEY-----\n",
        secrets: &[RSA_BODY, "c2Vjb25kTGluZU9mVGhlRmFrZVJTQUtleUJvZHk="],
        keep: &["-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "pem ec",
        input: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFakeECbodyLineNumberOne0123456789abcdefABCDEFGHIJKLMNOP\noUQDQgAEfakeSecondLine==\n-----END EC PRIVATE KEY-----\n",
        secrets: &[EC_BODY, "oUQDQgAEfakeSecondLine=="],
        keep: &["-----BEGIN EC PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "pem pkcs8",
        input: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCpkcs8FakeBody0123456789\n-----END PRIVATE KEY-----\n",
        secrets: &["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCpkcs8FakeBody0123456789"],
        keep: &["-----BEGIN PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "pem encrypted pkcs8",
        input: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApencryptedFakeBody0123456789\n-----END ENCRYPTED PRIVATE KEY-----\n",
        secrets: &["MIIFHDBOBgkqhkiG9w0BBQ0wQTApencryptedFakeBody0123456789"],
        keep: &["-----BEGIN ENCRYPTED PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "pem openssh",
        input: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQopensshFakeBody\n-----END OPENSSH PRIVATE KEY-----\n",
        secrets: &["b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQopensshFakeBody"],
        keep: &["-----BEGIN OPENSSH PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "pem dsa with legacy encryption headers",
        input: "-----BEGIN DSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,F00DFACEF00DFACEF00DFACEF00DFACE\n\nMIIBuwIBAAKBgQDdsaFakeBody0123456789abcdefghijkl\n-----END DSA PRIVATE KEY-----\n",
        secrets: &["MIIBuwIBAAKBgQDdsaFakeBody0123456789abcdefghijkl", "F00DFACEF00DFACEF00DFACEF00DFACE"],
        keep: &["-----BEGIN DSA PRIVATE KEY-----", "-----END DSA PRIVATE KEY-----"],
        kinds: &["private_key"],
    },
    Case {
        // diego / loggregator JSON configs carry keys as JSON strings with escaped newlines.
        name: "json-escaped pem under a neutral key",
        input: "{\"server_cert\":\"-----BEGIN CERTIFICATE-----\\nMIIDfakeCert0123\\n-----END CERTIFICATE-----\\n\",\"server_key\":\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEAzF4k3Rfake0fakeRSAbodyLineNumberOne0123456789abcdef\\nc2Vjb25kTGluZU9mVGhlRmFrZVJTQUtleUJvZHk=\\n-----END RSA PRIVATE KEY-----\\n\"}\n",
        secrets: &[RSA_BODY, "c2Vjb25kTGluZU9mVGhlRmFrZVJTQUtleUJvZHk="],
        keep: &["\"server_key\":", "MIIDfakeCert0123", "-----BEGIN CERTIFICATE-----"],
        kinds: &["private_key"],
    },
    Case {
        name: "json-escaped pem under private_key",
        input: "{\"mbus\":{\"cert\":{\"private_key\":\"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIFakeECbodyLineNumberOne0123456789abcdefABCDEFGHIJKLMNOP\\n-----END EC PRIVATE KEY-----\\n\",\"certificate\":\"\"}}}\n",
        secrets: &[EC_BODY],
        keep: &["\"private_key\":", "\"certificate\":\"\""],
        kinds: &["private_key"],
    },
    // ---- tokens ----
    Case {
        // gorouter / cc request logs that dump headers.
        name: "authorization bearer header",
        input: "Authorization: Bearer b3ar3rT0kenFAKE0123456789abcdef\nX-Auth-Token: x-auth-t0k3n-fake\n",
        secrets: &["b3ar3rT0kenFAKE0123456789abcdef", "x-auth-t0k3n-fake"],
        keep: &["Authorization: Bearer ", "X-Auth-Token:"],
        kinds: &["bearer_token", "token"],
    },
    Case {
        name: "bearer in a log message and basic auth",
        input: "2024-05-02 ERROR retrying with bearer 0a1b2c3d4e5f6a7b8c9d0e1f after 401\nheaders: {\"Authorization\":\"Basic YmFzaWMtdXNlcjpiYXNpYy1wdw==\"}\n",
        secrets: &["0a1b2c3d4e5f6a7b8c9d0e1f", "YmFzaWMtdXNlcjpiYXNpYy1wdw=="],
        keep: &["retrying with bearer ", "after 401", "\"Authorization\":\"Basic "],
        kinds: &["bearer_token", "credential"],
    },
    Case {
        name: "jwt in free text and under access_token",
        input: "got eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJzdWIiOiJmYWtlLXVzZXIifQ.ZmFrZS1zaWduYXR1cmU end\n{\"access_token\":\"eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJmYWtlIn0.c2lnbmF0dXJlLWZha2U\",\"token_type\":\"bearer\",\"expires_in\":599}\n",
        secrets: &["eyJzdWIiOiJmYWtlLXVzZXIifQ", "eyJqdGkiOiJmYWtlIn0", "ZmFrZS1zaWduYXR1cmU"],
        keep: &["got ", " end", "\"access_token\":", "\"token_type\":\"bearer\"", "\"expires_in\":599"],
        kinds: &["jwt", "token"],
    },
    Case {
        // ~/.aws/credentials (INI) and the env variables of the aws cli.
        name: "aws credentials file and env",
        input: "[default]\naws_access_key_id = AKIAFAKEACCESSKEY123\naws_secret_access_key = fAkEsEcReT/kEy+0123456789abcdefghijKLMN\nAWS_SESSION_TOKEN=IQoJb3JpZ2luFAKEsessionTOKEN0123\n",
        secrets: &["AKIAFAKEACCESSKEY123", "fAkEsEcReT/kEy+0123456789abcdefghijKLMN", "IQoJb3JpZ2luFAKEsessionTOKEN0123"],
        keep: &["aws_access_key_id = ", "aws_secret_access_key = ", "AWS_SESSION_TOKEN="],
        kinds: &["aws_access_key", "aws_secret_key", "token"],
    },
    // ---- command lines, logs ----
    Case {
        // `ps -eo user,pid,args` output captured by the collector.
        name: "ps command line flags",
        input: "vcap      4242 /var/vcap/packages/route_registrar/bin/route-registrar --password=ps-cl1-pw --port 8080\nvcap      4343 /var/vcap/packages/x/bin/x --db-password ps-spac3-pw -v\n",
        secrets: &["ps-cl1-pw", "ps-spac3-pw"],
        keep: &["--password=", "--db-password ", "--port 8080", " -v"],
        kinds: &["password"],
    },
    Case {
        // The same `ps` output: client programs given a password as a short flag
        // (illustrative command lines; the flags are those of mysql, sshpass, redis-cli).
        name: "ps client password short flags",
        input: "root      5150 /var/vcap/packages/pxc/bin/mysqldump -u backup -pmy5ql-sh0rt-pw ccdb | gzip\nroot      5151 sshpass -p sshp4ss-pw ssh -p 2222 vcap@10.0.0.9\nvcap      5152 redis-cli -h 10.0.0.7 -a r3dis-cli-pw ping\n",
        secrets: &["my5ql-sh0rt-pw", "sshp4ss-pw", "r3dis-cli-pw"],
        keep: &["mysqldump -u backup -p", "sshpass -p ", "ssh -p 2222 vcap@10.0.0.9", "-a ", " ping", "| gzip"],
        kinds: &["password"],
    },
    Case {
        // capi-release cloud_controller_ng.yml.erb renders `cc.database_encryption.keys`
        // as `keys: <%= keys.to_json %>`: operator-chosen labels, the keys as values
        // (illustrative labels and values).
        name: "cloud controller database_encryption keys",
        input: "db_encryption_key: Fk29sLq0dbEncKeyFAKE\ndatabase_encryption:\n  keys: {\"encryption_key_0\":\"Zk3x9PqLm2Vb7NcR4tYw8HsJ\",\"2024-rotation\":\"Qw8Er7Ty6Ui5Op4As3Df2Gh1\"}\n  current_key_label: \"2024-rotation\"\n",
        secrets: &["Fk29sLq0dbEncKeyFAKE", "Zk3x9PqLm2Vb7NcR4tYw8HsJ", "Qw8Er7Ty6Ui5Op4As3Df2Gh1"],
        keep: &["\"encryption_key_0\":", "\"2024-rotation\":", "current_key_label: \"2024-rotation\""],
        kinds: &["encryption_key", "key"],
    },
    Case {
        // nats-release `jobs/nats/templates/nats.conf.erb` (commit daf6778) builds its
        // cluster routes as "nats-route://#{@username}:#{@password}@#{@address}:#{@cluster_port}",
        // the password unescaped (made-up passwords holding `/`, `?`, `#` and `@`).
        name: "nats.conf cluster routes, password pasted unescaped",
        input: "cluster {\n  routes = [\n    nats-route://nats:Zq7a+b/c=?d@10.0.2.10:4223,\n    nats-route://nats:p#w/x@y@6a1e.nats.service.cf.internal:4223,\n  ]\n}\n",
        secrets: &["Zq7a+b/c=?d", "p#w/x@y"],
        keep: &["nats-route://nats:", "@10.0.2.10:4223,", "@6a1e.nats.service.cf.internal:4223,", "routes = ["],
        kinds: &["url_credentials"],
    },
    Case {
        // Templates paste secrets into quoted YAML unescaped: loggregator-release
        // `loggregator_trafficcontroller/templates/bpm.yml.erb` (single quotes), log-cache-release
        // `log-cache-cf-auth-proxy/templates/bpm.yml.erb` (double quotes); routing-release
        // `tcp_router/templates/tcp_router.yml.erb` unquoted, where ` #` starts a comment.
        // Made-up secrets holding the quote, or ` #`.
        name: "bpm.yml env and tcp_router.yml secrets holding a quote or ` #`",
        input: "    env:\n      TRAFFIC_CONTROLLER_UAA_CLIENT_SECRET: 'Hd63k'Tl63z'\n      UAA_CLIENT_SECRET: \"Hd79k\"Tl79z\"\noauth:\n  client_secret: Hd53k #Tl53z\n",
        secrets: &["Hd63k", "Tl63z", "Hd79k", "Tl79z", "Hd53k", "Tl53z"],
        keep: &["TRAFFIC_CONTROLLER_UAA_CLIENT_SECRET: '", "UAA_CLIENT_SECRET: \"", "client_secret: "],
        kinds: &["client_secret"],
    },
    Case {
        name: "go struct dump in a log",
        input: "2024/05/02 10:11:12 config: {Username:admin Password:g0-struct-pw Port:25555}\n",
        secrets: &["g0-struct-pw"],
        keep: &["Password:", "Username:admin", "Port:25555"],
        kinds: &["password"],
    },
    Case {
        name: "key=value log and passphrase",
        input: "level=info msg=\"connecting\" user=bob password=kv-l0g-pw host=db\nssl_key_passphrase: k3y-passphrase-fake\n",
        secrets: &["kv-l0g-pw", "k3y-passphrase-fake"],
        keep: &["password=", "host=db", "ssl_key_passphrase:"],
        kinds: &["password", "passphrase"],
    },
    Case {
        name: "generic key holding key material",
        input: "signing_key: q8Zx0vK3mN7pL2wR5tY9uI1oFAKE\n\"key\":\"c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0\"\n",
        secrets: &["q8Zx0vK3mN7pL2wR5tY9uI1oFAKE", "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0"],
        keep: &["signing_key:", "\"key\":"],
        kinds: &["key"],
    },
];

#[test]
fn corpus_has_at_least_thirty_placements() {
    assert!(CASES.len() >= 30, "{}", CASES.len());
}

#[test]
fn every_secret_goes_and_every_key_stays() {
    let r = Redactor::new();
    for c in CASES {
        let (out, stats) = redact(c.input);
        for s in c.secrets {
            assert!(
                !out.contains(s),
                "{}: secret {s:?} survived in:\n{out}",
                c.name
            );
        }
        for k in c.keep {
            assert!(out.contains(k), "{}: {k:?} was lost in:\n{out}", c.name);
        }
        for kind in c.kinds {
            let marker = format!("[REDACTED {kind}]");
            assert!(out.contains(&marker), "{}: no {marker} in:\n{out}", c.name);
            assert!(
                stats.by_kind.contains_key(kind),
                "{}: {kind} not counted: {stats:?}",
                c.name
            );
        }
        assert!(
            stats.redactions >= c.kinds.len() as u64,
            "{}: {stats:?}",
            c.name
        );
        assert_eq!(
            stats.leak_scan_hits, 0,
            "{}: the rules should have caught everything: {out}",
            c.name
        );
        for line in out.lines() {
            assert!(
                r.scan_line(line.as_bytes()).is_empty(),
                "{}: leak scan still finds something in {line:?}",
                c.name
            );
        }
    }
}

#[test]
fn redaction_is_idempotent() {
    for c in CASES {
        let (once, _) = redact(c.input);
        let (twice, stats) = redact(&once);
        assert_eq!(twice, once, "{}", c.name);
        assert_eq!(stats.redactions, 0, "{}: {stats:?}", c.name);
    }
}

#[test]
fn scan_line_finds_the_raw_secrets_without_showing_them() {
    let r = Redactor::new();
    let raw = [
        "password: hunter2-fake",
        "nats://nats:n4ts-url-pw@10.0.0.1:4222",
        "{\"k\":\"-----BEGIN RSA PRIVATE KEY-----\\nMIIEpAIBAAKCAQEAzF4k3Rfake\\n\"}",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        "id AKIAFAKEACCESSKEY123",
        "Authorization: Bearer b3ar3rT0kenFAKE0123456789",
        "root 5150 mysqldump -u backup -pmy5ql-sh0rt-pw ccdb",
        "root 5151 sshpass -p sshp4ss-pw ssh vcap@10.0.0.9",
        "vcap 5152 redis-cli -h 10.0.0.7 -a r3dis-cli-pw ping",
        r#"  keys: {"2024-rotation":"Qw8Er7Ty6Ui5Op4As3Df2Gh1"}"#,
    ];
    for l in raw {
        let hits = r.scan_line(l.as_bytes());
        assert!(!hits.is_empty(), "{l}");
        for h in &hits {
            assert!(h.start < h.end && h.end <= l.len());
            assert!(!format!("{h:?}").contains("hunter2"));
        }
    }
}

// ---- near misses: byte for byte ----

/// Inputs that hold no secret and must come out unchanged, with nothing counted.
const NEAR_MISSES: &[(&str, &str)] = &[
    ("password policy", "password_min_length: 8\npassword_policy:\n  minLength: 8\n  requireUpperCaseCharacter: 1\n  expirePasswordInMonths: 0\n  enabled: true\n"),
    ("booleans and ttls", "require_client_secret: true\ntoken_ttl: 3600\naccess_token_validity: 600\nkeep_root_password: false\nencrypted: true\n"),
    ("key paths and names", "key: /var/vcap/jobs/x/config/key.pem\nkey_name: foo\nkey: \"some_name\"\ncert_file: /var/vcap/jobs/x/config/cert.pem\n"),
    ("public keys", "public_key: ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCfake vcap@bosh\nauthorized_keys: []\n"),
    (
        "certificate block",
        "ca: |\n  -----BEGIN CERTIFICATE-----\n  MIIDXTCCAkWgAwIBAgIJAKLfakeCertBody0123456789abcdef\n  c2Vjb25kQ2VydExpbmU=\n  -----END CERTIFICATE-----\n",
    ),
    (
        "public key block under a key name (credhub key_value, uaa verification_key)",
        "jwt:\n  key_value: |\n    -----BEGIN PUBLIC KEY-----\n    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApFakePub\n    -----END PUBLIC KEY-----\n  verification_key: |\n    -----BEGIN PUBLIC KEY-----\n    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApFakePub\n    -----END PUBLIC KEY-----\n",
    ),
    ("json certificate", "{\"ca_cert\":\"-----BEGIN CERTIFICATE-----\\nMIIDfakeCertBody0123456789\\n-----END CERTIFICATE-----\\n\"}\n"),
    ("hashes and ids", "sha1: 30ecedf1888e4ca6ee2df1cfd738f7d20ab8b6a1\nsha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\nid: 14e444f1-48c0-4006-8908-7d535ee88bc0\nkey: 0c9f2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6\n"),
    ("empty values", "{\"password\":\"\",\"token\":\"\"}\npassword:\nsecret: ''\n"),
    ("placeholders", "password: ((admin_password))\nclient_secret: \"((uaa_clients_cc_secret))\"\n"),
    ("already redacted", "password: [REDACTED password]\n{\"client_secret\":\"[REDACTED client_secret]\"}\nnats://nats:[REDACTED url_credentials]@10.0.0.1:4222\n"),
    (
        "lager lines with trigger words but no secrets",
        concat!(
            "{\"timestamp\":\"2024-05-02T10:11:12.123456789Z\",\"level\":\"info\",\"source\":\"uaa\",\"message\":\"uaa.token.fetched\",\"data\":{\"key\":\"cache-key-1\",\"session\":\"4.1\"}}\n",
            "{\"timestamp\":\"1714644672.1\",\"source\":\"gorouter\",\"message\":\"route-registered\",\"data\":{\"uri\":\"api.sys.example.com\",\"backend\":\"https://10.0.1.5:9024\"}}\n",
        ),
    ),
    (
        "bosh-agent lines of seed 004 without secrets",
        concat!(
            "2018-11-06_18:14:07.14589 [httpClient] 2018/11/06 18:14:07 DEBUG - Sending GET request to endpoint 'http://169.254.169.254/latest/meta-data/public-keys/0/openssh-key'\n",
            "2018-11-06_18:37:45.10754 {\"deployment\":\"nginx\",\"job\":\"nginx\",\"index\":0,\"job_state\":\"running\",\"vitals\":{\"cpu\":{\"sys\":\"0.0\"}},\"node_id\":\"14e444f1-48c0-4006-8908-7d535ee88bc0\"}\n",
            "\tUsing environment 'https://10.4.1.4:25555' as user 'admin' (openid, bosh.admin)\n",
        ),
    ),
    ("uaa grant types and endpoints", "authorized-grant-types: password,refresh_token\ntoken_endpoint: https://uaa.example.com/oauth/token\nsecret_name: db-creds\ncredentials_source: env_or_profile\n"),
    ("headers without credentials", "WWW-Authenticate: Bearer realm=\"uaa\", error=\"invalid_token\"\nthe bearer token is invalid\n"),
    ("shell working directory", "PWD=/var/vcap/jobs/rep\nOLDPWD=/root\n"),
    ("s3 encryption setting", "server_side_encryption: AES256\nencryption: aes-256-gcm\n"),
    ("error message about a token", "2024-05-02T10:11:12Z ERROR failed to refresh: invalid token: expired\n"),
    (
        "short -p flags of other programs, and mysql prompting",
        "root 77 mkdir -p /var/vcap/store/mysql\nvcap 78 ssh -p 2222 vcap@10.0.0.9\nroot 79 tar -pxzf mysql-backup.tgz\nroot 80 mysql -p -P 3306 ccdb\n",
    ),
    ("url without password", "https://git@github.com/cloudfoundry/bosh-agent\nssh://vcap@10.0.0.5:22\n"),
];

#[test]
fn near_misses_pass_byte_for_byte() {
    for (name, input) in NEAR_MISSES {
        let (out, stats) = redact(input);
        assert_eq!(&out, input, "{name}");
        assert_eq!(stats, RedactStats::default(), "{name}");
    }
}

// ---- streaming ----

#[test]
fn pem_split_across_many_lines_and_yaml_block_in_one_stream() {
    let mut input = String::from("tls:\n  private_key: |\n    -----BEGIN RSA PRIVATE KEY-----\n");
    for i in 0..25 {
        input.push_str(&format!(
            "    Ym9keUxpbmU{i:02}FakeBase64Body0123456789abcdefghijklmnopqrstuv\n"
        ));
    }
    input.push_str("    -----END RSA PRIVATE KEY-----\n  port: 443\nserver.key: |\n");
    input.push_str("-----BEGIN EC PRIVATE KEY-----\n");
    for i in 0..10 {
        input.push_str(&format!(
            "RUNib2R5TGluZQ{i:02}FakeECBody0123456789abcdefghijklmnopqrstuvwx\n"
        ));
    }
    input.push_str("-----END EC PRIVATE KEY-----\nafter: ok\n");

    let r = Redactor::new();
    let mut stream = r.stream();
    let mut out = Vec::new();
    for line in input.split_inclusive('\n') {
        stream.line(line.as_bytes(), &mut out);
    }
    let out = String::from_utf8(out).unwrap();
    assert!(
        !out.contains("FakeBase64Body") && !out.contains("FakeECBody"),
        "{out}"
    );
    assert_eq!(
        out,
        "tls:\n  private_key: |\n    [REDACTED private_key]\n  port: 443\nserver.key: |\n-----BEGIN EC PRIVATE KEY-----\n[REDACTED private_key]\n-----END EC PRIVATE KEY-----\nafter: ok\n"
    );
    assert_eq!(stream.stats().by_kind.get("private_key"), Some(&2));
}

#[test]
fn line_longer_than_max_line_with_secret_in_first_piece() {
    let mut input = String::from("{\"timestamp\":\"1714644672.1\",\"source\":\"cc\",\"data\":{\"db_password\":\"l0ng-l1ne-pw\",\"blob\":\"");
    input.push_str(&"é0123456789".repeat(2000)); // multi-byte characters across piece cuts
    input.push_str("\"}}\n{\"source\":\"cc\",\"message\":\"next\"}\n");
    let mut out = Vec::new();
    let stats = Redactor::new()
        .redact_reader(input.as_bytes(), &mut out, 1024)
        .unwrap();
    let out = String::from_utf8(out).expect("cuts never split a character");
    assert!(!out.contains("l0ng-l1ne-pw"));
    assert!(out.contains("\"db_password\":\"[REDACTED password]\""));
    assert_eq!(out.replace("[REDACTED password]", "l0ng-l1ne-pw"), input);
    assert_eq!(stats.redactions, 1);
}

#[test]
fn redact_reader_and_stream_agree() {
    let input: String = CASES.iter().map(|c| c.input).collect();
    let (whole, stats) = redact(&input);
    let mut out = Vec::new();
    let reader_stats = Redactor::new()
        .redact_reader(input.as_bytes(), &mut out, 4096)
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), whole);
    assert_eq!(reader_stats, stats);
}

/// Every secret `testkit` plants in its sample Diego cell (the fixture the collector's
/// end-to-end tests use) is gone after redacting every file of the VM.
#[test]
fn testkit_sample_cell_has_no_planted_secret_left() {
    use std::io::Read;
    let (vm, planted) = testkit::sample_cell_temp();
    let r = Redactor::new();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(vm.root()).follow_links(false) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let raw = std::fs::read(entry.path()).unwrap();
        let data = if entry.path().extension().is_some_and(|e| e == "gz") {
            let mut d = Vec::new();
            let _ = flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut d); // truncated ones: what was read
            d
        } else {
            raw
        };
        let mut out = Vec::new();
        r.redact_reader(&data[..], &mut out, 64 * 1024).unwrap();
        planted.assert_none_in(&entry.path().display().to_string(), &out);
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}

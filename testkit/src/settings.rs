//! `/var/vcap/bosh/settings.json`, the bosh-agent's settings, in the real shape.
//!
//! Shape taken from cloudfoundry/bosh-agent: `settings/settings.go` (the `Settings`,
//! `Blobstore`, `Disks`, `Env`/`BoshEnv`, `Network` and `VM` structs and their JSON tags)
//! and `integration/assets/generic_settings.json` (a settings fixture); the `env.bosh.mbus`,
//! `env.bosh.blobstores` and `trusted_certs` parts follow bosh-agent's newer settings
//! fixtures (mbus TLS cert with a private key, a list of blobstores with credentials).
//! The agent writes the file with Go's `json.Marshal`, so it is one compact line; so is ours.
//!
//! Every credential here is a planted secret; [`AgentSettings::secrets`] lists them.

use crate::certs;
use crate::lines::json_str;

/// The bosh-agent settings of a fake VM. Public fields: change what a test needs.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentSettings {
    pub agent_id: String,
    /// The VM CID (`vm.name`), e.g. an AWS instance id.
    pub vm_cid: String,
    pub director_ip: String,
    pub nats_user: String,
    pub nats_password: String,
    pub blobstore_bucket: String,
    pub blobstore_region: String,
    /// AWS-style access key id (`AKIA...`).
    pub access_key_id: String,
    pub secret_access_key: String,
    pub dav_user: String,
    pub dav_password: String,
    /// `env.bosh.password`: the vcap user's password as a SHA-512 crypt hash (`$6$...`).
    pub vcap_password_hash: String,
    /// PEM private key of the agent's mbus (NATS) TLS client certificate.
    pub mbus_private_key: String,
    pub network_name: String,
    pub ip: String,
    pub netmask: String,
    pub gateway: String,
    pub mac: String,
    pub dns: Vec<String>,
    pub system_disk: String,
    pub ephemeral_disk: String,
    /// Persistent disk CID and device path; `None` for a VM without one.
    pub persistent_disk: Option<(String, String)>,
    pub ntp: Vec<String>,
}

impl AgentSettings {
    /// Realistic defaults for an AWS VM whose agent id is `agent_id`, with planted secrets.
    pub fn new(agent_id: &str) -> AgentSettings {
        AgentSettings {
            agent_id: agent_id.to_string(),
            vm_cid: "i-0a7c3e9b5d1f24680".into(),
            director_ip: "10.0.0.6".into(),
            nats_user: "nats".into(),
            nats_password: "UB2wXDtzdpJYvgZnYujYbApz817nth".into(),
            blobstore_bucket: "bosh-director-blobs".into(),
            blobstore_region: "us-east-1".into(),
            access_key_id: "AKIA4MBBJDE1YXOH6U2R".into(),
            secret_access_key: "1McEFl9B9uw/iLIQa3vgLNYk9EQviFbhvfF4VaXg".into(),
            dav_user: "agent".into(),
            dav_password: "rjCaESxyPI6i3LdXhiS3THlzLOHPhB".into(),
            vcap_password_hash: "$6$xTnD2uBc9v5Kq0Lm$c/ujWYnqAT6VIpjCEFOAv0YDGIznp1zRs3Jb014peARda65ln14H4h7BOL4Myht9JXGq1ZPmumpZxzzDM0ENJ0".into(),
            mbus_private_key: certs::MBUS_KEY.into(),
            network_name: "default".into(),
            ip: "10.0.16.13".into(),
            netmask: "255.255.240.0".into(),
            gateway: "10.0.16.1".into(),
            mac: "02:12:47:61:64:aa".into(),
            dns: vec!["169.254.0.2".into(), "10.0.0.2".into()],
            system_disk: "/dev/xvda".into(),
            ephemeral_disk: "/dev/xvdb".into(),
            persistent_disk: Some(("vol-0f3e2d1c0b9a87654".into(), "/dev/xvdf".into())),
            ntp: vec!["0.pool.ntp.org".into(), "1.pool.ntp.org".into()],
        }
    }

    /// The `mbus` URL: `nats://user:password@director:4222`.
    pub fn mbus_url(&self) -> String {
        format!(
            "nats://{}:{}@{}:4222",
            self.nats_user, self.nats_password, self.director_ip
        )
    }

    /// The secrets in these settings, as (label, value).
    pub fn secrets(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "settings.json mbus NATS password",
                self.nats_password.clone(),
            ),
            (
                "settings.json blobstore s3 access_key_id",
                self.access_key_id.clone(),
            ),
            (
                "settings.json blobstore s3 secret_access_key",
                self.secret_access_key.clone(),
            ),
            (
                "settings.json env.bosh.blobstores dav password",
                self.dav_password.clone(),
            ),
            (
                "settings.json env.bosh.password ($6$ hash)",
                self.vcap_password_hash.clone(),
            ),
            (
                "settings.json env.bosh.mbus.cert.private_key",
                self.mbus_private_key.clone(),
            ),
        ]
    }

    /// The file's content: compact JSON, as the agent writes it.
    pub fn to_json(&self) -> String {
        let s = json_str;
        let list =
            |v: &[String]| format!("[{}]", v.iter().map(|x| s(x)).collect::<Vec<_>>().join(","));
        let persistent = match &self.persistent_disk {
            Some((cid, path)) => format!(r#"{{{}:{{"path":{}}}}}"#, s(cid), s(path)),
            None => "{}".into(),
        };
        let dav = format!(
            r#"{{"provider":"dav","options":{{"endpoint":{},"user":{},"password":{},"tls":{{"cert":{{"ca":{}}}}}}}}}"#,
            s(&format!("https://{}:25250", self.director_ip)),
            s(&self.dav_user),
            s(&self.dav_password),
            s(certs::CA_CERT_PEM)
        );
        let s3 = format!(
            r#"{{"provider":"s3","options":{{"bucket_name":{},"credentials_source":"static","access_key_id":{},"secret_access_key":{},"region":{}}}}}"#,
            s(&self.blobstore_bucket),
            s(&self.access_key_id),
            s(&self.secret_access_key),
            s(&self.blobstore_region)
        );
        let network = format!(
            concat!(
                r#"{{"type":"manual","ip":{},"netmask":{},"gateway":{},"resolved":false,"use_dhcp":true,"#,
                r#""default":["dns","gateway"],"dns":{},"mac":{},"preconfigured":false,"#,
                r#""cloud_properties":{{"subnet":"subnet-0123456789abcdef0"}}}}"#
            ),
            s(&self.ip),
            s(&self.netmask),
            s(&self.gateway),
            list(&self.dns),
            s(&self.mac)
        );
        format!(
            concat!(
                r#"{{"agent_id":{agent_id},"blobstore":{s3},"#,
                r#""disks":{{"system":{system},"ephemeral":{ephemeral},"persistent":{persistent},"raw_ephemeral":null}},"#,
                r#""env":{{"bosh":{{"password":{password},"keep_root_password":false,"remove_dev_tools":true,"#,
                r#""remove_static_libraries":false,"authorized_keys":[],"swap_size":null,"#,
                r#""mbus":{{"cert":{{"ca":{ca},"private_key":{mbus_key},"certificate":""}},"urls":[{mbus}]}},"#,
                r#""blobstores":[{dav}],"ipv6":{{"enable":false}},"job_dir":{{"tmpfs":false}}}},"#,
                r#""persistent_disk_fs":""}},"#,
                r#""networks":{{{net_name}:{network}}},"ntp":{ntp},"mbus":{mbus},"#,
                r#""vm":{{"name":{vm}}},"trusted_certs":{ca}}}"#
            ),
            agent_id = s(&self.agent_id),
            s3 = s3,
            system = s(&self.system_disk),
            ephemeral = s(&self.ephemeral_disk),
            persistent = persistent,
            password = s(&self.vcap_password_hash),
            ca = s(certs::CA_CERT_PEM),
            mbus_key = s(&self.mbus_private_key),
            mbus = s(&self.mbus_url()),
            dav = dav,
            net_name = s(&self.network_name),
            network = network,
            ntp = list(&self.ntp),
            vm = s(&self.vm_cid),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_balanced_and_holds_every_secret() {
        let st = AgentSettings::new("agent-1");
        let json = st.to_json();
        assert!(!json.contains('\n'), "compact, like json.Marshal");
        let (mut depth, mut in_str, mut esc) = (0i32, false, false);
        for c in json.chars() {
            match (in_str, esc, c) {
                (true, true, _) => esc = false,
                (true, false, '\\') => esc = true,
                (true, false, '"') => in_str = false,
                (false, _, '"') => in_str = true,
                (false, _, '{') | (false, _, '[') => depth += 1,
                (false, _, '}') | (false, _, ']') => {
                    depth -= 1;
                    assert!(depth >= 0);
                }
                _ => {}
            }
        }
        assert_eq!(depth, 0);
        assert!(!in_str);
        let mut planted = crate::PlantedSecrets::new();
        for (label, value) in st.secrets() {
            planted.add(label, value, "var/vcap/bosh/settings.json");
        }
        assert_eq!(planted.found_in(json.as_bytes()).len(), planted.len());
        assert!(
            json.contains(r#""mbus":"nats://nats:UB2wXDtzdpJYvgZnYujYbApz817nth@10.0.0.6:4222""#)
        );
    }
}

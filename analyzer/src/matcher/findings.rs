//! Turning grouped hits into [`Finding`]s: the job a file belongs to and the summary
//! rendered from the first hit's captures. Ids are assigned later, after sorting.

use super::GroupedHit;
use crate::finding::Finding;
use crate::signature::Signature;
use std::collections::BTreeMap;

/// The BOSH job a VM path belongs to: `<job>` in `var/vcap/sys/log/<job>/...` or
/// `var/vcap/jobs/<job>/...` (a leading `/` or `./` is ignored).
pub fn job_of(path: &str) -> Option<&str> {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let rest = path
        .strip_prefix("var/vcap/sys/log/")
        .or_else(|| path.strip_prefix("var/vcap/jobs/"))?;
    let (job, below) = rest.split_once('/')?;
    (!job.is_empty() && !below.is_empty()).then_some(job)
}

/// Renders a summary template: `{name}` becomes the capture `name`, `{path}` the path
/// (a capture named `path` wins); any other `{...}` is left as it is.
pub fn render_summary(template: &str, captures: &BTreeMap<String, String>, path: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after
            .find('}')
            .map(|close| &after[..close])
            .filter(|n| is_placeholder_name(n));
        match name {
            Some(name) => {
                match captures.get(name) {
                    Some(v) => out.push_str(v),
                    None if name == "path" => out.push_str(path),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a template, in order (what [`render_summary`] replaces).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(name) = rest
            .find('}')
            .map(|close| &rest[..close])
            .filter(|n| is_placeholder_name(n))
        {
            names.push(name);
            rest = &rest[name.len() + 1..];
        }
    }
    names
}

fn is_placeholder_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// One finding per grouped hit of the file at `path` on `vm` (or on the VM the hit's lines
/// name: [`GroupedHit::vm`]). `sigs` is the slice the
/// [`super::Matcher`] was built from (hits name signatures by index). `id` is left empty:
/// the engine numbers findings after sorting them.
pub fn to_findings(sigs: &[Signature], hits: &[GroupedHit], vm: &str, path: &str) -> Vec<Finding> {
    let job = job_of(path).map(str::to_string);
    // monit's own files name the process, which is the job's name on BOSH VMs.
    let monit = path.starts_with("var/vcap/monit/") || path.starts_with("commands/monit-");
    hits.iter()
        .map(|h| {
            let sig = &sigs[h.signature];
            let job = job
                .clone()
                .or_else(|| monit.then(|| h.captures.get("process").cloned()).flatten());
            Finding {
                id: String::new(),
                signature: sig.id.clone(),
                category: sig.category.clone(),
                kind: sig.kind,
                severity: sig.severity,
                title: sig.title.clone(),
                summary: render_summary(&sig.report.summary, &h.captures, path),
                vm: h.vm.as_deref().unwrap_or(vm).to_string(),
                job,
                path: path.to_string(),
                line: Some(h.first_line),
                timestamp: h.first_ts,
                last_seen: h.last_ts,
                count: h.count,
                excerpt: h.excerpt.clone(),
                captures: h.captures.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_from_log_and_jobs_paths() {
        assert_eq!(job_of("var/vcap/sys/log/rep/rep.stdout.log"), Some("rep"));
        assert_eq!(
            job_of("/var/vcap/sys/log/metron_agent/x/y.log"),
            Some("metron_agent")
        );
        assert_eq!(
            job_of("./var/vcap/jobs/credhub/config/cert.pem"),
            Some("credhub")
        );
        assert_eq!(job_of("var/vcap/sys/log/loose.log"), None);
        assert_eq!(job_of("var/vcap/monit/monit.log"), None);
        assert_eq!(job_of("var/vcap/bosh/log/current"), None);
        assert_eq!(job_of("commands/monit-summary.txt"), None);
    }

    #[test]
    fn summary_placeholders() {
        let caps: BTreeMap<String, String> = [("protocols".to_string(), "udp".to_string())].into();
        let p = "var/vcap/sys/log/metron_agent/metron_agent.stderr.log";
        assert_eq!(
            render_summary("no doppler on {protocols} in {path}", &caps, p),
            format!("no doppler on udp in {p}")
        );
        assert_eq!(
            render_summary("{unknown} {protocols}", &caps, p),
            "{unknown} udp"
        );
        assert_eq!(
            render_summary("json {\"a\": 1} {", &caps, p),
            "json {\"a\": 1} {"
        );
        assert_eq!(render_summary("{{protocols}}", &caps, p), "{udp}");
        assert_eq!(render_summary("héllo {protocols}é", &caps, p), "héllo udpé");
        assert_eq!(placeholders("a {x} {y_1} {not valid} {"), ["x", "y_1"]);
    }
}

//! The fleet view: VMs counted per deployment and instance group, so a report over a
//! thousand VMs says "metron_agent panicked on 1000 of 1000 VMs: api_z1 200/200,
//! diego_cell_z1 200/200, ..." and "disk full on diego_cell_z1 3 of 120" instead of listing
//! VMs one by one, and names the VMs that differ from their group (the odd one out is
//! often the cause, as `doppler_z2/0` in seed 000).
//!
//! A VM's instance group is its name up to the last `/` (`diego_cell_z1/7` ->
//! `diego_cell_z1`; a name without `/`, such as `stdin`, is its own group); its deployment
//! is its bundle's. [`annotate`] adds the counts to a report's root causes and fleet (the
//! JSON fields documented on [`super::model`]); the human formats use [`Fleet`] directly.

use super::model::{GroupCount, OddOne, Report};
use std::collections::{BTreeMap, BTreeSet};

/// The VMs of a report, by (deployment, instance group).
pub struct Fleet<'a> {
    groups: BTreeMap<(Option<&'a str>, &'a str), BTreeSet<&'a str>>,
    /// VM name -> its group key.
    of: BTreeMap<&'a str, (Option<&'a str>, &'a str)>,
}

/// The instance group of a VM name.
pub fn instance_group(vm: &str) -> &str {
    vm.rsplit_once('/').map_or(vm, |(g, _)| g)
}

impl<'a> Fleet<'a> {
    /// Every VM of `r`: its bundles' and any other a finding names.
    pub fn new(r: &'a Report) -> Fleet<'a> {
        let mut f = Fleet {
            groups: BTreeMap::new(),
            of: BTreeMap::new(),
        };
        for b in &r.bundles {
            f.add(&b.vm, b.deployment.as_deref());
        }
        for x in &r.findings {
            if !f.of.contains_key(x.vm.as_str()) {
                f.add(&x.vm, None);
            }
        }
        f
    }

    fn add(&mut self, vm: &'a str, deployment: Option<&'a str>) {
        let key = (deployment, instance_group(vm));
        self.groups.entry(key).or_default().insert(vm);
        // One VM name in two deployments (`bosh/0` of the director and of a `bosh`
        // instance group): the smaller key, whatever order the bundles come in.
        self.of
            .entry(vm)
            .and_modify(|k| *k = (*k).min(key))
            .or_insert(key);
    }

    /// The groups in order (deployment, instance group), each with its VMs.
    pub fn groups(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str, &BTreeSet<&'a str>)> {
        self.groups.iter().map(|((d, g), m)| (*d, *g, m))
    }

    /// The (deployment, instance group) of a VM of the report.
    pub fn group_of(&self, vm: &str) -> Option<(Option<&'a str>, &'a str)> {
        self.of.get(vm).copied()
    }

    /// How many VMs in all.
    pub fn vms(&self) -> usize {
        self.of.len()
    }

    /// Whether the VMs span more than one deployment (then names carry it).
    fn deployments(&self) -> usize {
        self.groups
            .keys()
            .map(|(d, _)| *d)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// `vms` counted per group, largest share first (groups without any left out).
    pub fn count<'v>(&self, vms: impl IntoIterator<Item = &'v str>) -> Vec<GroupCount> {
        let mut hit: BTreeMap<(Option<&str>, &str), u64> = BTreeMap::new();
        for vm in vms {
            if let Some(key) = self.of.get(vm) {
                *hit.entry(*key).or_default() += 1;
            }
        }
        let mut out: Vec<GroupCount> = hit
            .into_iter()
            .map(|((d, g), n)| GroupCount {
                deployment: d.map(str::to_string),
                instance_group: g.to_string(),
                vms: n,
                of: self.groups[&(d, g)].len() as u64,
            })
            .collect();
        out.sort_by(|a, b| {
            b.vms
                .cmp(&a.vms)
                .then(a.deployment.cmp(&b.deployment))
                .then(a.instance_group.cmp(&b.instance_group))
        });
        out
    }

    /// The VMs that differ from their group: the few that have it where most of their group
    /// does not (or the only one in the fleet), and the few that lack it where most of
    /// their group has it. At most `max`.
    pub fn odd_ones<'v>(&self, vms: impl IntoIterator<Item = &'v str>, max: usize) -> Vec<OddOne> {
        let affected: BTreeSet<&str> = vms.into_iter().collect();
        let mut out = Vec::new();
        if affected.len() == 1 && self.vms() >= 3 {
            let vm = affected.iter().next().unwrap();
            out.push(OddOne {
                vm: vm.to_string(),
                why: format!("the only one of {} VMs", self.vms()),
            });
            return out;
        }
        for ((_, group), members) in &self.groups {
            let n = members.len();
            let a = members.iter().filter(|m| affected.contains(*m)).count();
            if n < 4 || a == 0 || a == n {
                continue;
            }
            let (odd, what): (Vec<&&str>, &str) = if a * 4 <= n {
                (
                    members.iter().filter(|m| affected.contains(*m)).collect(),
                    "with it",
                )
            } else if a * 4 >= 3 * n {
                (
                    members.iter().filter(|m| !affected.contains(*m)).collect(),
                    "without it",
                )
            } else {
                continue;
            };
            for vm in odd {
                out.push(OddOne {
                    vm: vm.to_string(),
                    why: format!(
                        "{} of {n} {group} VMs {what}",
                        if what == "with it" { a } else { n - a }
                    ),
                });
            }
        }
        out.truncate(max);
        out
    }

    /// `api_z1 200/200, diego_cell_z1 3/120, ...` (at most `max` groups, then `and N more
    /// groups`), the deployment named when there are several.
    pub fn summary(&self, counts: &[GroupCount], max: usize) -> String {
        let many = self.deployments() > 1;
        let mut parts: Vec<String> = counts
            .iter()
            .take(max)
            .map(|c| {
                let name = match (&c.deployment, many) {
                    (Some(d), true) => format!("{d}/{}", c.instance_group),
                    _ => c.instance_group.clone(),
                };
                format!("{name} {}/{}", c.vms, c.of)
            })
            .collect();
        if counts.len() > max {
            parts.push(format!("and {} more groups", counts.len() - max));
        }
        parts.join(", ")
    }

    /// `vms` for a reader: in a fleet of more than `names` VMs, `N of M VMs: <per group>`
    /// (and the names when there are at most `NAMED`); in a small one, `N VM(s): <names>`.
    pub fn describe<'v>(&self, vms: impl IntoIterator<Item = &'v str>, names: usize) -> String {
        let all: Vec<&str> = vms.into_iter().collect();
        let list = |max| super::group::vm_list(all.iter().copied(), max);
        if self.vms() <= names {
            return format!("{} VM(s): {}", all.len(), list(names));
        }
        let counts = self.count(all.iter().copied());
        let named = if all.len() <= NAMED {
            format!(" ({})", list(NAMED))
        } else {
            String::new()
        };
        format!(
            "{} of {} VMs: {}{named}",
            all.len(),
            self.vms(),
            self.summary(&counts, 6)
        )
    }
}

/// In a fleet, the VMs of a finding are named too when there are at most this many.
const NAMED: usize = 4;

/// Odd ones for a reader, those with the same reason together:
/// `a/1, a/2 (2 of 120 a VMs with it); b/0 (the only one of 9 VMs)`.
pub fn odd_text(odd: &[OddOne]) -> String {
    let mut by_why: Vec<(&str, Vec<&str>)> = Vec::new();
    for o in odd {
        match by_why.iter_mut().find(|(w, _)| *w == o.why) {
            Some((_, vms)) => vms.push(&o.vm),
            None => by_why.push((&o.why, vec![&o.vm])),
        }
    }
    by_why
        .iter()
        .map(|(why, vms)| format!("{} ({why})", vms.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Adds the fleet counts to `r`: each root cause's groups (where it was seen and where its
/// symptoms were), its odd ones out, and the fleet's groups with how many VMs have
/// findings.
pub fn annotate(r: &mut Report) {
    let (causes, fleet) = {
        let f = Fleet::new(r);
        let causes: Vec<_> = r
            .root_causes
            .iter()
            .map(|rc| {
                (
                    f.count(rc.vms.iter().map(String::as_str)),
                    f.count(rc.symptom_vms.iter().map(String::as_str)),
                    f.odd_ones(rc.vms.iter().map(String::as_str), 10),
                )
            })
            .collect();
        let with_findings: BTreeSet<&str> = r.findings.iter().map(|x| x.vm.as_str()).collect();
        let counted = f.count(with_findings.iter().copied());
        let fleet: Vec<GroupCount> = f
            .groups
            .iter()
            .map(|((d, g), members)| GroupCount {
                deployment: d.map(str::to_string),
                instance_group: g.to_string(),
                vms: counted
                    .iter()
                    .find(|c| c.deployment.as_deref() == *d && c.instance_group == *g)
                    .map_or(0, |c| c.vms),
                of: members.len() as u64,
            })
            .collect();
        (causes, fleet)
    };
    for (rc, (groups, symptom_groups, odd)) in r.root_causes.iter_mut().zip(causes) {
        rc.groups = groups;
        rc.symptom_groups = symptom_groups;
        rc.odd_ones = odd;
    }
    r.fleet = fleet;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(group: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{group}/{i}")).collect()
    }

    fn report(groups: &[(&str, usize)]) -> Report {
        let mut r: Report = serde_json::from_str(
            r#"{"schema":1,"generated_by":"t","now":null,"bundles":[],"root_causes":[],
                "findings":[],"unexplained":[],"latent":[],"certificates":[],
                "coverage":{"inputs":0,"vms":0,"files":0,"bytes":0,"skipped":[],"errors":[]}}"#,
        )
        .unwrap();
        for (g, n) in groups {
            for vm in names(g, *n) {
                r.bundles.push(crate::report::model::Bundle {
                    path: vm.clone(),
                    vm,
                    deployment: Some("cf".into()),
                    az: None,
                    collected_at: None,
                    complete: None,
                    files: 1,
                    bytes: 1,
                    problems: Vec::new(),
                });
            }
        }
        r
    }

    #[test]
    fn a_thousand_vms_are_counted_per_group() {
        let r = report(&[
            ("api_z1", 200),
            ("diego_cell_z1", 200),
            ("router_z1", 200),
            ("doppler_z1", 200),
            ("uaa_z1", 200),
        ]);
        let f = Fleet::new(&r);
        let all: Vec<&str> = r.bundles.iter().map(|b| b.vm.as_str()).collect();
        let text = f.describe(all.iter().copied(), 6);
        assert!(
            text.starts_with("1000 of 1000 VMs: api_z1 200/200, diego_cell_z1 200/200"),
            "{text}"
        );
        let cells: Vec<String> = names("diego_cell_z1", 3);
        let text = f.describe(cells.iter().map(String::as_str), 6);
        assert_eq!(
            text,
            "3 of 1000 VMs: diego_cell_z1 3/200 (diego_cell_z1/0, diego_cell_z1/1, diego_cell_z1/2)"
        );
    }

    #[test]
    fn the_odd_one_out_is_named() {
        let r = report(&[("diego_cell_z1", 120), ("doppler_z1", 2), ("doppler_z2", 1)]);
        let f = Fleet::new(&r);
        // the only VM with the cause
        let odd = f.odd_ones(["doppler_z2/0"], 10);
        assert_eq!(odd[0].vm, "doppler_z2/0");
        assert_eq!(odd[0].why, "the only one of 123 VMs");
        // a few cells with it
        let odd = f.odd_ones(["diego_cell_z1/3", "diego_cell_z1/9"], 10);
        assert_eq!(odd.len(), 2);
        assert_eq!(odd[0].why, "2 of 120 diego_cell_z1 VMs with it");
        // every cell but one
        let all_but: Vec<String> = names("diego_cell_z1", 120)
            .into_iter()
            .filter(|v| v != "diego_cell_z1/7")
            .collect();
        let odd = f.odd_ones(all_but.iter().map(String::as_str), 10);
        assert_eq!(odd.len(), 1);
        assert_eq!(odd[0].vm, "diego_cell_z1/7");
        assert_eq!(odd[0].why, "1 of 120 diego_cell_z1 VMs without it");
    }
}

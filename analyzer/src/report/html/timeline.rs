//! The timeline: inline SVG, one lane per VM (every VM, even one with no finding; in a
//! large fleet, lanes per instance group, VMs with the same findings sharing one), each
//! dated finding a dot at its first hit and a bar to its last, coloured by severity and
//! labelled with its title and hit count, with a `<title>` tooltip and a link to its row.
//! A triangle marks each bundle's collection time. Findings whose lines carry no time
//! (a Go panic, `monit summary`, a structured check) cannot be placed on the axis: they
//! are drawn in a band of their own at the right of each lane, headed "no time in the
//! line", and listed under the chart, grouped by signature.
//!
//! Lane labels are unique: a long name keeps its group and the start of its id
//! (`diego_cell/6f1c3e2a…`); two VMs with the same name are told apart by deployment, then
//! by number.
//!
//! The chart covers at most [`WINDOW_MS`] ending at the newest event no later than a day
//! past "now": a certificate that expired years ago, or a VM whose clock is far off, would
//! otherwise squash every other mark into a pixel. Findings outside are pinned to the edge
//! as arrows whose tooltip gives the real time.

use super::sections::group_item;
use super::{clip, esc, time, Ctx, Out, CLOCK_SPREAD_WARN_MS, FLEET_OVER};
use crate::finding::Finding;
use crate::report::group::by_signature;
use jiff::Timestamp;
use std::collections::HashMap;
use std::fmt::Write as _;

const WIDTH: f64 = 1300.0;
const LABEL_W: f64 = 250.0;
const RIGHT_PAD: f64 = 40.0;
/// Width of the band of findings without a time (when there are any).
const UNDATED_W: f64 = 330.0;
/// Approximate width of one character of a mark's label (11 px sans-serif).
const CHAR_W: f64 = 6.2;
/// Characters of a mark's label.
const LABEL_CHARS: usize = 44;
const AXIS_H: f64 = 26.0;
const LANE_H: f64 = 24.0;
/// Height of one sub-row of marks inside a lane.
const SUBROW_H: f64 = 16.0;
/// Sub-rows a lane grows to before overlapping marks share the last.
const MAX_SUBROWS: usize = 4;
/// Marks drawn per lane, and on the whole chart (a large fleet gets fewer per lane, never
/// under [`MIN_MARKS_PER_LANE`]); the rest are counted at the lane's end.
const MAX_MARKS_PER_LANE: usize = 200;
const MAX_MARKS_TOTAL: usize = 5000;
const MIN_MARKS_PER_LANE: usize = 10;
/// The longest time the chart covers.
const WINDOW_MS: i64 = 7 * DAY_MS;
const DAY_MS: i64 = 86_400_000;

/// Tick steps, in milliseconds (the window is at most a week and a bit).
const STEPS: [i64; 19] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    DAY_MS,
    2 * DAY_MS,
];

pub(super) fn render(c: &Ctx, h: &mut String) -> Out {
    let r = c.r;
    let (dated, undated): (Vec<&Finding>, Vec<&Finding>) =
        r.findings.iter().partition(|f| f.timestamp.is_some());
    let plot_end = if undated.is_empty() {
        WIDTH - RIGHT_PAD
    } else {
        WIDTH - RIGHT_PAD - UNDATED_W
    };
    let axis = Axis::new(
        &dated,
        r.bundles.iter().filter_map(|b| b.collected_at),
        r.now,
        plot_end,
    );
    let pinned = axis.as_ref().map_or(0, |a| {
        dated
            .iter()
            .filter(|f| f.timestamp.map(ms).is_some_and(|t| !a.contains(t)))
            .count()
    });
    writeln!(
        h,
        "<section id=\"timeline\">\n<h2>Timeline <span class=\"count\">({} finding(s) with a time, \
         {} without, on {} VM(s))</span></h2>",
        dated.len(),
        undated.len(),
        c.vms.len()
    )?;
    match &axis {
        Some(a) => {
            write!(
                h,
                "<p class=\"muted\">From {} to {} (UTC, as each VM's clock wrote it).",
                esc(&time(ts(a.start))),
                esc(&time(ts(a.end)))
            )?;
            if pinned > 0 {
                write!(
                    h,
                    " {pinned} finding(s) outside this window (at most a week, ending near \"now\") \
                     are pinned to its edges as arrows; hover one for its time."
                )?;
            }
            h.push_str("</p>\n");
        }
        None => h.push_str("<p class=\"none\">No finding carries a timestamp and no bundle a collection time.</p>\n"),
    }
    if !undated.is_empty() {
        writeln!(
            h,
            "<p class=\"muted\">The band on the right, <b>no time in the line</b>, holds the {} \
             finding(s) whose lines carry no timestamp (Go panics, <code>monit summary</code>, \
             structured checks such as certificates and disks): they happened before the \
             bundle was collected, but when cannot be told.</p>",
            undated.len()
        )?;
    }
    legend(h);
    let per_lane =
        (MAX_MARKS_TOTAL / c.vms.len().max(1)).clamp(MIN_MARKS_PER_LANE, MAX_MARKS_PER_LANE);
    let lanes = layout(c, axis.as_ref(), per_lane, !undated.is_empty());
    let height = lanes.last().map_or(AXIS_H, |l| l.y + l.height) + 8.0;
    writeln!(
        h,
        "<svg class=\"chart timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"timeline-title\">\n\
         <title id=\"timeline-title\">Findings over time, one lane per VM</title>"
    )?;
    for (i, lane) in lanes.iter().enumerate() {
        writeln!(
            h,
            "<rect class=\"lane-bg{}\" x=\"0\" y=\"{:.1}\" width=\"{WIDTH}\" height=\"{:.1}\"/>",
            if i % 2 == 1 { " alt" } else { "" },
            lane.y,
            lane.height
        )?;
    }
    if let Some(a) = &axis {
        a.ticks(h, height)?;
    }
    if !undated.is_empty() {
        let x = plot_end + RIGHT_PAD / 2.0;
        writeln!(
            h,
            "<rect class=\"undated-bg\" x=\"{x:.1}\" y=\"0\" width=\"{:.1}\" height=\"{height:.1}\"/>\
             <text class=\"undated-head\" x=\"{:.1}\" y=\"16\"><title>These lines carry no timestamp: \
             they cannot be placed on the time axis</title>no time in the line</text>",
            WIDTH - x,
            x + 8.0
        )?;
    }
    for lane in &lanes {
        let (vm, y) = (lane.vm, lane.y);
        if let Some(head) = &lane.heading {
            writeln!(
                h,
                "<g class=\"group-lane\"><text class=\"lbl group\" x=\"8\" y=\"{:.1}\">{}</text></g>",
                y + 16.0,
                esc(head)
            )?;
            continue;
        }
        let bundle = c.bundle_of(vm);
        let collected = bundle.and_then(|b| b.collected_at);
        writeln!(
            h,
            "<g class=\"lane\" data-vm=\"{}\">\n<a href=\"#{}\"><text class=\"lbl\" x=\"8\" y=\"{:.1}\"><title>{}{}{}</title>{}</text></a>",
            esc(vm),
            c.vm_anchor(vm),
            y + 16.0,
            esc(vm),
            match lane.alike {
                n if n > 1 => format!("\nand {} more VMs of its group with the same findings (the marks are this one's)", n - 1),
                _ => bundle.map_or(String::new(), |b| format!("\n{}", esc(&b.path))),
            },
            collected.map_or(String::new(), |t| format!("\ncollected at {}", esc(&t.to_string()))),
            esc(&lane.label),
        )?;
        for (row, f) in lane.undated.iter().enumerate() {
            chip(
                h,
                f,
                plot_end + RIGHT_PAD / 2.0 + 8.0,
                y + 4.0 + SUBROW_H * row as f64,
            )?;
        }
        if lane.undated_hidden > 0 {
            writeln!(
                h,
                "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">+{}</text>",
                WIDTH - 6.0,
                y + 4.0 + SUBROW_H * (lane.undated.len() as f64 - 0.5) + 4.0,
                lane.undated_hidden
            )?;
        }
        let Some(a) = &axis else {
            h.push_str("</g>\n");
            continue;
        };
        for (f, row) in &lane.marks {
            mark(h, a, f, y + 4.0 + SUBROW_H * (*row as f64 + 0.5))?;
        }
        if let Some(t) = collected.map(ms).filter(|t| a.contains(*t)) {
            let x = a.x(t);
            writeln!(
                h,
                "<path class=\"collected\" d=\"M{:.1} {:.1}h8l-4 7z\"><title>{} collected at {}</title></path>",
                x - 4.0,
                y + 1.0,
                esc(vm),
                esc(&ts(t).to_string())
            )?;
        }
        if lane.hidden > 0 {
            writeln!(
                h,
                "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\"><title>{} more finding(s) on this VM, the least severe, not drawn</title>+{}</text>",
                plot_end + 4.0,
                y + 16.0,
                lane.hidden,
                lane.hidden
            )?;
        }
        h.push_str("</g>\n");
    }
    h.push_str("</svg>\n");
    if undated.is_empty() {
        h.push_str("<p class=\"muted\">Every finding carries a timestamp.</p>\n");
    } else {
        let ids: Vec<String> = undated.iter().map(|f| f.id.clone()).collect();
        writeln!(
            h,
            "<h3>Findings without a timestamp ({})</h3>\n<p class=\"muted\">Lines with no time \
             (panics, command output, structured checks) cannot be placed on the chart.</p>\n<ul>",
            undated.len()
        )?;
        for g in by_signature(r, &ids) {
            group_item(c, &g, h)?;
        }
        h.push_str("</ul>\n");
    }
    if spread(c) > CLOCK_SPREAD_WARN_MS {
        h.push_str("<p class=\"note\">The bundles' collection times differ: see <a href=\"#clock-spread\">the note at the top</a> before lining up events across lanes.</p>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

/// A mark's label: its title and, past one hit, how many.
fn label(f: &Finding) -> String {
    let title = clip(&f.title, LABEL_CHARS);
    if f.count > 1 {
        format!("{title} ×{}", f.count)
    } else {
        title
    }
}

fn label_w(f: &Finding) -> f64 {
    label(f).chars().count() as f64 * CHAR_W
}

/// A finding without a time, in the band: a square of its severity and its label.
fn chip(h: &mut String, f: &Finding, x: f64, top: f64) -> Out {
    let sev = f.severity.as_str();
    let line = f.line.map_or(String::new(), |l| format!(":{l}"));
    let tip = format!(
        "[{sev}] {} ({})\n{} {}{line}\nno time in the line\n{} hit(s)\n{}",
        f.title,
        f.signature,
        f.vm,
        f.path,
        f.count,
        clip(&f.excerpt, 160)
    );
    writeln!(
        h,
        "<a href=\"#finding-{}\"><g class=\"mark undated\"><title>{}</title>\
         <rect class=\"dot {sev}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" rx=\"2\"/>\
         <text class=\"mlbl\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g></a>",
        esc(&f.id),
        esc(&tip),
        top + 3.0,
        x + 15.0,
        top + 12.0,
        esc(&label(f))
    )
}

/// One finding: a dot at its first hit, a bar to its last when later, a tooltip, a link.
/// Outside the window: an arrow at the edge.
fn mark(h: &mut String, a: &Axis, f: &Finding, cy: f64) -> Out {
    let first = f.timestamp.map(ms).unwrap_or(a.start);
    let last = f.last_seen.map(ms).unwrap_or(first).max(first);
    let sev = f.severity.as_str();
    let (x0, x1) = (a.x(first), a.x(last));
    let line = f.line.map_or(String::new(), |l| format!(":{l}"));
    let span = if last > first {
        format!("\nfirst {}\nlast  {}", ts(first), ts(last))
    } else {
        format!("\nat {}", ts(first))
    };
    let off = if first < a.start {
        "\n(before the chart's window)"
    } else if first > a.end {
        "\n(after the chart's window)"
    } else {
        ""
    };
    let tip = format!(
        "[{sev}] {} ({})\n{} {}{line}{span}{off}\n{} hit(s)\n{}",
        f.title,
        f.signature,
        f.vm,
        f.path,
        f.count,
        clip(&f.excerpt, 160)
    );
    write!(
        h,
        "<a href=\"#finding-{}\"><g class=\"mark\"><title>{}</title>",
        esc(&f.id),
        esc(&tip)
    )?;
    if x1 - x0 >= 1.0 {
        write!(
            h,
            "<rect class=\"bar {sev}\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\" rx=\"3\"/>",
            cy - 5.0,
            x1 - x0
        )?;
    }
    // the label after the bar, or before the dot where the plot ends
    let (lx, anchor) = if x1 + 10.0 + label_w(f) <= a.right {
        (x1 + 10.0, "start")
    } else {
        (x0 - 10.0, "end")
    };
    write!(
        h,
        "<text class=\"mlbl\" x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
        cy + 4.0,
        esc(&label(f))
    )?;
    if first < a.start {
        writeln!(
            h,
            "<path class=\"pin {sev}\" d=\"M{:.1} {cy:.1}l9 -6v12z\"/></g></a>",
            x0 - 10.0
        )
    } else if first > a.end {
        writeln!(
            h,
            "<path class=\"pin {sev}\" d=\"M{:.1} {cy:.1}l-9 -6v12z\"/></g></a>",
            x0 + 10.0
        )
    } else {
        writeln!(
            h,
            "<circle class=\"dot {sev}\" cx=\"{x0:.1}\" cy=\"{cy:.1}\" r=\"5.5\"/></g></a>"
        )
    }
}

/// One lane: its VM, where it sits, and its marks with the sub-row each is drawn in.
struct Lane<'a> {
    vm: &'a str,
    /// A group's heading lane (no marks): its text.
    heading: Option<String>,
    /// How many VMs the lane stands for: more than one when VMs of a large fleet have the
    /// same findings (the lane shows the first's).
    alike: usize,
    /// Unique among the lanes.
    label: String,
    /// Findings without a time, drawn in the band (one per sub-row).
    undated: Vec<&'a Finding>,
    /// Findings without a time not drawn (more than [`MAX_SUBROWS`]).
    undated_hidden: usize,
    y: f64,
    height: f64,
    marks: Vec<(&'a Finding, usize)>,
    /// Dated findings not drawn (over the per-lane cap).
    hidden: usize,
}

/// Lays the lanes out. Within a lane, marks that would overlap go to the next sub-row (up
/// to [`MAX_SUBROWS`], then they share the last), so a symptom is not hidden under its
/// cause; the lane grows to fit. Over the cap, the least severe marks are left out.
fn layout<'a>(c: &Ctx<'a>, axis: Option<&Axis>, per_lane: usize, band: bool) -> Vec<Lane<'a>> {
    let mut y = AXIS_H;
    let mut lanes = Vec::with_capacity(c.vms.len());
    let labels = lane_labels(c);
    let rows = if c.vms.len() > FLEET_OVER {
        group_rows(c, &labels)
    } else {
        c.vms
            .iter()
            .copied()
            .zip(labels)
            .map(|(vm, label)| Row {
                vm,
                label,
                heading: None,
                alike: 1,
            })
            .collect()
    };
    for Row {
        vm,
        label,
        heading,
        alike,
    } in rows
    {
        if heading.is_some() {
            lanes.push(Lane {
                vm,
                heading,
                label,
                alike,
                undated: Vec::new(),
                undated_hidden: 0,
                y,
                height: LANE_H,
                marks: Vec::new(),
                hidden: 0,
            });
            y += LANE_H;
            continue;
        }
        let mut undated: Vec<&Finding> = if band {
            c.findings_of(vm)
                .iter()
                .copied()
                .filter(|f| f.timestamp.is_none())
                .collect()
        } else {
            Vec::new()
        };
        undated.sort_by(|x, y| y.severity.cmp(&x.severity).then(y.count.cmp(&x.count)));
        let undated_hidden = undated.len().saturating_sub(MAX_SUBROWS);
        undated.truncate(MAX_SUBROWS);
        let mut marks: Vec<&Finding> = match axis {
            Some(_) => c
                .findings_of(vm)
                .iter()
                .copied()
                .filter(|f| f.timestamp.is_some())
                .collect(),
            None => Vec::new(),
        };
        marks.sort_by(|x, y| {
            y.severity
                .cmp(&x.severity)
                .then(x.timestamp.cmp(&y.timestamp))
        });
        let hidden = marks.len().saturating_sub(per_lane);
        marks.truncate(per_lane);
        let mut placed = Vec::with_capacity(marks.len());
        let mut row_ends: Vec<f64> = Vec::new();
        if let Some(a) = axis {
            marks.sort_by_key(|x| x.timestamp);
            for f in marks {
                let first = f.timestamp.map(ms).unwrap_or(a.start);
                let last = f.last_seen.map(ms).unwrap_or(first).max(first);
                let (x0, x1) = (a.x(first), a.x(last));
                let w = label_w(f) + 10.0;
                let (from, to) = if x1 + w <= a.right {
                    (x0 - 12.0, x1 + 12.0 + w)
                } else {
                    (x0 - 12.0 - w, x1 + 12.0)
                };
                let row = match row_ends.iter().position(|end| *end <= from) {
                    Some(r) => r,
                    None if row_ends.len() < MAX_SUBROWS => {
                        row_ends.push(f64::MIN);
                        row_ends.len() - 1
                    }
                    None => row_ends.len() - 1,
                };
                row_ends[row] = row_ends[row].max(to);
                placed.push((f, row));
            }
            // Least severe first, so the worst is drawn on top where marks still overlap.
            placed.sort_by_key(|x| x.0.severity);
        }
        let rows = row_ends.len().max(undated.len());
        let height = (8.0 + SUBROW_H * rows as f64).max(LANE_H);
        lanes.push(Lane {
            vm,
            heading: None,
            label,
            alike,
            undated,
            undated_hidden,
            y,
            height,
            marks: placed,
            hidden,
        });
        y += height;
    }
    lanes
}

/// What a lane shows, before it is laid out.
struct Row<'a> {
    vm: &'a str,
    label: String,
    heading: Option<String>,
    alike: usize,
}

/// The lanes of a large fleet: per instance group, a heading, then its VMs with findings;
/// three or more VMs whose findings are the same signatures share one lane (197 VMs of
/// diego_cell_z1 as "diego_cell_z1 ×197", drawn with the first one's marks and times), so a
/// thousand VMs panicking alike are one lane per group and the odd ones keep theirs.
fn group_rows<'a>(c: &Ctx<'a>, labels: &[String]) -> Vec<Row<'a>> {
    let label_of: std::collections::HashMap<&str, &String> =
        c.vms.iter().copied().zip(labels.iter()).collect();
    let mut rows = Vec::new();
    for (deployment, group, members) in c.fleet.groups() {
        let with: Vec<&str> = members
            .iter()
            .copied()
            .filter(|vm| !c.findings_of(vm).is_empty())
            .collect();
        let name = match deployment {
            Some(d) => format!("{d} / {group}"),
            None => group.to_string(),
        };
        rows.push(Row {
            vm: "",
            label: String::new(),
            heading: Some(format!(
                "{name}: {} of {} VM(s) with findings",
                with.len(),
                members.len()
            )),
            alike: 0,
        });
        let mut alike: std::collections::BTreeMap<Vec<&str>, Vec<&str>> = Default::default();
        let mut own: Vec<&str> = Vec::new();
        for vm in with {
            alike.entry(c.signatures_of(vm)).or_default().push(vm);
        }
        let mut shared = Vec::new();
        for vms in alike.into_values() {
            if vms.len() >= 3 {
                shared.push(Row {
                    vm: vms[0],
                    label: format!("{} ×{}", clip(group, 24), vms.len()),
                    heading: None,
                    alike: vms.len(),
                });
            } else {
                own.extend(vms);
            }
        }
        shared.sort_by_key(|r| std::cmp::Reverse(r.alike));
        // two sets of the same size in one group: told apart by number
        for i in 1..shared.len() {
            if shared[..i].iter().any(|r| r.label == shared[i].label) {
                shared[i].label = format!("{} #{}", shared[i].label, i + 1);
            }
        }
        own.sort_unstable();
        rows.extend(shared);
        rows.extend(own.into_iter().map(|vm| Row {
            vm,
            label: label_of[vm].clone(),
            heading: None,
            alike: 1,
        }));
    }
    rows
}

/// One label per lane, unique: a long name keeps its group and the first 8 characters of
/// its id; equal labels get the VM's deployment, then a number.
fn lane_labels(c: &Ctx) -> Vec<String> {
    let short = |vm: &str| -> String {
        if vm.chars().count() <= 30 {
            return vm.to_string();
        }
        match vm.rsplit_once('/') {
            Some((group, id)) => format!("{}/{}", clip(group, 20), clip(id, 9)),
            None => clip(vm, 30),
        }
    };
    let mut labels: Vec<String> = c.vms.iter().map(|vm| short(vm)).collect();
    // ids that start alike: the end of the id tells them apart
    let tail = |vm: &str| -> String {
        match vm.rsplit_once('/') {
            Some((group, id)) if id.chars().count() > 9 => {
                let end: String = id.chars().skip(id.chars().count() - 8).collect();
                format!("{}/…{end}", clip(group, 20))
            }
            _ => clip(vm, 30),
        }
    };
    // Counted once, not per label: a fleet has thousands of lanes.
    let counts = |labels: &[String]| -> HashMap<String, usize> {
        labels.iter().fold(HashMap::new(), |mut m, l| {
            *m.entry(l.clone()).or_insert(0) += 1;
            m
        })
    };
    let seen = counts(&labels);
    for (i, vm) in c.vms.iter().enumerate() {
        if seen[&labels[i]] > 1 {
            labels[i] = tail(vm);
        }
    }
    // The deployment of the n-th VM of a name is that of the n-th bundle of that name.
    let mut bundles: HashMap<&str, Vec<Option<&String>>> = HashMap::new();
    for b in &c.r.bundles {
        bundles
            .entry(b.vm.as_str())
            .or_default()
            .push(b.deployment.as_ref());
    }
    let mut nth: HashMap<&str, usize> = HashMap::new();
    let seen = counts(&labels);
    for (i, vm) in c.vms.iter().enumerate() {
        let n = nth.entry(vm).or_insert(0);
        let deployment = bundles.get(vm).and_then(|d| d.get(*n)).copied().flatten();
        *n += 1;
        if let Some(d) = deployment.filter(|_| seen[&labels[i]] > 1) {
            labels[i] = format!("{} ({})", labels[i], clip(d, 12));
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for label in labels.iter_mut() {
        let n = seen.entry(label.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            *label = format!("{label} #{n}");
        }
    }
    labels
}

fn legend(h: &mut String) {
    h.push_str("<div class=\"legend\">severity:");
    for s in ["critical", "high", "medium", "low", "info"] {
        let _ = write!(h, "<span class=\"sw {s}\"></span>{s}");
    }
    h.push_str(
        " &middot; dot = first seen, bar = until last seen (labelled with the title and ×hits), \
        &#9664; &#9654; = outside the window, &#9660; = bundle collected, \
        square = no time in the line; \
        hover for details, click to jump to the finding</div>\n",
    );
}

/// The collection-time spread in milliseconds (0 with fewer than two).
fn spread(c: &Ctx) -> i64 {
    let t: Vec<i64> =
        c.r.bundles
            .iter()
            .filter_map(|b| b.collected_at.map(ms))
            .collect();
    match (t.iter().min(), t.iter().max()) {
        (Some(a), Some(b)) => b - a,
        _ => 0,
    }
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The time axis, in milliseconds since the epoch.
struct Axis {
    start: i64,
    end: i64,
    /// Where the plot ends on the page (the band of undated findings follows).
    right: f64,
}

impl Axis {
    /// Ends at the newest finding or collection time no later than a day past `now` (or
    /// the newest of all when every one is later); starts at the oldest within
    /// [`WINDOW_MS`] of that end.
    fn new(
        dated: &[&Finding],
        collected: impl Iterator<Item = Timestamp>,
        now: Option<Timestamp>,
        right: f64,
    ) -> Option<Axis> {
        let mut times: Vec<i64> = collected.map(ms).collect();
        for f in dated {
            times.extend(f.timestamp.map(ms));
            times.extend(f.last_seen.map(ms));
        }
        let newest = *times.iter().max()?;
        let limit = now.map_or(newest, |n| ms(n) + DAY_MS);
        let end = times
            .iter()
            .copied()
            .filter(|t| *t <= limit)
            .max()
            .unwrap_or(newest);
        let start = times
            .iter()
            .copied()
            .filter(|t| *t >= end - WINDOW_MS && *t <= end)
            .min()
            .unwrap_or(end);
        let (mut start, mut end) = (start, end);
        if end - start < 60_000 {
            let mid = start + (end - start) / 2;
            start = mid - 30_000;
            end = mid + 30_000;
        }
        let pad = (end - start) / 50;
        Some(Axis {
            start: start - pad,
            end: end + pad,
            right,
        })
    }

    fn contains(&self, t: i64) -> bool {
        t >= self.start && t <= self.end
    }

    fn x(&self, t: i64) -> f64 {
        let plot = self.right - LABEL_W;
        let f = (t - self.start) as f64 / (self.end - self.start).max(1) as f64;
        LABEL_W + plot * f.clamp(0.0, 1.0)
    }

    /// Grid lines and labels at round times.
    fn ticks(&self, h: &mut String, height: f64) -> Out {
        let span = self.end - self.start;
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / s <= 10)
            .unwrap_or(STEPS[STEPS.len() - 1]);
        let fmt = if step >= DAY_MS {
            "%Y-%m-%d"
        } else if span > DAY_MS {
            "%m-%d %H:%M"
        } else if step < 60_000 {
            "%H:%M:%S"
        } else {
            "%H:%M"
        };
        writeln!(
            h,
            "<line class=\"axis\" x1=\"{LABEL_W}\" y1=\"{AXIS_H}\" x2=\"{:.1}\" y2=\"{AXIS_H}\"/>",
            self.right
        )?;
        let mut t = self.start.div_euclid(step) * step + step;
        while t < self.end {
            let x = self.x(t);
            writeln!(
                h,
                "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{AXIS_H}\" x2=\"{x:.1}\" y2=\"{height:.1}\"/>\
                 <text class=\"tick\" x=\"{x:.1}\" y=\"16\" text-anchor=\"middle\">{}</text>",
                esc(&ts(t).strftime(fmt).to_string())
            )?;
            t += step;
        }
        Ok(())
    }
}

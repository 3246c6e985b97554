//! The timeline: inline SVG, one lane per VM (every VM, even one with no finding), each
//! dated finding a dot at its first hit and a bar to its last, coloured by severity, with
//! a `<title>` tooltip and a link to its row. A triangle marks each bundle's collection
//! time. Findings without a timestamp are listed under the chart, grouped by signature.
//!
//! The chart covers at most [`WINDOW_MS`] ending at the newest event no later than a day
//! past "now": a certificate that expired years ago, or a VM whose clock is far off, would
//! otherwise squash every other mark into a pixel. Findings outside are pinned to the edge
//! as arrows whose tooltip gives the real time.

use super::sections::group_item;
use super::{clip, esc, time, Ctx, Out, CLOCK_SPREAD_WARN_MS};
use crate::finding::Finding;
use crate::report::group::by_signature;
use jiff::Timestamp;
use std::fmt::Write as _;

const WIDTH: f64 = 1300.0;
const LABEL_W: f64 = 250.0;
const RIGHT_PAD: f64 = 40.0;
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
    let axis = Axis::new(
        &dated,
        r.bundles.iter().filter_map(|b| b.collected_at),
        r.now,
    );
    let pinned = axis.as_ref().map_or(0, |a| {
        dated
            .iter()
            .filter(|f| f.timestamp.map(ms).is_some_and(|t| !a.contains(t)))
            .count()
    });
    writeln!(
        h,
        "<section id=\"timeline\">\n<h2>Timeline <span class=\"count\">({} dated finding(s) on {} VM lane(s))</span></h2>",
        dated.len(),
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
    legend(h);
    let per_lane =
        (MAX_MARKS_TOTAL / c.vms.len().max(1)).clamp(MIN_MARKS_PER_LANE, MAX_MARKS_PER_LANE);
    let lanes = layout(c, axis.as_ref(), per_lane);
    let height = lanes.last().map_or(AXIS_H, |l| l.y + l.height) + 8.0;
    writeln!(
        h,
        "<svg class=\"chart timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"timeline-title\">\n\
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
    for (i, lane) in lanes.iter().enumerate() {
        let (vm, y) = (lane.vm, lane.y);
        let collected = r
            .bundles
            .iter()
            .find(|b| b.vm == vm)
            .and_then(|b| b.collected_at);
        writeln!(
            h,
            "<g class=\"lane\" data-vm=\"{}\">\n<a href=\"#vm-{i}\"><text class=\"lbl\" x=\"8\" y=\"{:.1}\"><title>{}{}</title>{}</text></a>",
            esc(vm),
            y + 16.0,
            esc(vm),
            collected.map_or(String::new(), |t| format!("\ncollected at {}", esc(&t.to_string()))),
            esc(&clip(vm, 34)),
        )?;
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
                WIDTH - RIGHT_PAD + 4.0,
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
    y: f64,
    height: f64,
    marks: Vec<(&'a Finding, usize)>,
    /// Dated findings not drawn (over the per-lane cap).
    hidden: usize,
}

/// Lays the lanes out. Within a lane, marks that would overlap go to the next sub-row (up
/// to [`MAX_SUBROWS`], then they share the last), so a symptom is not hidden under its
/// cause; the lane grows to fit. Over the cap, the least severe marks are left out.
fn layout<'a>(c: &Ctx<'a>, axis: Option<&Axis>, per_lane: usize) -> Vec<Lane<'a>> {
    let mut y = AXIS_H;
    let mut lanes = Vec::with_capacity(c.vms.len());
    for vm in &c.vms {
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
                let (from, to) = (a.x(first) - 12.0, a.x(last) + 12.0);
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
        let height = (8.0 + SUBROW_H * row_ends.len() as f64).max(LANE_H);
        lanes.push(Lane {
            vm,
            y,
            height,
            marks: placed,
            hidden,
        });
        y += height;
    }
    lanes
}

fn legend(h: &mut String) {
    h.push_str("<div class=\"legend\">severity:");
    for s in ["critical", "high", "medium", "low", "info"] {
        let _ = write!(h, "<span class=\"sw {s}\"></span>{s}");
    }
    h.push_str(
        " &middot; dot = first seen, bar = until last seen, &#9664; &#9654; = outside the window, \
        &#9660; = bundle collected; \
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
}

impl Axis {
    /// Ends at the newest finding or collection time no later than a day past `now` (or
    /// the newest of all when every one is later); starts at the oldest within
    /// [`WINDOW_MS`] of that end.
    fn new(
        dated: &[&Finding],
        collected: impl Iterator<Item = Timestamp>,
        now: Option<Timestamp>,
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
        })
    }

    fn contains(&self, t: i64) -> bool {
        t >= self.start && t <= self.end
    }

    fn x(&self, t: i64) -> f64 {
        let plot = WIDTH - LABEL_W - RIGHT_PAD;
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
            WIDTH - RIGHT_PAD
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

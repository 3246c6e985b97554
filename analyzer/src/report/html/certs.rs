//! Certificates: an inline SVG chart of days left per certificate (soonest first, expired
//! ones to the left of "now" and marked), then the inventory table.

use super::{clip, esc, time_el, Ctx, Out};
use crate::report::model::Certificate;
use std::fmt::Write as _;

/// Certificates drawn in the chart (the soonest to expire).
const MAX_CHART: usize = 40;
/// Rows of the table.
const MAX_TABLE: usize = 500;

const WIDTH: f64 = 1300.0;
const PLOT_X: f64 = 560.0;
const RIGHT_PAD: f64 = 150.0;
const AXIS_H: f64 = 26.0;
const ROW_H: f64 = 20.0;

/// Tick positions in days, and their labels.
const TICKS: [(i64, &str); 13] = [
    (-3650, "10y ago"),
    (-365, "1y ago"),
    (-30, "30d ago"),
    (0, "now"),
    (7, "1w"),
    (30, "30d"),
    (90, "90d"),
    (365, "1y"),
    (3650, "10y"),
    (10950, "30y"),
    (36500, "100y"),
    (-36500, "100y ago"),
    (-10950, "30y ago"),
];

pub(super) fn render(c: &Ctx, h: &mut String) -> Out {
    let certs = &c.r.certificates;
    let count = |s: &str| certs.iter().filter(|x| x.status == s).count();
    writeln!(
        h,
        "<section id=\"certificates\">\n<h2>Certificates <span class=\"count\">({} found: {} expired, {} expiring soon, {} not yet valid)</span></h2>",
        certs.len(),
        count("expired"),
        count("expiring_soon"),
        count("not_yet_valid")
    )?;
    if certs.is_empty() {
        h.push_str("<p class=\"none\">No certificate in the inputs.</p>\n</section>\n");
        return Ok(());
    }
    chart(&certs[..certs.len().min(MAX_CHART)], h)?;
    if certs.len() > MAX_CHART {
        writeln!(
            h,
            "<p class=\"muted\">The chart shows the {MAX_CHART} soonest to expire; the table lists more.</p>"
        )?;
    }
    table(certs, h)?;
    h.push_str("</section>\n");
    Ok(())
}

/// Signed log scale: days far in the future do not flatten the ones that matter.
fn scale(days: i64) -> f64 {
    let d = days as f64;
    d.signum() * (1.0 + d.abs()).log10()
}

fn chart(certs: &[Certificate], h: &mut String) -> Out {
    let lo = certs.iter().map(|c| scale(c.days_left)).fold(0.0, f64::min) - 0.15;
    let hi = certs
        .iter()
        .map(|c| scale(c.days_left))
        .fold(scale(30), f64::max)
        + 0.15;
    let x = |days: i64| PLOT_X + (WIDTH - PLOT_X - RIGHT_PAD) * (scale(days) - lo) / (hi - lo);
    let height = AXIS_H + ROW_H * certs.len() as f64 + 6.0;
    writeln!(
        h,
        "<div class=\"legend\"><span class=\"sw critical\"></span>expired<span class=\"sw medium\"></span>expiring soon\
         <span class=\"sw info\"></span>not yet valid<span class=\"sw ok\"></span>valid \
         &middot; days left at &quot;now&quot;, logarithmic; hover a bar for the certificate</div>\n\
         <svg class=\"chart certs\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"certs-title\">\n\
         <title id=\"certs-title\">Days left per certificate, soonest first</title>"
    )?;
    let mut ticks: Vec<(i64, &str)> = TICKS
        .iter()
        .copied()
        .filter(|(d, _)| (lo..=hi).contains(&scale(*d)))
        .collect();
    ticks.sort_unstable();
    for (d, label) in ticks {
        let tx = x(d);
        writeln!(
            h,
            "<line class=\"{}\" x1=\"{tx:.1}\" y1=\"{AXIS_H}\" x2=\"{tx:.1}\" y2=\"{height:.1}\"/>\
             <text class=\"tick\" x=\"{tx:.1}\" y=\"16\" text-anchor=\"middle\">{label}</text>",
            if d == 0 { "zero" } else { "grid" }
        )?;
    }
    let zero = x(0);
    for (i, cert) in certs.iter().enumerate() {
        let y = AXIS_H + ROW_H * i as f64;
        let end = x(cert.days_left);
        let (bx, bw) = if end < zero {
            (end, zero - end)
        } else {
            (zero, end - zero)
        };
        let file = cert.path.rsplit('/').next().unwrap_or(&cert.path);
        let index = if cert.index > 0 {
            format!("#{}", cert.index)
        } else {
            String::new()
        };
        let label = clip(&format!("{} {file}{index} · {}", cert.vm, cert.subject), 88);
        let tip = format!(
            "{} {}{index}\nsubject {}\nissuer  {}\nnot before {}\nnot after  {}\n{}, {} day(s) left{}",
            cert.vm,
            cert.path,
            cert.subject,
            cert.issuer,
            cert.not_before,
            cert.not_after,
            cert.status,
            cert.days_left,
            if cert.sans.is_empty() { String::new() } else { format!("\nSANs {}", clip(&cert.sans.join(", "), 200)) }
        );
        write!(
            h,
            "<g class=\"cert-row\"><title>{}</title><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"cert {}\" x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" rx=\"2\"/>",
            esc(&tip),
            PLOT_X - 10.0,
            y + 14.0,
            esc(&label),
            esc(&cert.status),
            y + 4.0,
            bw.max(1.5),
        )?;
        if cert.days_left < 0 {
            write!(
                h,
                "<text class=\"exp\" x=\"{:.1}\" y=\"{:.1}\">EXPIRED {} day(s) ago</text>",
                zero + 5.0,
                y + 14.0,
                -cert.days_left
            )?;
        } else {
            write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\">{} day(s){}</text>",
                end + 5.0,
                y + 14.0,
                cert.days_left,
                if cert.status == "not_yet_valid" {
                    ", not yet valid"
                } else {
                    ""
                }
            )?;
        }
        h.push_str("</g>\n");
    }
    h.push_str("</svg>\n");
    Ok(())
}

fn table(certs: &[Certificate], h: &mut String) -> Out {
    h.push_str("<table class=\"certs\">\n<thead><tr><th class=\"num\">days left</th><th>status</th><th>VM</th><th>path</th>\
        <th>subject, issuer, SANs</th><th>valid</th></tr></thead>\n<tbody>\n");
    for cert in certs.iter().take(MAX_TABLE) {
        let index = if cert.index > 0 {
            format!(" #{}", cert.index)
        } else {
            String::new()
        };
        write!(
            h,
            "<tr><td class=\"num\">{}</td><td><span class=\"badge {}\">{}</span>{}</td><td>{}</td><td><code>{}{index}</code></td>\
             <td>{}<br><span class=\"muted\">issued by {}{}</span>",
            cert.days_left,
            esc(&cert.status),
            esc(&cert.status.replace('_', " ")),
            if cert.is_ca { " <span class=\"badge info\">CA</span>" } else { "" },
            esc(&cert.vm),
            esc(&cert.path),
            esc(&cert.subject),
            esc(&cert.issuer),
            if cert.issuer_in_bundle || cert.subject == cert.issuer { "" } else { " (not in the bundle)" },
        )?;
        if !cert.sans.is_empty() {
            write!(
                h,
                "<br><span class=\"muted\">SANs {}</span>",
                esc(&clip(&cert.sans.join(", "), 200))
            )?;
        }
        writeln!(
            h,
            "</td><td class=\"nowrap\">{}<br>to {}</td></tr>",
            time_el(cert.not_before),
            time_el(cert.not_after),
        )?;
    }
    h.push_str("</tbody>\n</table>\n");
    if certs.len() > MAX_TABLE {
        writeln!(
            h,
            "<p class=\"muted\">{} more certificate(s): see <code>vcap-analyze certs</code>.</p>",
            certs.len() - MAX_TABLE
        )?;
    }
    Ok(())
}

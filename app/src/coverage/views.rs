//! The coverage dashboard (`/coverage`) and its print-friendly report
//! (`/coverage/report`). Charts are SVG drawn on the server, each with its
//! numbers as a table beside it, values written as text, and lines told
//! apart by pattern as well as colour.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{get_coverage, get_coverage_report};
use super::{
    change_text, percent_text, Breakdown, Dashboard, Figures, Point, TermFinal, EXPORTS,
    SMALLEST_GROUP,
};
use crate::format;
use crate::pages::ErrorMessage;

/// How many rows of a breakdown are drawn and listed on the page; the CSV
/// has them all.
const ROWS_SHOWN: usize = 25;

#[component]
pub fn CoveragePage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| get_coverage());
    view! {
        <Title text="Coverage" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(dashboard) => view! { <DashboardView dashboard report=false /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CoverageReportPage() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| get_coverage_report());
    view! {
        <Title text="Coverage report" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(dashboard) => view! { <DashboardView dashboard report=true /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn of(part: i64, figures: &Figures) -> String {
    format!(
        "{} of {} students",
        format::count(part),
        format::count(figures.students)
    )
}

#[component]
fn DashboardView(dashboard: Dashboard, report: bool) -> impl IntoView {
    let Dashboard {
        school_name,
        today,
        term,
        now,
        start,
        week_ago,
        series,
        breakdowns,
        terms,
        participation,
        staff,
    } = dashboard;
    let heading = if report {
        format!("Coverage report — {school_name}")
    } else {
        "Coverage".to_string()
    };
    let Some(term) = term else {
        return view! {
            <h1>{heading}</h1>
            <p>"No term is current, so there is nothing to count yet. An admin can add or pin a term on the Terms page."</p>
            <TermsChart terms open=report />
        }
        .into_any();
    };
    let week_text = week_ago.map(|before| {
        format!(
            "{} since the same day last week",
            change_text(now.percent(), before.percent())
        )
    });
    view! {
        <h1>{heading}</h1>
        <p class="lead">
            {format!(
                "{}: {} – {}. Figures as of {}.",
                term.name,
                format::day(&term.starts_on),
                format::day(&term.ends_on),
                format::day(&today),
            )}
        </p>
        {(!report).then(|| view! {
            <p class="no-print">
                <a href="/coverage/report">"Print-friendly report"</a>
                " · Download CSV: "
                {EXPORTS
                    .iter()
                    .filter(|(name, _)| *name != "staff" || staff.is_some())
                    .enumerate()
                    .map(|(i, (name, label))| view! {
                        {(i > 0).then_some(", ")}
                        <a href=format!("/coverage/export/{name}.csv") download="">{*label}</a>
                    })
                    .collect_view()}
            </p>
        })}
        {report.then(|| view! {
            <p class="no-print hint">"Use your browser's Print command (Ctrl+P) to print this report or save it as a PDF."</p>
        })}
        <section aria-labelledby="headline-title">
            <h2 id="headline-title">"This term so far"</h2>
            <ul class="headline">
                <li>
                    <strong class="headline-figure">{percent_text(now.percent())}</strong>
                    " have at least one trusted adult"
                    <span class="detail">{of(now.connected, &now)}</span>
                </li>
                <li>
                    <strong class="headline-figure">{percent_text(now.share(now.connected_two))}</strong>
                    " have two or more"
                    <span class="detail">{of(now.connected_two, &now)}</span>
                </li>
                <li>
                    <strong class="headline-figure">{percent_text(now.share(now.unconnected()))}</strong>
                    " have no one yet"
                    <span class="detail">{of(now.unconnected(), &now)}</span>
                </li>
                <li>
                    <strong class="headline-figure">{percent_text(participation.percent())}</strong>
                    " of staff have started marking"
                    <span class="detail">
                        {format!(
                            "{} of {} staff",
                            format::count(participation.marking),
                            format::count(participation.staff)
                        )}
                    </span>
                </li>
            </ul>
            <p>
                {format!(
                    "Coverage is {} since the term began",
                    change_text(now.percent(), start.percent())
                )}
                {week_text.map(|text| format!("; {text}"))}
                "."
            </p>
        </section>
        <SeriesChart series open=report />
        <TermsChart terms open=report />
        <section aria-labelledby="groups-title">
            <h2 id="groups-title">"By group"</h2>
            <p class="hint">
                {format!(
                    "Least connected first. Groups of fewer than {SMALLEST_GROUP} students are not shown, so no one can be identified."
                )}
            </p>
            {breakdowns
                .into_iter()
                .map(|breakdown| view! { <BreakdownView breakdown /> })
                .collect_view()}
        </section>
        {staff.map(|staff| view! { <StaffTable staff report /> })}
    }
    .into_any()
}

/// Plot area of every chart, in SVG units.
const WIDTH: f64 = 720.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 120.0;
const TOP: f64 = 16.0;

fn y_of(percent: f64, height: f64) -> f64 {
    TOP + (100.0 - percent.clamp(0.0, 100.0)) * (height - TOP - 40.0) / 100.0
}

/// Horizontal grid lines with their labels (0 % … 100 %).
fn grid(height: f64) -> impl IntoView {
    [0.0, 25.0, 50.0, 75.0, 100.0]
        .into_iter()
        .map(|p| {
            let y = y_of(p, height);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y />
                <text class="axis" x=LEFT - 8.0 y=y + 4.0 text-anchor="end">{format!("{p:.0} %")}</text>
            }
        })
        .collect_view()
}

#[component]
fn SeriesChart(series: Vec<Point>, open: bool) -> impl IntoView {
    const HEIGHT: f64 = 280.0;
    let n = series.len();
    let x_of = |i: usize| {
        if n <= 1 {
            LEFT
        } else {
            LEFT + i as f64 * (WIDTH - LEFT - RIGHT) / (n - 1) as f64
        }
    };
    let path = |share: &dyn Fn(&Figures) -> f64| {
        series
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    x_of(i),
                    y_of(share(&p.figures), HEIGHT)
                )
            })
            .collect::<String>()
    };
    let one = path(&|f: &Figures| f.percent());
    let two = path(&|f: &Figures| f.share(f.connected_two));
    // The biggest one-day rises (staff meetings, usually), labelled.
    let mut rises: Vec<(usize, f64)> = (1..n)
        .map(|i| {
            (
                i,
                series[i].figures.percent() - series[i - 1].figures.percent(),
            )
        })
        .filter(|(_, rise)| *rise >= 5.0)
        .collect();
    rises.sort_by(|a, b| b.1.total_cmp(&a.1));
    rises.truncate(3);
    let last = series.last().map(|p| p.figures).unwrap_or_default();
    let summary = match (series.first(), series.last()) {
        (Some(first), Some(last_point)) => format!(
            "Line chart of coverage per day, from {} on {} to {} on {}.",
            percent_text(first.figures.percent()),
            format::day(&first.day),
            percent_text(last_point.figures.percent()),
            format::day(&last_point.day),
        ),
        _ => "No days yet.".to_string(),
    };
    let label_x = x_of(n.saturating_sub(1)) + 8.0;
    view! {
        <section aria-labelledby="series-title">
            <h2 id="series-title">"Over the term"</h2>
            <figure class="chart">
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
                    {grid(HEIGHT)}
                    <path class="line one" d=one />
                    <path class="line two" d=two />
                    <text class="line-label" x=label_x y=y_of(last.percent(), HEIGHT) + 4.0>
                        {format!("1+ adult: {}", percent_text(last.percent()))}
                    </text>
                    <text class="line-label" x=label_x y=y_of(last.share(last.connected_two), HEIGHT) + 16.0>
                        {format!("2+ adults: {}", percent_text(last.share(last.connected_two)))}
                    </text>
                    {rises
                        .into_iter()
                        .map(|(i, rise)| {
                            let (x, y) = (x_of(i), y_of(series[i].figures.percent(), HEIGHT));
                            view! {
                                <circle class="rise" cx=x cy=y r="4" />
                                <text class="rise-label" x=x y=(y - 8.0).max(12.0) text-anchor="middle">
                                    {format!("+{rise:.0} pts {}", short_day(&series[i].day))}
                                </text>
                            }
                        })
                        .collect_view()}
                    {series.first().map(|p| view! {
                        <text class="axis" x=LEFT y=HEIGHT - 12.0>{format::day(&p.day)}</text>
                    })}
                    {(n > 1).then(|| series.last().map(|p| view! {
                        <text class="axis" x=WIDTH - RIGHT y=HEIGHT - 12.0 text-anchor="end">{format::day(&p.day)}</text>
                    }))}
                </svg>
                <figcaption>
                    "Share of active students with at least one (solid line) and two or more (dashed line) strong connections, at the end of each day. Big one-day rises are usually staff meetings."
                </figcaption>
            </figure>
            <details class="data-table" open=open>
                <summary>"Data table: coverage per day"</summary>
                <table>
                    <caption class="visually-hidden">"Coverage per day"</caption>
                    <FigureHeader first="Day" />
                    <tbody>
                        {series
                            .iter()
                            .rev()
                            .map(|p| view! { <FigureRow label=format::day(&p.day) figures=Some(p.figures) /> })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

/// `2026-09-07` → `Sep 7`.
fn short_day(day: &str) -> String {
    format::day(day)
        .split(',')
        .next()
        .unwrap_or(day)
        .to_string()
}

#[component]
fn FigureHeader(first: &'static str) -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">{first}</th>
                <th scope="col" class="number">"Students"</th>
                <th scope="col" class="number">"1+ adult"</th>
                <th scope="col" class="number">"2+ adults"</th>
                <th scope="col" class="number">"No one yet"</th>
                <th scope="col" class="number">"Connected"</th>
            </tr>
        </thead>
    }
}

#[component]
fn FigureRow(label: String, figures: Option<Figures>) -> impl IntoView {
    match figures {
        Some(f) => view! {
            <tr>
                <th scope="row">{label}</th>
                <td class="number">{format::count(f.students)}</td>
                <td class="number">{format::count(f.connected)}</td>
                <td class="number">{format::count(f.connected_two)}</td>
                <td class="number">{format::count(f.unconnected())}</td>
                <td class="number">{percent_text(f.percent())}</td>
            </tr>
        }
        .into_any(),
        None => view! {
            <tr class="suppressed">
                <th scope="row">{label}</th>
                <td colspan="5">{format!("fewer than {SMALLEST_GROUP} students — not shown")}</td>
            </tr>
        }
        .into_any(),
    }
}

/// Horizontal bars, one per row, each labelled with its name and value.
fn bars(label: String, rows: Vec<(String, f64, String)>) -> impl IntoView {
    let height = 24.0 * rows.len() as f64 + 8.0;
    let left = 150.0;
    let span = WIDTH - left - 110.0;
    let described = rows
        .iter()
        .map(|(label, _, value)| format!("{label}: {value}"))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg class="bars" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=format!("{label}. {described}.")>
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, (label, percent, value))| {
                    let y = 4.0 + 24.0 * i as f64;
                    let w = span * percent.clamp(0.0, 100.0) / 100.0;
                    view! {
                        <text class="axis" x=left - 8.0 y=y + 15.0 text-anchor="end">{label}</text>
                        <rect class="bar-track" x=left y=y + 2.0 width=span height="16" />
                        <rect class="bar" x=left y=y + 2.0 width=w height="16" />
                        <text class="value" x=left + span + 6.0 y=y + 15.0>{value}</text>
                    }
                })
                .collect_view()}
        </svg>
    }
}

#[component]
fn TermsChart(terms: Vec<TermFinal>, open: bool) -> impl IntoView {
    if terms.is_empty() {
        return ().into_any();
    }
    let rows = terms
        .iter()
        .map(|t| {
            (
                if t.is_current {
                    format!("{} (now)", t.name)
                } else {
                    t.name.clone()
                },
                t.figures.percent(),
                percent_text(t.figures.percent()),
            )
        })
        .collect();
    view! {
        <section aria-labelledby="terms-title">
            <h2 id="terms-title">"Across terms"</h2>
            <figure class="chart">
                {bars("Bar chart of each term's coverage".into(), rows)}
                <figcaption>"Each term's coverage at its end (the current term: now)."</figcaption>
            </figure>
            <details class="data-table" open=open>
                <summary>"Data table: coverage by term"</summary>
                <table>
                    <FigureHeader first="Term" />
                    <tbody>
                        {terms
                            .into_iter()
                            .map(|t| {
                                let label = format!(
                                    "{} ({} – {}){}",
                                    t.name,
                                    format::day(&t.starts_on),
                                    format::day(&t.ends_on),
                                    if t.is_current { ", now" } else { "" }
                                );
                                view! { <FigureRow label figures=Some(t.figures) /> }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
    .into_any()
}

#[component]
fn BreakdownView(breakdown: Breakdown) -> impl IntoView {
    let Breakdown { key, title, rows } = breakdown;
    let total = rows.len();
    let shown: Vec<_> = rows.into_iter().take(ROWS_SHOWN).collect();
    let chart_rows: Vec<(String, f64, String)> = shown
        .iter()
        .filter_map(|row| {
            row.figures.map(|f| {
                (
                    row.label.clone(),
                    f.percent(),
                    format!(
                        "{} of {}",
                        percent_text(f.percent()),
                        format::count(f.students)
                    ),
                )
            })
        })
        .collect();
    let heading_id = format!("breakdown-{key}");
    let export = if key.starts_with("group-") {
        "groups".to_string()
    } else {
        key.clone()
    };
    view! {
        <div class="breakdown">
            <h3 id=heading_id.clone()>{title.clone()}</h3>
            {(!chart_rows.is_empty()).then(|| view! {
                <figure class="chart">
                    {bars(format!("Bar chart of coverage by {}", title.to_lowercase()), chart_rows)}
                    <figcaption>{format!("Share with at least one trusted adult, by {}.", title.to_lowercase())}</figcaption>
                </figure>
            })}
            <table aria-labelledby=heading_id>
                <FigureHeader first="Group" />
                <tbody>
                    {shown
                        .into_iter()
                        .map(|row| view! { <FigureRow label=row.label figures=row.figures /> })
                        .collect_view()}
                </tbody>
            </table>
            {(total > ROWS_SHOWN).then(|| view! {
                <p class="hint">
                    {format!("The {ROWS_SHOWN} least connected of {} groups. ", format::count(total as i64))}
                    <a class="no-print" href=format!("/coverage/export/{export}.csv") download="">"Download them all (CSV)"</a>
                </p>
            })}
        </div>
    }
}

#[component]
fn StaffTable(staff: Vec<super::StaffMarks>, report: bool) -> impl IntoView {
    let (started, waiting): (Vec<_>, Vec<_>) =
        staff.into_iter().partition(|s| s.strong + s.knows > 0);
    let waiting_names = waiting
        .iter()
        .map(|s| s.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section aria-labelledby="staff-title" class=if report { "no-print" } else { "" }>
            <h2 id="staff-title">"Staff participation"</h2>
            <p class="hint">
                "Only admins see this list. It is here to help you nudge colleagues who have not started — please don't use it to rank people."
            </p>
            <h3>{format!("Not started yet ({})", format::count(waiting.len() as i64))}</h3>
            <p>{if waiting.is_empty() { "Everyone has started.".to_string() } else { waiting_names }}</p>
            <details>
                <summary>{format!("Marks this term, by person ({})", format::count(started.len() as i64))}</summary>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col" class="number">"Strong"</th>
                            <th scope="col" class="number">"Knows"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {started
                            .into_iter()
                            .map(|s| view! {
                                <tr>
                                    <th scope="row">{s.name}</th>
                                    <td>{s.role}</td>
                                    <td class="number">{format::count(s.strong)}</td>
                                    <td class="number">{format::count(s.knows)}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

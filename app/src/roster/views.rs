//! The import page (upload and history) and the preview page (admins).

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{get_import_preview, get_imports};
use super::{
    ImportOverview, ImportStep, MappingPage, Mode, PreviewPage, MAPPABLE_FIELDS, PREVIEW_LIST_LIMIT,
};
use crate::pages::ErrorMessage;
use crate::terms::Flash;

#[component]
pub fn ImportPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_imports());
    view! {
        <Title text="Roster import" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(overview) => view! { <Imports overview /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Imports(overview: ImportOverview) -> impl IntoView {
    let ImportOverview {
        history,
        flash,
        waiting,
    } = overview;
    view! {
        <h1>"Roster import"</h1>
        {flash.map(|flash| match flash {
            Flash::Done(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
            Flash::Problem(text) => view! { <p class="form-error" role="alert">{text}</p> }.into_any(),
        })}
        {waiting.map(|name| view! {
            <p class="notice">
                {format!("{name} is waiting for you to check it. ")}
                <a href="/admin/import/preview">"See what it would change"</a>
            </p>
        })}
        <section aria-labelledby="upload-title">
            <h2 id="upload-title">"Import students"</h2>
            <p>
                "Upload your student information system's student export, or Tether's "
                <a href="/admin/import/template.csv" download="tether-roster-template.csv">"roster template (CSV)"</a>
                ", or a OneRoster 1.1/1.2 or Clever zip (students, staff and class sections). For a student CSV, Tether recognises the usual column names (PowerSchool, Infinite Campus, Clever, Microsoft SDS): a student ID, first and last name, grade, and optionally a preferred name and a homeroom. Any other column becomes a student group (for example "
                <code>"ell"</code>", "<code>"iep"</code>", "<code>"new_arrival"</code>"). You will see every change, and every row that cannot be imported, before anything changes."
            </p>
            <form method="post" action="/admin/import" enctype="multipart/form-data" class="stacked-form">
                <label for="roster-file">"Roster file (CSV, or a OneRoster or Clever zip)"</label>
                <input id="roster-file" name="file" type="file" accept=".csv,.txt,.zip,text/csv,application/zip" required />
                <fieldset>
                    <legend>"Students not in the file"</legend>
                    <label>
                        <input type="radio" name="mode" value="full" checked />
                        " This is the whole roster: students not in it have left (they become inactive; their marks and history stay)"
                    </label>
                    <label>
                        <input type="radio" name="mode" value="add_only" />
                        " Only add and update: nobody is deactivated"
                    </label>
                </fieldset>
                <button type="submit" class="button primary">"Upload and preview"</button>
            </form>
        </section>
        <section aria-labelledby="history-title">
            <h2 id="history-title">"Import history"</h2>
            {if history.is_empty() {
                view! { <p>"No imports yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">"When (UTC)"</th>
                                    <th scope="col">"By"</th>
                                    <th scope="col">"File"</th>
                                    <th scope="col">"Format"</th>
                                    <th scope="col">"Mode"</th>
                                    <th scope="col">"Result"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {history.into_iter().map(|record| view! {
                                    <tr>
                                        <td>{record.at}</td>
                                        <td>{record.who}</td>
                                        <td>{record.file_name}</td>
                                        <td>{record.format}</td>
                                        <td>{mode_label(record.mode)}</td>
                                        <td>{record.counts}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

fn mode_label(mode: Mode) -> &'static str {
    match mode {
        Mode::Full => "Whole roster",
        Mode::AddOnly => "Add and update only",
    }
}

#[component]
pub fn ImportPreviewPage() -> impl IntoView {
    let preview = Resource::new(|| (), |_| get_import_preview());
    view! {
        <Title text="Check the import" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    Ok(None) => view! {
                        <h1>"Check the import"</h1>
                        <p>"No file is waiting. Upload one on the " <a href="/admin/import">"import page"</a> "."</p>
                    }
                        .into_any(),
                    Ok(Some(ImportStep::Preview(page))) => view! { <PreviewView page=*page /> }.into_any(),
                    Ok(Some(ImportStep::Mapping(page))) => view! { <MappingView page /> }.into_any(),
                    Ok(Some(ImportStep::ChooseSchool { file_name, schools })) => view! { <ChooseSchoolView file_name schools /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PreviewView(page: PreviewPage) -> impl IntoView {
    let PreviewPage {
        preview,
        counts,
        new,
        changed,
        reactivated,
        deactivated,
        rejected,
        needs_extra_confirmation,
    } = page;
    let more = |shown: usize, total: usize| {
        (total > shown).then(
            || view! { <p class="hint">{format!("The first {shown} of {total} are listed.")}</p> },
        )
    };
    let percent = if preview.active_before > 0 {
        deactivated as i64 * 100 / preview.active_before
    } else {
        0
    };
    view! {
        <h1>{format!("Check the import of {}", preview.file_name)}</h1>
        <p>{format!("Recognised as: {}. Mode: {}.", preview.format, mode_label(preview.mode))}</p>
        <p class="progress-line">{format!("If you confirm: {counts}.")}</p>
        {needs_extra_confirmation.then(|| view! {
            <div class="form-error" role="alert">
                <p>
                    <strong>{format!("This would deactivate {deactivated} of {} active students ({percent}%).", preview.active_before)}</strong>
                    " That is more than usual — check this is the whole roster and the right school's file. Their marks and history would stay, and they come back if a later import includes them."
                </p>
            </div>
        })}
        <form method="post" action="/admin/import/confirm" class="stacked-form">
            {needs_extra_confirmation.then(|| view! {
                <label class="checkbox">
                    <input type="checkbox" name="deactivate_many" value="yes" required />
                    {format!(" Yes, deactivate {deactivated} students")}
                </label>
            })}
            <button type="submit" class="button primary">"Confirm and import"</button>
        </form>
        <form method="post" action="/admin/import/cancel" class="inline-form">
            <button type="submit" class="button">"Cancel: change nothing"</button>
        </form>
        {(!preview.warnings.is_empty()).then(|| view! {
            <h2>"Warnings"</h2>
            <ul>{preview.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
        })}
        {(rejected > 0).then(|| view! {
            <h2>{format!("Rows that will not be imported ({rejected})")}</h2>
            <div class="table-scroll">
                <table>
                    <thead><tr><th scope="col">"File"</th><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>
                        {preview.rejections.iter().map(|r| view! {
                            <tr><td>{r.file.clone()}</td><td>{r.line}</td><td>{r.column.clone().unwrap_or_default()}</td><td>{r.reason.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {more(preview.rejections.len(), rejected)}
        })}
        {(deactivated > 0).then(|| view! {
            <h2>{format!("Students who will become inactive ({deactivated})")}</h2>
            <ul class="columns">{preview.deactivated.iter().map(|n| view! { <li>{format!("{} ({})", n.name, n.sis_id)}</li> }).collect_view()}</ul>
            {more(preview.deactivated.len(), deactivated)}
        })}
        {(reactivated > 0).then(|| view! {
            <h2>{format!("Students who come back ({reactivated})")}</h2>
            <ul class="columns">{preview.reactivated.iter().map(|n| view! { <li>{format!("{} ({})", n.name, n.sis_id)}</li> }).collect_view()}</ul>
            {more(preview.reactivated.len(), reactivated)}
        })}
        {(changed > 0).then(|| view! {
            <h2>{format!("Students whose record changes ({changed})")}</h2>
            <ul>{preview.changed.iter().map(|c| view! { <li>{format!("{} ({}): {}", c.name, c.sis_id, c.changes.join("; "))}</li> }).collect_view()}</ul>
            {more(preview.changed.len(), changed)}
        })}
        {(new > 0).then(|| view! {
            <h2>{format!("New students ({new})")}</h2>
            <ul class="columns">{preview.new.iter().map(|n| view! { <li>{format!("{} ({})", n.name, n.sis_id)}</li> }).collect_view()}</ul>
            {more(preview.new.len(), new)}
        })}
        {(!preview.new_staff.is_empty()).then(|| view! {
            <h2>{format!("New staff accounts ({})", preview.new_staff.len())}</h2>
            <p class="hint">"They get no password: issue each a sign-in link on the Staff page."</p>
            <ul class="columns">{preview.new_staff.iter().take(PREVIEW_LIST_LIMIT).map(|n| view! { <li>{format!("{} ({})", n.name, n.sis_id)}</li> }).collect_view()}</ul>
        })}
        <p class="hint">{format!("Unchanged: {}. Lists show at most {PREVIEW_LIST_LIMIT} names each.", preview.unchanged)}</p>
    }
}

/// Which column is which, for a file whose column names Tether does not
/// know. The answer is remembered for this school's next imports.
#[component]
fn MappingView(page: MappingPage) -> impl IntoView {
    let MappingPage {
        file_name,
        headers,
        missing,
    } = page;
    view! {
        <h1>{format!("Which column is which in {file_name}?")}</h1>
        <p>
            {format!("Tether did not recognise the columns for: {}. ", missing.join(", "))}
            "Choose the column of your file that holds each of these; Tether remembers your choice for this school's next imports."
        </p>
        <form method="post" action="/admin/import/mapping" class="stacked-form">
            {MAPPABLE_FIELDS.into_iter().map(|(field, label, required)| {
                let id = format!("map-{field}");
                let needed = missing.iter().any(|m| m == field);
                view! {
                    <label for=id.clone()>{label}{(!required).then_some(" (optional)")}</label>
                    <select id=id name=field required=needed>
                        <option value="">{if needed { "Choose a column" } else { "— leave as recognised —" }}</option>
                        {headers.iter().filter(|h| !h.is_empty()).map(|h| view! { <option value=h.clone()>{h.clone()}</option> }).collect_view()}
                    </select>
                }
            }).collect_view()}
            <button type="submit" class="button primary">"Use these columns"</button>
        </form>
        <form method="post" action="/admin/import/cancel" class="inline-form">
            <button type="submit" class="button">"Cancel: change nothing"</button>
        </form>
    }
}

/// A district package: which of its schools is this one.
#[component]
fn ChooseSchoolView(file_name: String, schools: Vec<(String, String)>) -> impl IntoView {
    view! {
        <h1>{format!("Which school in {file_name} is this one?")}</h1>
        <p>{format!("The file holds {} schools. Tether imports only this school's students, staff and classes.", schools.len())}</p>
        <form method="post" action="/admin/import/source" class="stacked-form">
            <label for="source-school">"School in the file"</label>
            <select id="source-school" name="source_school" required>
                <option value="">"Choose the school"</option>
                {schools.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
            <button type="submit" class="button primary">"Preview this school"</button>
        </form>
        <form method="post" action="/admin/import/cancel" class="inline-form">
            <button type="submit" class="button">"Cancel: change nothing"</button>
        </form>
    }
}

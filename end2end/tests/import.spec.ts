import { readFile } from "node:fs/promises";
import type { Page, TestInfo } from "@playwright/test";
import { expect, expectAccessible, test } from "./fixtures";

// The roster import pages, /admin/import and /admin/import/preview. Both
// projects share one demo database, and the admin's waiting file too (one per
// person), so every test ends with its file imported or cancelled. Tests that
// import use "Only add and update" with student IDs of their own (per project
// and per run), so they add students and never deactivate the demo school's;
// the >10 % guard is looked at and then cancelled.

function hasJavaScript(testInfo: TestInfo) {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/** After a form post (a full page load), waits for the app with JavaScript. */
async function settle(page: Page, javaScript: boolean) {
  if (javaScript) await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
}

/**
 * Loads a page this test has already had checked by axe (through `visit`):
 * each check costs seconds, a whole context of its own without JavaScript.
 */
async function reopen(page: Page, path: string, javaScript: boolean) {
  await page.goto(path);
  await settle(page, javaScript);
}

const TEMPLATE_HEADER = "student_id,first_name,last_name,preferred_name,grade,homeroom,ell,iep,new_arrival";
const ADD_ONLY = "Only add and update: nobody is deactivated";
const WAITING = /is waiting for you to check it\./;

/** A short token that keeps student IDs unique even when a test runs twice on one database. */
function runToken() {
  return Date.now().toString(36).slice(-5).toUpperCase();
}

/** Chooses a CSV made in the test, picks the mode and uploads it for preview. */
async function upload(page: Page, name: string, csv: string, mode: "full" | "add_only") {
  await page.getByLabel(/^Roster file \(CSV/).setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  if (mode === "add_only") {
    await page.getByRole("radio", { name: ADD_ONLY }).check();
  } else {
    await expect(page.getByRole("radio", { name: /^This is the whole roster/ })).toBeChecked();
  }
  await page.getByRole("button", { name: "Upload and preview" }).click();
}

/** The number of active students, from the marking page's progress line. */
async function activeStudents(page: Page, javaScript: boolean) {
  await page.goto("/mark");
  await settle(page, javaScript);
  const text = ((await page.locator(".progress-line").textContent()) ?? "").trim();
  const found = text.match(/School: [\d,]+ of ([\d,]+) students \(\d+%\) have a strong connection this term\.$/);
  expect(found, `progress line: ${text}`).not.toBeNull();
  return Number(found![1].replace(/,/g, ""));
}

/**
 * A file left waiting by a test that failed halfway (the admin has one
 * waiting file, shared by both projects) would change what this test sees:
 * cancel it. Clean-up only, so straight to the form's address.
 */
async function cancelAnyWaitingFile(page: Page, javaScript: boolean) {
  if ((await page.getByText(WAITING).count()) === 0) return;
  const response = await page.request.post("/admin/import/cancel", { form: {}, headers: { Origin: originOf(page) } });
  expect(response.ok()).toBe(true);
  await reopen(page, "/admin/import", javaScript);
  await expect(page.getByText(WAITING)).toHaveCount(0);
}

function originOf(page: Page) {
  return new URL(page.url()).origin;
}

const historyRow = (page: Page, fileName: string) =>
  page
    .getByRole("region", { name: "Import history" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: fileName, exact: true }) });

test.describe("roster import", () => {
  test("an admin downloads the roster template, and Tether reads it back as its own template", async ({ page, visit, signIn, consoleErrors }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("admin");
    await visit("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roster" }).click();
    await expect(page).toHaveURL(/\/admin\/import$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Roster import");
    await expect(page).toHaveTitle("Roster import · Tether");
    await settle(page, javaScript);
    await cancelAnyWaitingFile(page, javaScript);

    const link = page.getByRole("link", { name: "roster template (CSV)" });
    await expect(link).toHaveAttribute("href", "/admin/import/template.csv");

    // The browser downloads it (with or without JavaScript: it is a plain link).
    const downloading = page.waitForEvent("download");
    await link.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("tether-roster-template.csv");
    const saved = await download.path();
    const text = await readFile(saved, "utf8");
    const lines = text.split(/\r?\n/).filter((line) => line !== "");
    expect(lines[0]).toBe(TEMPLATE_HEADER);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line.split(",")).toHaveLength(9);
    // The page did not go anywhere.
    await expect(page).toHaveURL(/\/admin\/import$/);

    // The same address as a plain request: a CSV, offered as a download.
    const response = await page.request.get((await link.getAttribute("href"))!);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/^text\/csv/);
    expect(response.headers()["content-disposition"]).toContain('filename="tether-roster-template.csv"');
    expect((await response.text()).split(/\r?\n/)[0]).toBe(TEMPLATE_HEADER);

    // Uploaded as it is, the template is recognised and every row is usable;
    // cancelled, nothing changes.
    const fileName = `tether-roster-template-${testInfo.project.name}.csv`;
    await upload(page, fileName, text, "add_only");
    await expect(page).toHaveURL(/\/admin\/import\/preview$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Check the import of ${fileName}`);
    await expect(page.getByText(/^Recognised as: /)).toHaveText("Recognised as: Tether template. Mode: Add and update only.");
    await expect(page.locator(".progress-line")).toHaveText(
      `If you confirm: ${lines.length - 1} new, 0 changed, 0 unchanged, 0 reactivated, 0 deactivated, 0 rows rejected.`,
    );
    await expect(page.getByRole("heading", { name: /^Rows that will not be imported/ })).toHaveCount(0);
    await page.getByRole("button", { name: "Cancel: change nothing" }).click();
    await expect(page).toHaveURL(/\/admin\/import$/);
    await expect(page.locator(".notice")).toHaveText("Nothing was imported.");
    await expect(historyRow(page, fileName)).toHaveCount(0);
    expect(consoleErrors, "errors in the browser console").toEqual([]);
  });

  test("an admin uploads new students, checks the preview, confirms, and finds them on the marking page", async ({ page, visit, signIn, consoleErrors }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const project = testInfo.project.name;
    const id = (n: number) => `E2E-${javaScript ? "JS" : "NOJS"}-${runToken()}-${n}`;
    const [first, second, third, bad] = [id(1), id(2), id(3), id(4)];
    // Invented people; a last name of each project's own.
    const family = javaScript ? "Quillfeather" : "Brackenridge";
    const fileName = `new-students-${project}.csv`;
    const csv = [
      "student_id,first_name,last_name,preferred_name,grade,homeroom,ell",
      `${first},Marguerite,${family},Daisy,9,E2E,Y`,
      `${second},Tobias,${family},,Grade 10,E2E,`,
      `${third},Ines,${family},,09,E2E,Y`,
      `${bad},Osric,${family},,ninth,E2E,`,
      "",
    ].join("\n");

    await signIn("admin");
    await visit("/admin/import");
    await cancelAnyWaitingFile(page, javaScript);
    const adminName = ((await page.locator(".who").textContent()) ?? "").replace(/\s*\(.*\)\s*$/, "").trim();
    expect(adminName).not.toBe("");

    await upload(page, fileName, csv, "add_only");
    await expect(page).toHaveURL(/\/admin\/import\/preview$/);
    await settle(page, javaScript);
    await expectAccessible(page, javaScript);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Check the import of ${fileName}`);
    await expect(page.getByText(/^Recognised as: /)).toHaveText("Recognised as: Tether template. Mode: Add and update only.");
    await expect(page.locator(".progress-line")).toHaveText(
      "If you confirm: 3 new, 0 changed, 0 unchanged, 0 reactivated, 0 deactivated, 1 rows rejected.",
    );
    // Nothing is deactivated, so there is no guard.
    await expect(page.getByRole("alert")).toHaveCount(0);
    await expect(page.getByRole("checkbox")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: /^Students who will become inactive/ })).toHaveCount(0);

    // The rejected row, with its line, column and reason.
    await expect(page.getByRole("heading", { level: 2, name: "Rows that will not be imported (1)" })).toBeVisible();
    const rejected = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "Problem" }) });
    await expect(rejected.getByRole("columnheader")).toHaveText(["File", "Line", "Column", "Problem"]);
    await expect(rejected.locator("tbody tr")).toHaveCount(1);
    await expect(rejected.locator("tbody tr td")).toHaveText([
      fileName,
      "5",
      "grade",
      "“ninth” is not a grade Tether can read (use PK, K or 1 to 12).",
    ]);

    // The new students, by the name they are called (the preferred name).
    await expect(page.getByRole("heading", { level: 2, name: "New students (3)" })).toBeVisible();
    const newStudents = page.locator("h2:text-is('New students (3)') + ul li");
    await expect(newStudents).toHaveText([
      `Daisy ${family} (${first})`,
      `Tobias ${family} (${second})`,
      `Ines ${family} (${third})`,
    ]);

    await page.getByRole("button", { name: "Confirm and import" }).click();
    await expect(page).toHaveURL(/\/admin\/import$/);
    const summary = "3 new, 0 changed, 0 unchanged, 0 reactivated, 0 deactivated, 1 rows rejected";
    await expect(page.locator(".notice")).toHaveText(`Imported ${fileName}: ${summary}.`);
    await expect(page.getByText(WAITING)).toHaveCount(0);
    const history = page.getByRole("region", { name: "Import history" });
    await expect(history.getByRole("columnheader")).toHaveText(["When (UTC)", "By", "File", "Format", "Mode", "Result"]);
    const line = historyRow(page, fileName).first();
    await expect(line.getByRole("cell")).toHaveText([
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
      adminName,
      fileName,
      "Tether template",
      "Add and update only",
      summary,
    ]);
    // Newest first.
    await expect(history.locator("tbody tr").first()).toContainText(fileName);

    // The message is shown once.
    await settle(page, javaScript);
    await reopen(page, "/admin/import", javaScript);
    await expect(page.locator(".notice")).toHaveCount(0);
    await expect(historyRow(page, fileName).first()).toBeVisible();

    // On the marking page, a search finds the new student by the name they go by.
    await reopen(page, "/mark", javaScript);
    const search = page.getByRole("search").locator("#mark-search");
    if (javaScript) {
      await search.pressSequentially(`Daisy ${family}`, { delay: 30 });
    } else {
      await search.fill(`Daisy ${family}`);
      await page.getByRole("button", { name: "Apply" }).click();
    }
    await expect(page).toHaveURL(new RegExp(`/mark\\?(.*&)?q=Daisy(\\+|%20)${family}(&|$)`));
    const row = page.locator("tr[data-student]").filter({ has: page.locator(".sis-id", { hasText: `ID ${first}` }) });
    await expect(row).toHaveCount(1);
    await expect(row.locator(".student-name")).toHaveText(`Daisy ${family}`);
    await expect(row.locator("td").nth(0)).toHaveText("9");
    await expect(row.locator("td").nth(1)).toHaveText("E2E");
    // The rejected row was not imported.
    await expect(page.locator(".sis-id", { hasText: `ID ${bad}` })).toHaveCount(0);
    expect(consoleErrors, "errors in the browser console").toEqual([]);
  });

  test("a whole-roster file that would deactivate more than 10 % of students needs a ticked box; cancelled, nothing changes", async ({ page, visit, signIn, consoleErrors }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const token = runToken();
    const fileName = `three-students-${testInfo.project.name}.csv`;
    // A PowerSchool-style export with three invented students, two with the
    // same name: a whole roster that leaves out the whole school.
    const csv = [
      "Student_Number,First_Name,Last_Name,Grade_Level",
      `G${token}1,Wilhelmina,Sorrowby,09`,
      `G${token}2,Wilhelmina,Sorrowby,Grade 10`,
      `G${token}3,Caspian,Thornwhistle,K`,
      "",
    ].join("\n");

    await signIn("admin");
    const active = await activeStudents(page, javaScript);
    expect(active).toBeGreaterThan(500);
    const percent = 100; // none of the school's students is in the file
    await visit("/admin/import");
    await cancelAnyWaitingFile(page, javaScript);

    await upload(page, fileName, csv, "full");
    await expect(page).toHaveURL(/\/admin\/import\/preview$/);
    await settle(page, javaScript);
    await expectAccessible(page, javaScript);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Check the import of ${fileName}`);
    await expect(page.getByText(/^Recognised as: /)).toHaveText("Recognised as: PowerSchool export. Mode: Whole roster.");
    await expect(page.locator(".progress-line")).toHaveText(
      `If you confirm: 3 new, 0 changed, 0 unchanged, 0 reactivated, ${active} deactivated, 0 rows rejected.`,
    );
    const alert = page.getByRole("alert");
    await expect(alert).toHaveCount(1);
    await expect(alert).toContainText(`This would deactivate ${active} of ${active} active students (${percent}%).`);
    const box = page.getByRole("checkbox", { name: `Yes, deactivate ${active} students` });
    await expect(box).toBeVisible();
    await expect(box).not.toBeChecked();
    await expect(box).toHaveAttribute("required", "");
    await expect(page.getByRole("heading", { level: 2, name: `Students who will become inactive (${active})` })).toBeVisible();
    await expect(page.getByText(`The first 500 of ${active} are listed.`)).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Warnings" })).toBeVisible();
    await expect(page.locator("h2:text-is('Warnings') + ul li")).toHaveText([
      `Wilhelmina Sorrowby appears 2 times, with student IDs G${token}1, G${token}2: check they are different students.`,
    ]);

    // Without the box ticked the browser does not send the form.
    await page.getByRole("button", { name: "Confirm and import" }).click();
    await expect(page).toHaveURL(/\/admin\/import\/preview$/);
    await expect(page.locator('input[name="deactivate_many"]:invalid')).toHaveCount(1);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Check the import of ${fileName}`);

    // A post that skips the browser's check imports nothing either.
    const forged = await page.request.post("/admin/import/confirm", {
      form: { deactivate_many: "" },
      headers: { Origin: originOf(page) },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(303);
    expect(forged.headers()["location"]).toBe("/admin/import");
    await reopen(page, "/admin/import", javaScript);
    await expect(page.locator(".form-error")).toHaveText(
      `Nothing was imported: this file would deactivate ${active} students, so tick the box that confirms it.`,
    );
    await expect(historyRow(page, fileName)).toHaveCount(0);

    // The file still waits; cancelled, it is gone and nothing changed.
    const waiting = page.locator(".notice", { hasText: WAITING });
    await expect(waiting).toHaveText(`${fileName} is waiting for you to check it. See what it would change`);
    await waiting.getByRole("link", { name: "See what it would change" }).click();
    await expect(page).toHaveURL(/\/admin\/import\/preview$/);
    await expect(page.getByRole("checkbox", { name: `Yes, deactivate ${active} students` })).toBeVisible();
    await page.getByRole("button", { name: "Cancel: change nothing" }).click();
    await expect(page).toHaveURL(/\/admin\/import$/);
    await expect(page.locator(".notice")).toHaveText("Nothing was imported.");
    await expect(page.getByText(WAITING)).toHaveCount(0);
    await expect(historyRow(page, fileName)).toHaveCount(0);
    await reopen(page, "/admin/import/preview", javaScript);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check the import");
    await expect(page.getByText("No file is waiting.")).toBeVisible();

    // The demo school's students are all still active.
    expect(await activeStudents(page, javaScript)).toBe(active);
    expect(consoleErrors, "errors in the browser console").toEqual([]);
  });

  test("a file that is not a student roster is refused with the reason, and nothing waits", async ({ page, visit, signIn, consoleErrors }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const fileName = `staff-list-${testInfo.project.name}.csv`;
    const csv = "email,name\nrowan.example@demo.example,Rowan Example\nsage.sample@demo.example,Sage Sample\n";
    await signIn("admin");
    await visit("/admin/import");
    await cancelAnyWaitingFile(page, javaScript);

    await upload(page, fileName, csv, "add_only");
    await expect(page).toHaveURL(/\/admin\/import$/);
    await settle(page, javaScript);
    const problem = page.getByRole("alert");
    await expect(problem).toHaveClass(/form-error/);
    await expect(problem).toHaveText(
      new RegExp(
        `^${escapeRegExp(fileName)}: The file has no student_id, first_name, last_name, grade column \\(its columns are: email, name\\)\\.`,
      ),
    );
    await expect(page.locator(".notice")).toHaveCount(0);
    await expect(page.getByText(WAITING)).toHaveCount(0);
    await expect(historyRow(page, fileName)).toHaveCount(0);
    await expectAccessible(page, javaScript);

    await reopen(page, "/admin/import/preview", javaScript);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check the import");
    await expect(page.getByText("No file is waiting.")).toBeVisible();
    expect(consoleErrors, "errors in the browser console").toEqual([]);
  });

  test("staff get the polite 403 page at the import pages and see no Roster link", async ({ page, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("staff");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roster" })).toHaveCount(0);
    for (const path of ["/admin/import", "/admin/import/preview"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await settle(page, javaScript);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");
      await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roster" })).toHaveCount(0);
      await expect(page.getByLabel(/^Roster file \(CSV/)).toHaveCount(0);
    }
    await expectAccessible(page, javaScript);

    // Posting the form directly is refused too.
    const refused = await page.request.post("/admin/import", {
      multipart: {
        file: { name: "sneaky.csv", mimeType: "text/csv", buffer: Buffer.from("student_id,first_name,last_name,grade\nS-1,Pip,Example,9\n") },
        mode: "add_only",
      },
      headers: { Origin: originOf(page) },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    const confirm = await page.request.post("/admin/import/confirm", {
      form: { deactivate_many: "yes" },
      headers: { Origin: originOf(page) },
      maxRedirects: 0,
    });
    expect(confirm.status()).toBe(403);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

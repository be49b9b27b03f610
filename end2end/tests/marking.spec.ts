import type { Locator, Page, TestInfo } from "@playwright/test";
import { expect, signedInPage, test } from "./fixtures";

// The marking page, /mark. Every test runs with and without JavaScript on one
// server, so the two projects share the demo database: each test works in its
// own homerooms (one per project where rows are picked by position) and picks
// students by their state (e.g. "the first one I have not marked"), so tests
// neither depend on their order nor disturb each other.

type Choice = "strong" | "knows" | "none";

const CANT_REACH =
  "Not saved yet: can't reach Tether. Kept — it will be sent when the connection is back.";

function hasJavaScript(testInfo: TestInfo) {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/** One homeroom for the with-JS project and another for the without-JS one. */
function homeroom(testInfo: TestInfo, withJs: string, withoutJs: string) {
  return hasJavaScript(testInfo) ? withJs : withoutJs;
}

const rows = (page: Page) => page.locator("tr[data-student]");
const rowOf = (page: Page, id: string) => page.locator(`tr[data-student="${id}"]`);
const button = (row: Locator, choice: Choice) => row.locator(`button[data-level="${choice}"]`);
const rowStatus = (row: Locator) => row.locator(".my-mark .row-status");
/** The visually hidden live region that reads changes out. */
const announcer = (page: Page) => page.locator('p.visually-hidden[role="status"]');

/** The first row on the page with no mark of mine yet. */
function unmarked(page: Page) {
  return rows(page).filter({ has: page.locator('button[data-level="none"][aria-pressed="true"]') }).first();
}

async function describeRow(row: Locator) {
  return {
    id: (await row.getAttribute("data-student")) ?? "",
    name: ((await row.locator(".student-name").textContent()) ?? "").trim(),
    sis: ((await row.locator(".sis-id").textContent()) ?? "").replace(/^ID /, "").trim(),
  };
}

async function expectChoice(row: Locator, choice: Choice) {
  for (const each of ["strong", "knows", "none"] as Choice[]) {
    await expect(button(row, each)).toHaveAttribute("aria-pressed", each === choice ? "true" : "false");
  }
}

async function currentChoice(row: Locator): Promise<Choice> {
  return (await row.locator('button[data-level][aria-pressed="true"]').getAttribute("data-level")) as Choice;
}

async function strongCount(row: Locator) {
  const text = ((await row.locator("td.strong-count").textContent()) ?? "").trim();
  return text.includes("no one yet") ? 0 : Number(text);
}

type Progress = { marked: number; strong: number; connected: number; active: number };

async function readProgress(page: Page): Promise<Progress> {
  const text = ((await page.locator(".progress-line").textContent()) ?? "").trim();
  const found = text.match(
    /^You have marked ([\d,]+) students? \(([\d,]+) strong\)\. School: ([\d,]+) of ([\d,]+) students \(\d+%\) have a strong connection this term\.$/,
  );
  expect(found, `progress line: ${text}`).not.toBeNull();
  const [marked, strong, connected, active] = found!.slice(1, 5).map((n) => Number(n.replace(/,/g, "")));
  return { marked, strong, connected, active };
}

function progressText(p: Progress) {
  const percent = Math.floor((p.connected * 100) / p.active);
  return (
    `You have marked ${p.marked} ${p.marked === 1 ? "student" : "students"} (${p.strong} strong). ` +
    `School: ${p.connected} of ${p.active} students (${percent}%) have a strong connection this term.`
  );
}

/** After a full page load with JavaScript, waits until the app has taken over. */
async function settle(page: Page, javaScript: boolean) {
  if (javaScript) await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
}

/** The local-storage entries of the page's queue of unsent marks. */
async function unsentMarks(page: Page) {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith("tether.unsent."))
      .map((key) => localStorage.getItem(key) ?? "")
      .join(","),
  );
}

test.describe("marking connections", () => {
  test("a mark is saved, shown on the row and counted in the progress line; No mark takes it back", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const room = homeroom(testInfo, "105", "106");
    await signIn("staff");
    await visit(`/mark?homeroom=${room}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mark connections");
    await expect(page).toHaveTitle("Mark connections · Tether");

    const row = unmarked(page);
    const student = await describeRow(row);
    const target = rowOf(page, student.id);
    const before = await readProgress(page);
    const count = await strongCount(target);
    const after: Progress = {
      ...before,
      marked: before.marked + 1,
      strong: before.strong + 1,
      connected: before.connected + (count === 0 ? 1 : 0),
    };

    const strong = target.getByRole("button", { name: `Strong — strong connection with ${student.name}` });
    if (javaScript) {
      // Slow the server down a little so "Saving…" can be seen.
      await page.route("**/api/mark", async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await route.continue();
      });
      await page.evaluate(() => ((window as unknown as { tetherMarker: number }).tetherMarker = 7));
      await strong.click();
      await expectChoice(target, "strong");
      await expect(rowStatus(target)).toHaveText("Saving…");
      await expect(rowStatus(target)).toHaveText("✓ Saved");
      await expect(announcer(page)).toHaveText(`${student.name}: strong connection. Saved.`);
      // In place: no page load, the address did not change.
      expect(await page.evaluate(() => (window as unknown as { tetherMarker?: number }).tetherMarker)).toBe(7);
      await expect(page).toHaveURL(new RegExp(`/mark\\?homeroom=${room}$`));
      await page.unroute("**/api/mark");
    } else {
      await strong.click();
      await expect(page).toHaveURL(new RegExp(`/mark\\?homeroom=${room}&saved=${student.id}#student-${student.id}$`));
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
      await expect(rowStatus(target)).toHaveText("✓ Saved");
      await expect(target).toBeInViewport();
    }
    await expectChoice(target, "strong");
    await expect(target.locator("td.strong-count")).toHaveText(String(count + 1));
    await expect(page.locator(".progress-line")).toHaveText(progressText(after));

    // It is on the server: a fresh load shows it.
    await page.goto(`/mark?homeroom=${room}`);
    await settle(page, javaScript);
    await expectChoice(target, "strong");
    await expect(page.locator(".progress-line")).toHaveText(progressText(after));

    // "No mark" removes it again.
    await target.getByRole("button", { name: `No mark for ${student.name}` }).click();
    if (javaScript) {
      await expect(rowStatus(target)).toHaveText("✓ Saved");
      await expect(announcer(page)).toHaveText(`${student.name}: no mark. Saved.`);
    } else {
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
    }
    await expectChoice(target, "none");
    await expect(target.locator("td.strong-count")).toContainText(count === 0 ? "0 — no one yet" : String(count));
    await expect(page.locator(".progress-line")).toHaveText(progressText(before));
    await page.reload();
    await settle(page, javaScript);
    await expectChoice(target, "none");
  });

  test("after a mark the list stays on the same row, with the grade filter and page kept", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const grade = javaScript ? "11" : "12";
    await signIn("staff");
    await visit(`/mark?grade=${grade}&page=2`);
    await expect(page.locator(".list-summary")).toHaveText(/^Showing 51–100 of \d+ students\.$/);
    const row = unmarked(page);
    const student = await describeRow(row);
    const target = rowOf(page, student.id);

    await target.getByRole("button", { name: `Knows — knows them with ${student.name}` }).click();
    if (javaScript) {
      await expect(rowStatus(target)).toHaveText("✓ Saved");
      await expect(page).toHaveURL(new RegExp(`/mark\\?grade=${grade}&page=2$`));
    } else {
      await expect(page).toHaveURL(
        new RegExp(`/mark\\?grade=${grade}&page=2&saved=${student.id}#student-${student.id}$`),
      );
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
      await expect(rowStatus(target)).toHaveText("✓ Saved");
      await expect(target).toBeInViewport();
    }
    await expectChoice(target, "knows");
    await expect(page.locator("#mark-grade")).toHaveValue(grade);
    await expect(page.locator(".list-summary")).toHaveText(/^Showing 51–100 of \d+ students\.$/);
    await expect(page.locator("nav.pager")).toContainText(/Page 2 of \d+/);
    for (const cell of await rows(page).locator("td:nth-of-type(1)").all()) {
      await expect(cell).toHaveText(grade);
    }
  });

  test("a mark made from the “No strong connection yet” list is confirmed", async ({ page, visit, signIn }, testInfo) => {
    // The student leaves that list once marked strong; the person still has
    // to learn that the mark was saved, and for whom.
    const javaScript = hasJavaScript(testInfo);
    const room = homeroom(testInfo, "206", "306");
    await signIn("staff");
    await visit(`/mark?homeroom=${room}&show=unconnected`);
    const row = unmarked(page);
    const student = await describeRow(row);
    await rowOf(page, student.id).getByRole("button", { name: `Strong — strong connection with ${student.name}` }).click();
    if (javaScript) {
      await expect(rowStatus(rowOf(page, student.id))).toHaveText("✓ Saved");
      await expect(announcer(page)).toHaveText(`${student.name}: strong connection. Saved.`);
    } else {
      await expect(page).toHaveURL(
        new RegExp(`/mark\\?homeroom=${room}&show=unconnected&saved=${student.id}#student-${student.id}$`),
      );
      await expect(page.locator("#mark-show")).toHaveValue("unconnected");
      await expect(page.locator(".notice")).toHaveText(
        `Saved for ${student.name}: Strong. They no longer match this list's filters, so they are not shown here.`,
      );
    }
    // Saved on the server either way.
    await page.goto(`/mark?q=${student.sis}`);
    await settle(page, javaScript);
    await expectChoice(rowOf(page, student.id), "strong");
  });

  test("searching finds students by name and by student ID", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("counselor");
    await visit(`/mark?homeroom=${homeroom(testInfo, "402", "403")}`);
    const student = await describeRow(rows(page).nth(3));
    await visit("/mark");
    const all = await page.locator(".list-summary").textContent();
    const search = page.getByRole("search").getByLabel("Search students");

    const searchFor = async (text: string) => {
      if (javaScript) {
        // The list follows the typing, without pressing Apply.
        await search.clear();
        await search.pressSequentially(text, { delay: 30 });
      } else {
        await search.fill(text);
        await page.getByRole("button", { name: "Apply" }).click();
      }
      // Without JavaScript the form sends its empty fields too (q=…&grade=&…).
      const q = encodeURIComponent(text).replace(/%20/g, "\\+");
      await expect(page).toHaveURL(new RegExp(`/mark\\?(.*&)?q=${q}(&|$)`));
      await expect(page.locator(".list-summary")).not.toHaveText(all ?? "");
    };

    await searchFor(student.name);
    await expect(rowOf(page, student.id)).toBeVisible();
    for (const name of await rows(page).locator(".student-name").allTextContents()) {
      expect(name.toLowerCase()).toContain(student.name.toLowerCase());
    }
    // The search field still shows what was searched for, so that Apply or a
    // change of filter keeps the search.
    await expect.soft(search, "the search field shows the search").toHaveValue(student.name, { timeout: 2_000 });

    await searchFor(student.sis);
    await expect(rows(page)).toHaveCount(1);
    await expect(rowOf(page, student.id).locator(".sis-id")).toHaveText(`ID ${student.sis}`);
    await expect(page.locator(".list-summary")).toHaveText("Showing 1–1 of 1 students.");

    // Changing a filter keeps the search.
    await page.getByLabel("Grade").selectOption(await rowOf(page, student.id).locator("td:nth-of-type(1)").innerText());
    if (!javaScript) await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]grade=\\d+(&|$)`));
    await expect
      .soft(page, "a change of grade keeps the search")
      .toHaveURL(new RegExp(`[?&]q=${student.sis}(&|$)`), { timeout: 2_000 });

    await searchFor("Nobody Byth1sname");
    await expect(page.locator(".list-summary")).toHaveText(
      "No students match. Clear the search or choose other filters.",
    );
    await expect(page.locator(".mark-table")).toHaveCount(0);
  });

  test("the “No strong connection yet” filter lists only students nobody has marked strong", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("counselor");
    await visit("/mark");
    const everyone = await readProgress(page);
    await page.getByLabel("Show").selectOption({ label: "No strong connection yet" });
    if (!javaScript) await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/\/mark\?(.*&)?show=unconnected(&|$)/);
    await expect(page.getByLabel("Show")).toHaveValue("unconnected");

    // As many as the progress line says have no one.
    const unconnected = everyone.active - everyone.connected;
    expect(unconnected).toBeGreaterThan(0);
    await expect(page.locator(".list-summary")).toHaveText(
      `Showing 1–${Math.min(unconnected, 50)} of ${unconnected} students.`,
    );
    const counts = rows(page).locator("td.strong-count");
    await expect(counts).toHaveCount(Math.min(unconnected, 50));
    for (const cell of await counts.all()) {
      await expect(cell.locator(".nobody")).toHaveText(/^⚠ 0 — no one yet$/);
    }
  });

  test("the grade filter shows one grade only", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("staff");
    await visit("/mark");
    const total = Number(((await page.locator(".list-summary").textContent()) ?? "").match(/of ([\d,]+)/)?.[1]);
    await page.getByLabel("Grade").selectOption({ label: "Grade 9" });
    if (!javaScript) await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/\/mark\?(.*&)?grade=9(&|$)/);
    await expect(page.getByLabel("Grade")).toHaveValue("9");
    const summary = page.locator(".list-summary");
    await expect(summary).toHaveText(/^Showing 1–50 of \d+ students\.$/);
    const ninth = Number(((await summary.textContent()) ?? "").match(/of ([\d,]+)/)?.[1]);
    expect(ninth).toBeGreaterThan(50);
    expect(ninth).toBeLessThan(total);
    const grades = await rows(page).locator("td:nth-of-type(1)").allTextContents();
    expect(grades).toHaveLength(50);
    expect(new Set(grades)).toEqual(new Set(["9"]));
  });

  test("the list comes 50 students a page, with next and previous links that keep the filters", async ({ page, visit, signIn }, testInfo) => {
    // Several pages, each checked with axe: slow on a loaded 2-core machine.
    test.setTimeout(90_000);
    const javaScript = hasJavaScript(testInfo);
    await signIn("staff");
    await visit("/mark");
    const summary = page.locator(".list-summary");
    await expect(summary).toHaveText(/^Showing 1–50 of \d+ students\.$/);
    const total = Number(((await summary.textContent()) ?? "").match(/of ([\d,]+)/)?.[1]);
    const pages = Math.ceil(total / 50);
    const pager = page.getByRole("navigation", { name: "Pages of students" });
    await expect(pager).toContainText(`Page 1 of ${pages}`);
    await expect(pager.getByRole("link", { name: "← Previous page" })).toHaveCount(0);
    await expect(rows(page)).toHaveCount(50);
    const firstOnPageOne = await describeRow(rows(page).first());

    await pager.getByRole("link", { name: "Next page →" }).click();
    await expect(page).toHaveURL(/\/mark\?page=2$/);
    await expect(summary).toHaveText(`Showing 51–100 of ${total} students.`);
    await expect(pager).toContainText(`Page 2 of ${pages}`);
    await expect(rowOf(page, firstOnPageOne.id)).toHaveCount(0);
    await expect(rows(page)).toHaveCount(50);

    await pager.getByRole("link", { name: "← Previous page" }).click();
    await expect(page).toHaveURL(/\/mark$/);
    await expect(summary).toHaveText(`Showing 1–50 of ${total} students.`);
    await expect(rows(page).first()).toHaveAttribute("data-student", firstOnPageOne.id);

    // The last page holds the rest, and has no next page.
    await visit(`/mark?page=${pages}`);
    await expect(summary).toHaveText(`Showing ${(pages - 1) * 50 + 1}–${total} of ${total} students.`);
    await expect(pager.getByRole("link", { name: "Next page →" })).toHaveCount(0);

    // Paging keeps the filters.
    await visit("/mark?grade=10&show=all");
    await page.getByRole("navigation", { name: "Pages of students" }).getByRole("link", { name: "Next page →" }).click();
    await expect(page).toHaveURL(/\/mark\?grade=10&page=2$/);
    await expect(page.getByLabel("Grade")).toHaveValue("10");
    await expect(summary).toHaveText(/^Showing 51–\d+ of \d+ students\.$/);
    if (javaScript) await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  });

  test("marking with the keyboard alone", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const room = homeroom(testInfo, "101", "102");
    await signIn("staff");
    await visit(`/mark?homeroom=${room}`);
    const [first, second, third] = [rows(page).nth(0), rows(page).nth(1), rows(page).nth(2)];

    // Tab from the filters reaches the first student's first mark button.
    await page.getByLabel("Show").focus();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.matches("button[data-level]"))) break;
    }
    await expect(button(first, "strong")).toBeFocused();

    if (!javaScript) {
      // Without JavaScript: Tab to the wanted button and press Enter.
      const student = await describeRow(first);
      const target: Choice = (await currentChoice(first)) === "strong" ? "knows" : "strong";
      if (target === "knows") await page.keyboard.press("Tab");
      await expect(button(first, target)).toBeFocused();
      await page.keyboard.press("Enter");
      await expect(page).toHaveURL(new RegExp(`/mark\\?homeroom=${room}&saved=${student.id}#student-${student.id}$`));
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
      await expectChoice(rowOf(page, student.id), target);
      return;
    }

    // Arrows move to the same button of the next or previous student.
    await page.keyboard.press("ArrowDown");
    await expect(button(second, "strong")).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await expect(button(third, "strong")).toBeFocused();
    await page.keyboard.press("ArrowUp");
    await expect(button(second, "strong")).toBeFocused();

    // K, S and N mark the focused student's row.
    const secondStudent = await describeRow(second);
    const secondTarget: Choice = (await currentChoice(second)) === "knows" ? "strong" : "knows";
    await page.keyboard.press(secondTarget === "knows" ? "k" : "s");
    await expectChoice(second, secondTarget);
    await expect(button(second, secondTarget)).toBeFocused();
    await expect(rowStatus(second)).toHaveText("✓ Saved");

    await page.keyboard.press("ArrowDown");
    await expect(button(third, secondTarget)).toBeFocused();
    const thirdStudent = await describeRow(third);
    const thirdBefore = await currentChoice(third);
    // Two marks in a row: the last one wins.
    await page.keyboard.press(thirdBefore === "strong" ? "k" : "s");
    await page.keyboard.press("n");
    await expectChoice(third, "none");
    await expect(button(third, "none")).toBeFocused();
    await expect(rowStatus(third)).toHaveText("✓ Saved");

    // Letters typed into a concern's reason never mark anyone.
    await third.getByText("Raise a concern").click();
    await third.getByLabel("Reason (optional, private)").fill("");
    await third.getByLabel("Reason (optional, private)").press("s");
    await expectChoice(third, "none");

    await page.reload();
    await settle(page, true);
    await expectChoice(rowOf(page, secondStudent.id), secondTarget);
    await expectChoice(rowOf(page, thirdStudent.id), "none");
  });

  test("last term's mark shows as a hint and can be kept with one click", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("staff");
    // Homeroom 304: the demo staff member marked students there last term only.
    await visit("/mark?homeroom=304");
    const row = rows(page).filter({ has: page.locator(".last-term") }).first();
    const student = await describeRow(row);
    const target = rowOf(page, student.id);
    const hint = target.locator(".last-term");
    const text = ((await hint.textContent()) ?? "").trim();
    const found = text.match(/^Last term: (Strong connection|Knows them)\. Keep it/);
    expect(found, `hint: ${text}`).not.toBeNull();
    const level: Choice = found![1] === "Strong connection" ? "strong" : "knows";
    await expectChoice(target, "none");

    await target.getByRole("button", { name: `Keep it for ${student.name}` }).click();
    if (javaScript) {
      await expect(rowStatus(target)).toHaveText("✓ Saved");
    } else {
      await expect(page).toHaveURL(new RegExp(`/mark\\?homeroom=304&saved=${student.id}#student-${student.id}$`));
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
    }
    await expectChoice(target, level);
    await expect(hint).toHaveCount(0);
    await page.reload();
    await settle(page, javaScript);
    await expectChoice(target, level);
    await expect(hint).toHaveCount(0);
  });

  test("a concern raised by the counselor is seen by admins as a count, its reason only by the counselor, and by other staff not at all", async ({ page, browser, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const room = homeroom(testInfo, "203", "205");
    const reason = `Seems withdrawn since the break (${testInfo.project.name})`;
    await signIn("counselor");
    await visit(`/mark?homeroom=${room}`);
    // A student with no concern from anyone yet.
    const row = rows(page)
      .filter({ hasNot: page.locator(".others-concerns") })
      .filter({ hasNot: page.locator(".concern-raised") })
      .first();
    const student = await describeRow(row);
    const target = rowOf(page, student.id);
    const concern = target.locator("details.concern-control");

    await concern.getByText("Raise a concern").click();
    await concern.getByLabel("Reason (optional, private)").fill(reason);
    await concern.getByRole("button", { name: "Raise concern" }).click();
    if (javaScript) {
      await expect(concern.locator(".concern-status")).toHaveText("Saved");
      await expect(announcer(page)).toHaveText(
        `Concern about ${student.name} saved. Only counselors and admins see it.`,
      );
    } else {
      await expect(page).toHaveURL(new RegExp(`/mark\\?homeroom=${room}&saved=${student.id}#student-${student.id}$`));
    }
    await expect(concern.locator("summary")).toContainText("⚑ Concern raised");
    await page.reload();
    await settle(page, javaScript);
    await expect(concern.locator("summary")).toContainText("⚑ Concern raised");
    await concern.locator("summary").click();
    // The author sees their reason again (and "Save reason" would keep it).
    await expect.soft(concern.getByLabel("Reason (optional, private)"), "the author sees the reason").toHaveValue(reason);
    await expect(concern.getByRole("button", { name: "Save reason" })).toBeVisible();
    await expect(concern.getByRole("button", { name: "Withdraw concern" })).toBeVisible();

    // Another staff member, at another desk, sees nothing of it.
    const staff = await signedInPage(browser, "staff", javaScript);
    await staff.goto(`/mark?q=${student.sis}`);
    await settle(staff, javaScript);
    const staffRow = rowOf(staff, student.id);
    await expect(staffRow).toBeVisible();
    await expect(staffRow.locator("details.concern-control summary")).toHaveText(
      `Raise a concern about ${student.name}`,
    );
    await expect(staffRow.locator(".others-concerns")).toHaveCount(0);
    await expect(staff.locator("body")).not.toContainText("⚑");
    await expect(staff.locator("body")).not.toContainText(reason);
    expect(await staff.content()).not.toContain("withdrawn since the break");
    await staff.context().close();

    // An admin sees that someone raised a concern, not why.
    const admin = await signedInPage(browser, "admin", javaScript);
    await admin.goto(`/mark?q=${student.sis}`);
    await settle(admin, javaScript);
    const adminRow = rowOf(admin, student.id);
    await expect(adminRow.locator(".others-concerns")).toHaveText("⚑ 1 from other staff");
    expect(await admin.content()).not.toContain("withdrawn since the break");

    // Withdrawn, it is gone for the admin too.
    await concern.getByRole("button", { name: "Withdraw concern" }).click();
    if (javaScript) {
      await expect(concern.locator(".concern-status")).toHaveText("Saved");
    } else {
      await expect(page).toHaveURL(new RegExp(`saved=${student.id}#student-${student.id}$`));
    }
    await expect(concern.locator("summary")).toHaveText(`Raise a concern about ${student.name}`);
    await admin.reload();
    await settle(admin, javaScript);
    await expect(adminRow.locator(".others-concerns")).toHaveCount(0);
    await admin.context().close();
  });

  test("a mark made while Tether can't be reached is kept and arrives once the connection is back", async ({ page, context, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const room = homeroom(testInfo, "303", "401");
    await signIn("staff");
    await visit(`/mark?homeroom=${room}`);
    const student = await describeRow(unmarked(page));
    const target = rowOf(page, student.id);
    const strong = target.getByRole("button", { name: `Strong — strong connection with ${student.name}` });

    await context.setOffline(true);
    if (javaScript) {
      await strong.click();
      // Shown at once, and kept in the browser until it is sent.
      await expectChoice(target, "strong");
      await expect(rowStatus(target)).toHaveText(CANT_REACH);
      await expect(announcer(page)).toContainText("not saved yet");
      expect(await unsentMarks(page)).toContain(`${student.id}:strong`);
      await context.setOffline(false);
      await expect(rowStatus(target)).toHaveText("✓ Saved", { timeout: 20_000 });
      expect(await unsentMarks(page)).toBe("");
    } else {
      // Without JavaScript the form post itself fails: the browser says so,
      // nothing is recorded, and the same button works once back online.
      await strong.click().catch(() => undefined);
      await context.setOffline(false);
      await page.goto(`/mark?homeroom=${room}`);
      await expectChoice(target, "none");
      await strong.click();
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
    }
    await page.goto(`/mark?homeroom=${room}`);
    await settle(page, javaScript);
    await expectChoice(target, "strong");
  });

  test("marks not yet sent are kept in the browser and sent on the next visit", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const room = homeroom(testInfo, "404", "406");
    await signIn("staff");
    await visit(`/mark?homeroom=${room}`);
    const student = await describeRow(unmarked(page));
    const target = rowOf(page, student.id);
    const knows = target.getByRole("button", { name: `Knows — knows them with ${student.name}` });

    let apiCalls = 0;
    await page.route("**/api/mark", (route) => {
      apiCalls += 1;
      return route.abort("connectionrefused");
    });
    await knows.click();
    if (javaScript) {
      await expect(rowStatus(target)).toHaveText(CANT_REACH);
      expect(await unsentMarks(page)).toContain(`${student.id}:knows`);
      // Leave before it could be sent; the server is reachable again later.
      await page.goto("/");
      await page.unroute("**/api/mark");
      // Already checked by axe above: only wait for the app to take over.
      await page.goto(`/mark?homeroom=${room}`);
      await settle(page, true);
      await expect(rowStatus(target)).toHaveText("✓ Saved", { timeout: 20_000 });
      await expectChoice(target, "knows");
      expect(await unsentMarks(page)).toBe("");
      await page.reload();
      await settle(page, true);
    } else {
      // Without JavaScript a mark never goes through the background queue:
      // the form posts straight to the server.
      await expect(page.locator(".notice")).toHaveText(new RegExp(`^Saved for ${escapeRegExp(student.name)}: (Strong|Knows|No mark)\\.$`));
      expect(apiCalls).toBe(0);
      await page.unroute("**/api/mark");
    }
    await expectChoice(target, "knows");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

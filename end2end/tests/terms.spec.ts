import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

// The terms page, /admin/terms. Both projects share one demo database, so each
// adds terms of its own (different names and years) and leaves the current
// term as it found it.

function hasJavaScript(testInfo: TestInfo) {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/** After a form post (a full page load), waits for the app with JavaScript. */
async function settle(page: Page, javaScript: boolean) {
  if (javaScript) await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
}

const termRow = (page: Page, name: string) =>
  page.getByRole("row").filter({ has: page.getByRole("rowheader", { name, exact: true }) });
const statusOf = (page: Page, name: string) => termRow(page, name).locator("td").nth(1);
const rowWithStatus = (page: Page, status: string) =>
  page.getByRole("row").filter({ has: page.getByRole("cell", { name: status, exact: true }) });

/** The name of the term marking goes to now. */
async function currentTerm(page: Page) {
  const name = (await rowWithStatus(page, "Current").getByRole("rowheader").textContent()) ?? "";
  expect(name).toMatch(/^(Spring|Fall) \d{4}$/);
  return name;
}

async function addTerm(page: Page, name: string, first: string, last: string) {
  const form = page.getByRole("region", { name: "Add a term" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("First day").fill(first);
  await form.getByLabel("Last day").fill(last);
  await form.getByRole("button", { name: "Add term" }).click();
}

/** Today and a later day as the server's calendar (UTC) has them. */
function utcDay(offsetDays = 0) {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

test.describe("terms", () => {
  test("an admin adds a term far in the future and sees it as upcoming", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const [name, first, last, dates] = javaScript
      ? ["Spring 2030", "2030-01-07", "2030-06-14", "Jan 7, 2030 – Jun 14, 2030"]
      : ["Fall 2030", "2030-08-26", "2030-12-20", "Aug 26, 2030 – Dec 20, 2030"];
    await signIn("admin");
    await visit("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Terms" }).click();
    await expect(page).toHaveURL(/\/admin\/terms$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Terms");
    await settle(page, javaScript);
    const current = await currentTerm(page);

    await addTerm(page, name, first, last);
    await expect(page).toHaveURL(/\/admin\/terms$/);
    await expect(page.locator(".notice")).toHaveText(`Term “${name}” added.`);
    await expect(termRow(page, name).locator("td").first()).toHaveText(dates);
    await expect(statusOf(page, name)).toHaveText("Upcoming");
    await expect(page.getByRole("button", { name: `Pin ${name} as current` })).toBeVisible();
    await expect(termRow(page, name).locator("summary")).toHaveText(`Edit ${name}`);
    // Adding a future term changes nothing about the current one.
    await expect(statusOf(page, current)).toHaveText("Current");

    // The message is shown once.
    await settle(page, javaScript);
    await visit("/admin/terms");
    await expect(page.locator(".notice")).toHaveCount(0);
    await expect(statusOf(page, name)).toHaveText("Upcoming");
  });

  test("a term that overlaps another is refused, with a message naming it", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const name = javaScript ? "Overlapping term (with JS)" : "Overlapping term (no JS)";
    await signIn("admin");
    await visit("/admin/terms");
    const current = await currentTerm(page);
    const rowsBefore = await page.getByRole("row").count();

    // From today: inside the current term.
    await addTerm(page, name, utcDay(0), utcDay(20));
    const problem = page.getByRole("alert");
    await expect(problem).toHaveClass(/form-error/);
    await expect(problem).toHaveText(
      `Those dates overlap “${current}”. Terms cannot overlap: change the dates of one of them.`,
    );
    await expect(termRow(page, name)).toHaveCount(0);
    await expect(page.getByRole("row")).toHaveCount(rowsBefore);
    await expect(page.locator(".notice")).toHaveCount(0);
    await expect(statusOf(page, current)).toHaveText("Current");

    // A term that ends before it starts is refused too.
    await settle(page, javaScript);
    await addTerm(page, name, "2040-06-01", "2040-01-01");
    await expect(page.getByRole("alert")).toHaveText("The term's last day is before its first day.");
    await expect(termRow(page, name)).toHaveCount(0);
  });

  test("an upcoming term can be edited; a term that has ended cannot", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    const [name, renamed, year] = javaScript
      ? ["Summer 2034", "Summer session 2034", "2034"]
      : ["Summer 2035", "Summer session 2035", "2035"];
    await signIn("admin");
    await visit("/admin/terms");
    await addTerm(page, name, `${year}-06-15`, `${year}-07-31`);
    await expect(page.locator(".notice")).toHaveText(`Term “${name}” added.`);
    await settle(page, javaScript);

    const row = termRow(page, name);
    await row.getByText(`Edit ${name}`).click();
    await row.getByLabel("Name").fill(renamed);
    await row.getByLabel("Last day").fill(`${year}-08-14`);
    await row.getByRole("button", { name: "Save changes" }).click();
    await expect(page.locator(".notice")).toHaveText(`Term “${renamed}” saved.`);
    await expect(termRow(page, name)).toHaveCount(0);
    await expect(termRow(page, renamed).locator("td").first()).toHaveText(`Jun 15, ${year} – Aug 14, ${year}`);
    await expect(statusOf(page, renamed)).toHaveText("Upcoming");

    // The demo's previous term has ended: read-only, nothing to pin or edit.
    const ended = rowWithStatus(page, "Ended (read-only)");
    await expect(ended).toHaveCount(1);
    await expect(ended.getByRole("button")).toHaveCount(0);
    await expect(ended.locator("details")).toHaveCount(0);
  });

  test("an admin pins the current term and unpins it again", async ({ page, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("admin");
    await visit("/admin/terms");
    const current = await currentTerm(page);

    await page.getByRole("button", { name: `Pin ${current} as current` }).click();
    await expect(page.getByRole("status")).toHaveText(`“${current}” is pinned: marking goes to it until you unpin it.`);
    await expect(statusOf(page, current)).toHaveText("Current (pinned)");
    await expect(page.getByRole("main")).toContainText(", pinned by an admin.");
    await settle(page, javaScript);

    await page.getByRole("button", { name: `Unpin ${current}` }).click();
    await expect(page.getByRole("status")).toHaveText(
      `“${current}” is no longer pinned: the current term is the one containing today.`,
    );
    await expect(statusOf(page, current)).toHaveText("Current");
    await expect(page.getByRole("button", { name: `Pin ${current} as current` })).toBeVisible();
    await expect(page.getByRole("main")).not.toContainText("pinned by an admin");
  });

  test("staff and counselors get the polite 403 page at /admin/terms", async ({ page, signIn }) => {
    for (const who of ["staff", "counselor"] as const) {
      await signIn(who);
      const response = await page.goto("/admin/terms");
      expect(response?.status()).toBe(403);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");
      await expect(page.getByRole("button", { name: "Add term" })).toHaveCount(0);
      await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Terms" })).toHaveCount(0);
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page).toHaveURL(/\/login/);
    }
  });
});

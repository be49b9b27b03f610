import { readFile } from "node:fs/promises";
import { expect, test } from "./fixtures";

// The coverage dashboard, /coverage, for counselors and admins.

/** "1,234" → 1234. */
const count = (text: string | null) => Number((text ?? "").replace(/[^0-9]/g, ""));

test.describe("coverage", () => {
  test("the dashboard shows the demo school's figures, with a table for each chart", async ({ page, visit, signIn }) => {
    await signIn("counselor");
    await visit("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Coverage" }).click();
    await expect(page).toHaveURL(/\/coverage$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Coverage");

    // The headline: connected + no one yet = every active student.
    const headline = page.locator(".headline li");
    await expect(headline).toHaveCount(4);
    const connectedText = await headline.nth(0).locator(".detail").textContent();
    const noneText = await headline.nth(2).locator(".detail").textContent();
    const [connected, students] = (connectedText ?? "").split(" of ").map(count);
    const [none] = (noneText ?? "").split(" of ").map(count);
    expect(students).toBeGreaterThan(100);
    expect(connected).toBeGreaterThan(0);
    expect(connected + none).toBe(students);

    // The chart is an image with a text alternative, and its numbers are in
    // a table: today's row (the first) matches the headline.
    const series = page.getByRole("region", { name: "Over the term" });
    await expect(series.getByRole("img")).toHaveAttribute("aria-label", /^Line chart of coverage per day/);
    await series.getByText("Data table: coverage per day").click();
    const today = series.getByRole("table").getByRole("row").nth(1);
    await expect(today.getByRole("cell").nth(0)).toHaveText(students.toLocaleString("en-US"));
    await expect(today.getByRole("cell").nth(1)).toHaveText(connected.toLocaleString("en-US"));
    expect(await series.getByRole("table").getByRole("row").count()).toBeGreaterThan(30);

    // Breakdowns, least connected first, and the previous term beside this one.
    const groups = page.getByRole("region", { name: "By group" });
    await expect(groups.getByRole("heading", { name: "Grade", exact: true })).toBeVisible();
    await expect(groups.getByRole("heading", { name: "ell", exact: true })).toBeVisible();
    const terms = page.getByRole("region", { name: "Across terms" });
    await expect(terms.getByRole("img")).toHaveAttribute("aria-label", /\(now\)/);
  });

  test("a counselor downloads a table as CSV", async ({ page, visit, signIn }) => {
    await signIn("counselor");
    await visit("/coverage");
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "By grade", exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^tether-coverage-grade-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await readFile(await file.path(), "utf8");
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("grade,students,with_1_or_more,with_2_or_more,with_none,percent_connected");
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[1]).toMatch(/^(9|10|11|12),\d+,\d+,\d+,\d+,\d+\.\d$/);
  });

  test("the print report has every table open and no navigation", async ({ page, visit, signIn }) => {
    await signIn("admin");
    await visit("/coverage/report");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Coverage report — /);
    await page.emulateMedia({ media: "print" });
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    await expect(page.getByRole("region", { name: "Over the term" }).getByRole("table")).toBeVisible();
    await expect(page.getByRole("region", { name: "Staff participation" })).toBeHidden();
  });

  test("staff cannot open the dashboard", async ({ page, visit, signIn }) => {
    await signIn("staff");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Coverage" })).toHaveCount(0);
    await visit("/coverage");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");
  });
});

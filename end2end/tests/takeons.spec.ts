import type { Page, TestInfo } from "@playwright/test";
import { expect, signedInPage, test } from "./fixtures";

// Unconnected students and taking them on. Both projects share one demo
// database: each takes the first student still on the list.

function hasJavaScript(testInfo: TestInfo) {
  return testInfo.project.use.javaScriptEnabled !== false;
}

/** The signed-in person's name, from the header ("Name (Role)"). */
async function ownName(page: Page) {
  const text = (await page.locator(".account .who").textContent()) ?? "";
  return text.replace(/\s*\((Staff|Counselor|Admin)\)\s*$/, "").trim();
}

/** Marks `student` strong on the marking page, found by search. */
async function markStrong(page: Page, student: string, javaScript: boolean) {
  await page.goto(`/mark?q=${encodeURIComponent(student)}`);
  if (javaScript) await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
  const strong = page.getByRole("button", { name: `Strong — strong connection with ${student}` }).first();
  await strong.click();
  await expect(page.getByRole("button", { name: `Strong — strong connection with ${student}` }).first()).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(page.getByText("✓ Saved").first()).toBeVisible();
}

test.describe("take-ons", () => {
  test("a counselor assigns a student; the adult checks in, connects, and the student leaves the list", async (
    { page, browser, visit, signIn },
    testInfo,
  ) => {
    const javaScript = hasJavaScript(testInfo);
    const staff = await signedInPage(browser, "staff", javaScript);
    const staffName = await ownName(staff);

    await signIn("counselor");
    await visit("/unconnected");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Unconnected students");
    const first = page.locator("table.unconnected tbody tr").first();
    const student = ((await first.getByRole("rowheader").textContent()) ?? "").trim();
    expect(student).not.toBe("");
    await first.getByRole("link", { name: `Assign… someone to ${student}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Who will connect with ${student}?`);
    const value = await page.locator("#assign-staff option", { hasText: staffName }).first().getAttribute("value");
    await page.getByLabel("Adult").selectOption(value!);
    await page.getByRole("button", { name: "Assign" }).click();
    await expect(page.locator(".notice")).toHaveText(new RegExp(`^${staffName} is now connecting with ${student}\\.`));
    await expect(page.locator("table.unconnected tbody tr", { hasText: student }).first()).toContainText(staffName);
    // Counselors follow every take-on up.
    await visit("/take-ons");
    // (The demo school has take-ons of its own: a student may have two adults.)
    await expect(page.getByRole("row").filter({ hasText: student }).filter({ hasText: staffName })).toHaveCount(1);

    // The adult sees the student on their home page and logs a check-in.
    await staff.goto("/");
    const mine = staff.getByRole("region", { name: "Students I'm connecting with" });
    await mine.getByRole("link", { name: student }).click();
    await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`Connecting with ${student}`);
    await staff.getByLabel("Note (optional)").fill("Talked about the robotics club.");
    await staff.getByRole("button", { name: "Log check-in" }).click();
    await expect(staff.locator(".notice")).toHaveText(`Check-in logged for ${student} (day 1 of 10).`);
    await expect(staff.getByText("Talked about the robotics club.")).toBeVisible();

    // A strong mark connects the take-on; the student leaves the list.
    await markStrong(staff, student, javaScript);
    await page.goto("/unconnected");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Unconnected students");
    await expect(page.locator("table.unconnected tbody tr", { hasText: student })).toHaveCount(0);
    await staff.goto("/");
    await expect(staff.getByRole("region", { name: "Students I'm connecting with" }).getByRole("link", { name: student })).toHaveCount(0);
    await staff.context().close();
  });

  test("the meeting board's count drops when someone else marks a student", async ({ page, browser, visit, signIn }, testInfo) => {
    const javaScript = hasJavaScript(testInfo);
    await signIn("staff");
    await visit("/meeting");
    const count = page.locator("#unconnected-count");
    const before = Number(((await count.textContent()) ?? "").replace(/[^0-9]/g, ""));
    expect(before).toBeGreaterThan(0);

    // Someone else, at another desk, connects a student with no one yet.
    const admin = await signedInPage(browser, "admin", javaScript);
    await admin.goto("/mark?show=unconnected");
    if (javaScript) await admin.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
    const student = ((await admin.locator("tr[data-student] .student-name").first().textContent()) ?? "").trim();
    await markStrong(admin, student, javaScript);
    await admin.context().close();

    if (javaScript) {
      // Live: the board asks again every few seconds.
      await expect(count).toHaveText(String(before - 1), { timeout: 15_000 });
    } else {
      // Without JavaScript the page reloads itself every 15 s; reload now.
      await page.reload();
      await expect(page.locator("#unconnected-count")).toHaveText(String(before - 1));
    }
    // Never a concern or a note on the board.
    await expect(page.getByText("⚑")).toHaveCount(0);
  });

  test("staff volunteer from the marking page", async ({ page, visit, signIn }) => {
    await signIn("admin");
    await visit("/mark?show=unconnected");
    const row = page.locator("tr[data-student]").first();
    const student = ((await row.locator(".student-name").textContent()) ?? "").trim();
    await row.getByRole("button", { name: `I'll connect with ${student}` }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Connecting with ${student}`);
    await expect(page.locator(".notice")).toHaveText(
      new RegExp(`^Thank you: you are connecting with ${student}\\.`),
    );
  });
});

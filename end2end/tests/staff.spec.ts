import { expect, test } from "./fixtures";

test("a staff member opening an admin page gets the polite 403 page", async ({ page, signIn }) => {
  await signIn("staff");
  const response = await page.goto("/admin/staff");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You don't have access to this page");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staff" })).toHaveCount(0);
});

test("an admin adds a person, hands over a one-time link, and the link works once", async ({ page, browser, signIn, visit }, testInfo) => {
  const javaScriptEnabled = testInfo.project.use.javaScriptEnabled !== false;
  const email = `new.teacher.${javaScriptEnabled ? "js" : "nojs"}@demo.example`;
  await signIn("admin");
  await visit("/admin/staff");
  await page.getByLabel("Name").fill("Rowan Example");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Add" }).click();
  await expect(page.getByRole("status").first()).toContainText("Added");

  await page.getByLabel("Search staff").fill("Rowan Example");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("button", { name: "Issue a sign-in link for Rowan Example" }).first().click();
  const link = (await page.locator(".issued-link").textContent()) ?? "";
  expect(link).toMatch(/\/welcome\/[A-Za-z0-9_-]{40,}$/);

  // The new person, in their own browser.
  const context = await browser.newContext({ javaScriptEnabled });
  const newcomer = await context.newPage();
  await newcomer.goto(link);
  await expect(newcomer.getByRole("heading", { level: 1 })).toHaveText("Welcome, Rowan Example");
  await newcomer.getByLabel("New password").fill("maple lantern river");
  await newcomer.getByLabel("Same password again").fill("maple lantern river");
  await newcomer.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(newcomer.getByRole("button", { name: "Sign out" })).toBeVisible();
  await newcomer.goto(link);
  await expect(newcomer.getByRole("heading", { level: 1 })).toHaveText("This link can't be used");
  await context.close();
});

test("a deactivated person cannot sign in", async ({ page, browser, signIn, visit }, testInfo) => {
  const javaScriptEnabled = testInfo.project.use.javaScriptEnabled !== false;
  await signIn("admin");
  await visit("/admin/staff?q=staff%40demo.example");
  await page.getByRole("button", { name: /^Deactivate / }).first().click();
  await expect(page.getByRole("status").first()).toContainText("Deactivated");

  const context = await browser.newContext({ javaScriptEnabled });
  const other = await context.newPage();
  await other.goto("/login");
  await other.getByLabel("Email").fill("staff@demo.example");
  await other.getByLabel("Password").fill("two-by-ten-talks");
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByRole("alert")).toHaveText(/don't match an account/);
  await context.close();

  await visit("/admin/staff?q=staff%40demo.example");
  await page.getByRole("button", { name: /^Reactivate / }).first().click();
  await expect(page.getByRole("status").first()).toContainText("Reactivated");
});

test("the audit log shows sign-ins and can be filtered", async ({ page, signIn, visit }) => {
  await signIn("admin");
  await visit("/admin/audit?action=sign_in.success");
  const rows = page.locator("tbody tr");
  await expect(rows.first()).toContainText("sign_in.success");
  await expect(page.locator("tbody")).not.toContainText("sign_out");
});

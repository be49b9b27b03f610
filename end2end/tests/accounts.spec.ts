import { DEMO, expect, test } from "./fixtures";

test("signing in brings you back to the page you asked for, and signing out ends it", async ({ page, visit }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await expectAccessiblePage(visit, page.url());
  await page.getByLabel("Email").fill(DEMO.counselor.email);
  await page.getByLabel("Password").fill(DEMO.counselor.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/High School$/);
  await expect(page.getByRole("banner")).toContainText("(Counselor)");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByRole("status")).toHaveText("You have signed out.");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("a wrong password is refused with a message that names no account", async ({ page, visit }) => {
  await visit("/login");
  await page.getByLabel("Email").fill(DEMO.admin.email);
  await page.getByLabel("Password").fill("definitely not it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(/don't match an account/);
  await expect(page.getByLabel("Email")).toHaveValue(DEMO.admin.email);
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
});

test("the demo's sign-in page lists the demo accounts", async ({ page, visit }) => {
  await visit("/login");
  const table = page.getByRole("table");
  for (const account of Object.values(DEMO)) {
    await expect(table).toContainText(account.email);
    await expect(table).toContainText(account.password);
  }
});

async function expectAccessiblePage(visit: (path: string) => Promise<void>, url: string) {
  await visit(new URL(url).pathname + new URL(url).search);
}

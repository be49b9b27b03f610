import { expect, test } from "./fixtures";

test("the home page shows the demo school, its students and the current term", async ({ page, visit, signIn }) => {
  await signIn("staff");
  await visit("/");
  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toHaveText(/High School$/);
  const schoolName = (await heading.textContent()) ?? "";

  // The header names the school and says it is a demo.
  const banner = page.getByRole("banner");
  await expect(banner.getByText(schoolName, { exact: true })).toBeVisible();
  await expect(banner.getByText("Demo", { exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" })).toHaveAttribute(
    "aria-current",
    "page",
  );

  // `tether serve --demo` generates 600 students, about 1 % of whom have left.
  const students = page.locator(".figure", { hasText: "Active students" }).locator("dd");
  const count = Number((await students.textContent())?.replace(/,/g, ""));
  expect(count).toBeGreaterThan(570);
  expect(count).toBeLessThanOrEqual(600);

  const term = page.locator(".figure", { hasText: "Current term" }).locator("dd");
  await expect(term).toContainText(/(Fall|Spring) \d{4}/);
  await expect(term).toContainText(/[A-Z][a-z]{2} \d{1,2}, \d{4} – [A-Z][a-z]{2} \d{1,2}, \d{4}/);
  await expect(page).toHaveTitle("Home · Tether");
});

test("links work as plain page loads, and with JavaScript the app hydrates and navigates without reloading", async ({ page, visit, signIn, consoleErrors }, testInfo) => {
  const javaScript = testInfo.project.use.javaScriptEnabled !== false;
  await signIn("staff");
  await visit("/no-such-page");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("We couldn't find that page");
  if (javaScript) {
    // A marker on the window survives client-side navigation, not a reload.
    await page.evaluate(() => ((window as unknown as { tetherMarker: number }).tetherMarker = 42));
  } else {
    // The page is the server's HTML alone: the app never took over.
    await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", /.*/);
  }
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/High School$/);
  if (javaScript) {
    expect(await page.evaluate(() => (window as unknown as { tetherMarker?: number }).tetherMarker)).toBe(42);
  }
  expect(consoleErrors).toEqual([]);
});

test("an unknown address gets a friendly 404 page with a way home", async ({ page, visit, signIn }) => {
  await signIn("counselor");
  const response = await page.request.get("/students/999999/nothing");
  expect(response.status()).toBe(404);
  await visit("/students/999999/nothing");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("We couldn't find that page");
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/High School$/);
});

test("keyboard users can skip straight to the content", async ({ page, visit }) => {
  await visit("/login");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("the layout fits a phone without sideways scrolling", async ({ page, visit, signIn }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn("admin");
  await visit("/");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("heading", { level: 1 })).toBeInViewport();
});

test("the health check answers for monitoring", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe("ok\n");
});

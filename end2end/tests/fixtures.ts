import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Browser, type Page } from "@playwright/test";

/** Runs axe-core on the page and fails on serious or critical violations. */
export async function expectAccessible(page: Page, javaScript = true) {
  if (javaScript) {
    await checkWithAxe(page);
    return;
  }
  // axe runs inside the page, which a no-JavaScript page cannot do: check
  // the same address in a scripting context whose app scripts are blocked,
  // so the markup is what a no-JavaScript visitor gets.
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser to run axe in");
  // The same cookies as the page, so signed-in pages are checked as
  // themselves rather than as the sign-in page they would redirect to.
  const context = await browser.newContext({
    javaScriptEnabled: true,
    viewport: page.viewportSize(),
    storageState: await page.context().storageState(),
  });
  try {
    await context.route(/\.(js|wasm)(\?.*)?$/, (route) => route.abort());
    const twin = await context.newPage();
    await twin.goto(page.url());
    await checkWithAxe(twin);
  } finally {
    await context.close();
  }
}

async function checkWithAxe(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const blocking = results.violations.filter(
    (violation) => violation.impact === "serious" || violation.impact === "critical",
  );
  const report = blocking.map(
    (violation) =>
      `${violation.impact}: ${violation.id} (${violation.help}) at ${violation.nodes
        .map((node) => node.target.join(" "))
        .join(", ")}`,
  );
  expect(report, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** The demo's published accounts (README, sign-in page). */
export const DEMO = {
  admin: { email: "admin@demo.example", password: "coverage-for-all" },
  counselor: { email: "counselor@demo.example", password: "every-student-known" },
  staff: { email: "staff@demo.example", password: "two-by-ten-talks" },
};

/** Signs `who` in on a browser of their own (another person at another desk). */
export async function signedInPage(browser: Browser, who: keyof typeof DEMO, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO[who].email);
  await page.getByLabel("Password").fill(DEMO[who].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  return page;
}

type Fixtures = {
  /** Navigates, waits for the app to hydrate (with JavaScript) and checks accessibility. */
  visit: (path: string) => Promise<void>;
  consoleErrors: string[];
  /** Signs in through the sign-in form and lands on the home page. */
  signIn: (who: keyof typeof DEMO) => Promise<void>;
};

export const test = base.extend<Fixtures>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (message) => {
      // A 404 page logs its own status as a failed resource load; that is expected.
      if (message.type() === "error" && !message.text().includes("404")) errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await use(errors);
  },
  signIn: async ({ page }, use) => {
    await use(async (who) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(DEMO[who].email);
      await page.getByLabel("Password").fill(DEMO[who].password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    });
  },
  visit: async ({ page }, use, testInfo) => {
    const javaScript = testInfo.project.use.javaScriptEnabled !== false;
    await use(async (path: string) => {
      await page.goto(path);
      if (javaScript) {
        await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
      }
      await expectAccessible(page, javaScript);
    });
  },
});

export { expect };

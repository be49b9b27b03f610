import { defineConfig } from "@playwright/test";

// Tests run against a freshly built server (`cargo leptos build`) started on a
// fresh demo database; `make test` builds it first.
const port = Number(process.env.TETHER_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  // Generous: CI machines are shared and a test that visits several pages
  // with axe checks can take 15 s on a quiet one. Speed is measured by
  // `make bench`, never by these timeouts.
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium: no browser download. The flags keep it off the
      // network this machine does not have, and let it run as root in CI.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "with-js", use: { javaScriptEnabled: true, viewport: { width: 1366, height: 768 } } },
    { name: "without-js", use: { javaScriptEnabled: false, viewport: { width: 1366, height: 768 } } },
  ],
  webServer: {
    command:
      `rm -rf .tmp && mkdir -p .tmp && ../target/debug/tether serve --demo ` +
      `--addr 127.0.0.1:${port} --database-url sqlite://.tmp/e2e.db --site-root ../target/site --insecure-cookies`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});

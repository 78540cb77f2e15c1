// Debian's Chromium through playwright-core (no downloaded browser builds).
// Playwright gives every launch its own temporary user-data-dir, and every
// context is a fresh profile (no cookies, no storage).

import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.COURTYARD_E2E_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export const PHONE = Object.freeze({ width: 390, height: 844 });
export const DESKTOP = Object.freeze({ width: 1280, height: 800 });

async function waitForChromium(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(CHROMIUM_PATH)) {
    if (Date.now() > deadline) {
      throw new Error(`Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Launch Chromium. Close it with `await browser.close()`. */
export async function launchBrowser() {
  await waitForChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * A fresh context (its own cookies) with `baseURL` (or `server.url`), and a
 * page in it whose console errors and page errors are collected in
 * `page.problems`. With `server`, `page.server` lets helpers quote the
 * server's error log when a request fails.
 */
export async function newPage(browser, { server, baseURL = server?.url, viewport = DESKTOP, ...options } = {}) {
  const context = await browser.newContext({ baseURL, viewport, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  page.server = server;
  trackProblems(page);
  return { context, page };
}

/** Record console errors and uncaught page errors on `page.problems`. */
export function trackProblems(page) {
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      // Chromium logs every 4xx/5xx *document* response as a console error;
      // tests check those statuses themselves (a 404 page is expected to be
      // a 404). Failed subresources (CSS, images) still count.
      if (/^Failed to load resource: the server responded with a status of \d+/.test(msg.text()) && loc?.url === page.url()) {
        return;
      }
      page.problems.push(`console error on ${page.url()}: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => page.problems.push(`page error on ${page.url()}: ${err.message}`));
  return page;
}

// "Forgot your password?": the emailed link changes the password once, and
// the page never tells whether an address has an account.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage } from '../lib/browser.mjs';
import {
  RESET_SUBJECT,
  activePerson,
  currentPath,
  portalLogin,
  setPassword,
  staffLogin,
  submit,
  visit,
} from '../lib/flows.mjs';
import { allMail, waitForMail } from '../lib/mail.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Ask for a reset link from the login page; returns the response of the form post. */
async function forgotPassword(page, email) {
  await visit(page, '/login');
  await submit(page, page.getByRole('link', { name: 'Forgot your password?' }));
  assert.equal(currentPath(page), '/forgot-password');
  await page.getByLabel('Email').fill(email);
  return submit(page, page.getByRole('button', { name: 'Send' }));
}

test('a reset link changes the password once', { timeout: 60_000 }, async () => {
  const staff = await newPage(browser, { server });
  const customer = await newPage(browser, { server });
  try {
    await staffLogin(staff.page, server);
    const { page } = customer;
    const { person, password: oldPassword } = await activePerson(staff.page, page, server);

    // Log out through the account menu.
    await page.locator('details.account > summary').click();
    await submit(page, page.getByRole('button', { name: 'Log out' }));
    assert.equal(currentPath(page), '/login?done=loggedout');

    const requested = Date.now();
    const res = await forgotPassword(page, person.email);
    assert.equal(res.status(), 200);
    assert.match(await page.locator('.notice').innerText(), new RegExp(`Request received for ${person.email.replace(/\./g, '\\.')}`));

    const mail = await waitForMail(server.mailDir, { to: person.email, subjectIncludes: RESET_SUBJECT, after: requested });
    assert.equal(mail.subject, RESET_SUBJECT);
    const link = mail.links.find((l) => new URL(l).pathname.startsWith('/reset/'));
    assert.ok(link, `no /reset/ link in:\n${mail.text}`);

    await visit(page, link);
    assert.equal(await page.locator('h1').innerText(), 'Choose a new password');
    const newPassword = 'granite meadow compass 19';
    await setPassword(page, newPassword);
    await submit(page, page.getByRole('button', { name: 'Change password' }));
    assert.equal(currentPath(page), '/login?done=password');
    assert.match(await page.locator('.notice').innerText(), /Your password has been changed/);

    // The old password no longer works.
    let login = await portalLogin(page, person.email, oldPassword);
    assert.equal(login.status(), 401);
    assert.ok(await page.locator('#login-error').isVisible(), 'the login error is shown');
    assert.equal(new URL(page.url()).pathname, '/login');

    // The new one does.
    login = await portalLogin(page, person.email, newPassword);
    assert.ok(login.status() < 400, `status ${login.status()}`);
    assert.equal(currentPath(page), '/');
    assert.equal(await page.locator('h1').innerText(), `Welcome, ${person.firstName}`);

    // The link worked once.
    const again = await visit(page, link, { expect: 410 });
    assert.equal(again.status(), 410);
    assert.equal(await page.locator('h1').innerText(), 'This link no longer works');
    assert.equal(await page.locator('#password').count(), 0, 'no password form on a dead link');

    assert.deepEqual([...staff.page.problems, ...customer.page.problems], [], 'no console errors');
  } finally {
    await staff.context.close();
    await customer.context.close();
  }
});

test('forgot-password answers the same for an unknown address', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser, { server });
  try {
    // A known address: the customer from the first test, or a fresh one.
    const staff = await newPage(browser, { server });
    let known;
    try {
      await staffLogin(staff.page, server);
      ({ person: known } = await activePerson(staff.page, page, server, { firstName: 'Kim', lastName: 'Known' }));
    } finally {
      await staff.context.close();
    }
    await context.clearCookies();

    const unknown = 'nobody.here@client.example';
    const startedAt = Date.now();
    const knownRes = await forgotPassword(page, known.email);
    const knownText = (await page.locator('.auth-card').innerText()).replace(known.email, '<EMAIL>');
    const unknownRes = await forgotPassword(page, unknown);
    const unknownText = (await page.locator('.auth-card').innerText()).replace(unknown, '<EMAIL>');

    assert.equal(unknownRes.status(), knownRes.status(), 'same status');
    assert.equal(unknownText, knownText, 'same page, apart from the address');
    assert.match(await page.locator('.notice').innerText(), /Request received for nobody\.here@client\.example/);
    assert.equal(await page.title(), 'Forgot your password? · Harbour Studio');

    // Only the known address gets an email.
    await waitForMail(server.mailDir, { to: known.email, subjectIncludes: RESET_SUBJECT, after: startedAt });
    await new Promise((r) => setTimeout(r, 1500)); // the worker delivers within about a second
    const toUnknown = allMail(server.mailDir).filter((m) => m.to.includes(unknown));
    assert.deepEqual(toUnknown, [], 'no email to an address without an account');

    assert.deepEqual(page.problems, [], 'no console errors');
  } finally {
    await context.close();
  }
});

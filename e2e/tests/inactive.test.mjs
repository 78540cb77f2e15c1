// Deactivating a portal user ends their sessions and keeps them out until
// staff reactivate them.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage } from '../lib/browser.mjs';
import { activePerson, currentPath, portalLogin, staffLogin, submit, visit } from '../lib/flows.mjs';
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

test('a deactivated user is logged out and kept out until reactivated', { timeout: 60_000 }, async () => {
  const staff = await newPage(browser, { server });
  const customer = await newPage(browser, { server });
  try {
    const staffPage = staff.page;
    const page = customer.page;
    await staffLogin(staffPage, server);
    const { person, password, portalUserId } = await activePerson(staffPage, page, server);

    // Logged in and browsing.
    await visit(page, '/invoices');
    assert.equal(await page.locator('h1').innerText(), 'Invoices');

    // Staff deactivate the account.
    await visit(staffPage, `/staff/portal-users/${portalUserId}`);
    assert.equal((await staffPage.locator('#state').innerText()).trim(), 'Active');
    await submit(staffPage, staffPage.getByRole('button', { name: 'Deactivate' }));
    assert.equal(currentPath(staffPage), `/staff/portal-users/${portalUserId}?done=deactivated`);
    assert.equal((await staffPage.locator('#state').innerText()).trim(), 'Inactive');
    assert.match(await staffPage.locator('.notice').innerText(), /deactivated and every session has ended/);
    assert.equal(await staffPage.getByRole('button', { name: 'Deactivate' }).count(), 0);
    assert.equal(await staffPage.getByRole('button', { name: 'Reactivate' }).count(), 1);

    // The customer's next page load: the session is gone.
    await page.reload();
    assert.equal(new URL(page.url()).pathname, '/login', `expected the login page, got ${page.url()}`);
    await visit(page, '/');
    assert.equal(currentPath(page), '/login');
    await visit(page, '/me');
    assert.equal(new URL(page.url()).pathname, '/login');

    // The right password tells them why they cannot come in.
    let res = await portalLogin(page, person.email, password);
    assert.equal(res.status(), 401);
    assert.match(await page.locator('#login-error').innerText(), /Your portal account has been deactivated/);
    // A wrong password reveals nothing.
    res = await portalLogin(page, person.email, 'not the password at all');
    assert.equal(res.status(), 401);
    const wrong = await page.locator('#login-error').innerText();
    assert.doesNotMatch(wrong, /deactivated/);

    // Staff reactivate.
    await visit(staffPage, `/staff/portal-users/${portalUserId}`);
    await submit(staffPage, staffPage.getByRole('button', { name: 'Reactivate' }));
    assert.equal(currentPath(staffPage), `/staff/portal-users/${portalUserId}?done=reactivated`);
    assert.equal((await staffPage.locator('#state').innerText()).trim(), 'Active');

    // And the customer is back in.
    res = await portalLogin(page, person.email, password);
    assert.ok(res.status() < 400, `login status ${res.status()}`);
    assert.equal(currentPath(page), '/');
    assert.equal(await page.locator('h1').innerText(), `Welcome, ${person.firstName}`);

    assert.deepEqual([...staff.page.problems, ...customer.page.problems], [], 'no console errors');
  } finally {
    await staff.context.close();
    await customer.context.close();
  }
});

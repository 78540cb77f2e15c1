// Staff invite a customer; the customer accepts, sees only what their
// permission set grants, and keeps their details up to date.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage } from '../lib/browser.mjs';
import {
  INVITATION_SUBJECT,
  currentPath,
  invitationLink,
  invitePerson,
  portalUserState,
  setPassword,
  staffLogin,
  submit,
  visit,
} from '../lib/flows.mjs';
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

test('an invited customer sets a password and sees only the modules granted', { timeout: 60_000 }, async () => {
  const staff = await newPage(browser, { server });
  const customer = await newPage(browser, { server });
  try {
    const { page: staffPage } = staff;
    await staffLogin(staffPage, server);

    const { person, portalUserId, invitation } = await invitePerson(staffPage, server);
    assert.match(await staffPage.locator('.notice').innerText(), /invitation is on its way/);
    assert.equal((await staffPage.locator('#state').innerText()).trim(), 'Pending');

    // The email
    assert.equal(invitation.subject, INVITATION_SUBJECT);
    assert.ok(invitation.to.toLowerCase().includes(person.email), `sent to ${invitation.to}`);
    assert.ok(invitation.text.includes(`Your username is ${person.email}`), `the text part names the username:\n${invitation.text}`);
    assert.ok(invitation.html.includes(person.email), 'the HTML part names the username');
    assert.ok(invitation.text.includes(`Hello ${person.firstName}`), invitation.text);
    const link = invitationLink(invitation);
    assert.equal(new URL(link).origin, server.url, 'the link points at this server');

    // The customer opens the link in their own browser.
    const { page } = customer;
    await visit(page, link);
    assert.equal(await page.locator('h1').innerText(), `Welcome, ${person.firstName}`);
    assert.equal((await page.locator('.username').innerText()).trim(), person.email);

    // Too short: refused with a clear message, nothing else breaks.
    await setPassword(page, 'short pw');
    let res = await submit(page, page.getByRole('button', { name: 'Set password and continue' }));
    assert.equal(res.status(), 422);
    assert.equal(new URL(page.url()).pathname, new URL(link).pathname, 'stays on the invitation page');
    assert.match(await page.getByRole('alert').innerText(), /correct the highlighted fields/);
    const pwError = page.locator('#password-error');
    assert.match(await pwError.innerText(), /12 characters/);
    assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('h1').innerText(), `Welcome, ${person.firstName}`);

    // A good one.
    await setPassword(page, 'quiet orchard bicycle 7');
    res = await submit(page, page.getByRole('button', { name: 'Set password and continue' }));
    assert.ok(res.status() < 400, `status ${res.status()}`);
    assert.equal(currentPath(page), '/');
    assert.equal(await page.locator('h1').innerText(), `Welcome, ${person.firstName}`);

    // Home has no tiles repeating the navigation; the navigation lists the
    // granted modules (My details is in the account menu).
    assert.equal(await page.locator('#modules').count(), 0, 'no module tiles on home');
    const nav = await page.locator('nav.mainnav a').allInnerTexts();
    assert.deepEqual(nav, ['Home', 'Invoices', 'Tickets'], 'the top navigation lists granted modules but not My details');
    const hrefs = await page.locator('nav.mainnav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')).sort());
    assert.deepEqual(hrefs, ['/', '/invoices', '/tickets']);
    for (const absent of ['Quotes', 'Projects', 'Jobs']) {
      assert.equal(await page.locator('nav.mainnav').getByRole('link', { name: absent }).count(), 0, `no ${absent} link`);
    }
    await page.locator('details.account > summary').click();
    assert.equal(await page.getByRole('link', { name: 'My details' }).isVisible(), true, 'My details in the account menu');

    // Granted modules open; others do not exist for this user.
    await visit(page, '/invoices');
    assert.equal(await page.locator('h1').innerText(), 'Invoices');
    await visit(page, '/tickets');
    await visit(page, '/quotes', { expect: 404 });
    await visit(page, '/projects', { expect: 404 });

    // My details
    await visit(page, '/me');
    assert.equal(await page.getByLabel('First name').inputValue(), person.firstName);
    assert.equal(await page.getByLabel('Job title').inputValue(), 'Office manager');
    assert.equal(await page.locator('#company_name').count(), 0, 'no company fields without my_details:edit');
    await page.getByLabel('Phone').fill('+44 7700 900123');
    await page.getByLabel('Job title').fill('Head of operations');
    res = await submit(page, page.getByRole('button', { name: 'Save changes' }));
    assert.ok(res.status() < 400, `status ${res.status()}`);
    assert.equal(currentPath(page), '/me?done=saved');
    assert.equal(await page.locator('.notice').innerText(), 'Your changes have been saved.');
    await page.reload();
    assert.equal(await page.getByLabel('Phone').inputValue(), '+44 7700 900123');
    assert.equal(await page.getByLabel('Job title').inputValue(), 'Head of operations');

    // Staff see the account as active.
    assert.equal(await portalUserState(staffPage, portalUserId), 'Active');

    assert.deepEqual([...staff.page.problems, ...customer.page.problems], [], 'no console errors');
  } finally {
    await staff.context.close();
    await customer.context.close();
  }
});

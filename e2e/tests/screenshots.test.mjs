// Full-page screenshots of every main page at phone and desktop sizes, for
// people to look at. Saved to e2e/screenshots/<name>-<phone|desktop>.png
// (git-ignored). The test fails on server errors, on console errors such
// as Content-Security-Policy violations, and on any serious or critical
// axe-core finding.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import AxeBuilder from '@axe-core/playwright';

import { DESKTOP, PHONE, launchBrowser, newPage } from '../lib/browser.mjs';
import {
  acceptInvitation,
  createInvoice,
  createPerson,
  invitationLink,
  invitePerson,
  LIMITED_GRANTS,
  portalLogin,
  staffLogin,
} from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

const VIEWPORTS = [
  { name: 'phone', viewport: PHONE, options: { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } },
  { name: 'desktop', viewport: DESKTOP, options: {} },
];

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('screenshots of every main page, phone and desktop', { timeout: 150_000 }, async (t) => {
  const failures = [];
  const overflow = [];
  const contexts = [];
  const open = async (viewport) => {
    const p = await newPage(browser, { server, viewport: viewport.viewport, ...viewport.options });
    contexts.push(p.context);
    return p.page;
  };

  /** Load `url`, check it, and save a full-page screenshot as `<name>-<viewport>.png`. */
  const shoot = async (page, viewport, name, url) => {
    const before = page.problems.length;
    let status = 'no response';
    try {
      const res = await page.goto(url);
      status = res ? res.status() : 'no response';
      await page.evaluate(() => document.fonts.ready);
    } catch (e) {
      failures.push(`${name} (${viewport.name}) ${url}: ${e.message}`);
      return;
    }
    if (typeof status !== 'number' || status >= 500) {
      failures.push(`${name} (${viewport.name}) ${url}: HTTP ${status}`);
    }
    for (const p of page.problems.slice(before)) {
      const csp = /Content Security Policy|Content-Security-Policy/i.test(p) ? 'CSP VIOLATION: ' : '';
      failures.push(`${name} (${viewport.name}): ${csp}${p}`);
    }
    // Against the configured width: with isMobile the layout viewport (innerWidth) grows to fit wide content.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > viewport.viewport.width) {
      overflow.push(`${name} (${viewport.name}): page is ${wide}px wide in a ${viewport.viewport.width}px viewport`);
    }
    const axe = await new AxeBuilder({ page }).analyze();
    for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
      failures.push(`${name} (${viewport.name}): axe ${v.impact} ${v.id}: ${v.help} at ${where}`);
    }
    await page.screenshot({ path: path.join(SHOTS, `${name}-${viewport.name}.png`), fullPage: true });
  };

  try {
    // The demo-like setup of the invitation test, plus a second person without access.
    const setup = await open(VIEWPORTS[1]);
    await staffLogin(setup, server);
    const invited = await invitePerson(setup, server, {
      grants: [...LIMITED_GRANTS, 'documents:view', 'documents:upload'],
    });
    const link = invitationLink(invited.invitation);
    const otherId = await createPerson(setup, {
      firstName: 'Sam',
      lastName: 'Reyes',
      companyId: invited.companyId,
      email: 'sam.reyes@client.example',
      phone: '+44 20 7946 0011',
      jobTitle: 'Accounts',
    });

    // Invoices in several states: a long subject, several lines, a discount, a part payment, a draft.
    const invoice = await createInvoice(setup, {
      companyId: invited.companyId,
      contactId: invited.personId,
      subject: 'Spring menu photography and website update',
      status: 'partially_paid',
      issuedOn: '2026-02-05',
      dueOn: '2026-03-07',
      amountPaid: '500.00',
      lines: [
        { description: 'Photography day on site, including editing of 40 images', quantity: '1', unitPrice: '850', taxRate: '20' },
        { description: 'Menu pages update', quantity: '3.5', unitPrice: '65', taxRate: '20', discount: '10' },
        { description: 'Domain renewal', quantity: '1', unitPrice: '14.99', taxRate: '0' },
      ],
      terms: 'Payment within 30 days of the invoice date.\nBank transfer to Harbour Studio Ltd, sort code 00-00-00.',
    });
    for (const [subject, status, issuedOn, dueOn, unitPrice] of [
      ['Brand workshop', 'unpaid', '2026-01-12', '2026-02-11', '1200'],
      ['Hosting, January', 'unpaid', '2026-02-01', '2026-03-03', '25'],
      ['Logo refresh', 'paid', '2025-11-20', '2025-12-20', '640'],
      ['Not sent yet', 'draft', '2026-02-18', '2026-03-20', '90'],
    ]) {
      await createInvoice(setup, {
        companyId: invited.companyId,
        subject,
        status,
        issuedOn,
        dueOn,
        amountPaid: status === 'paid' ? String(Number(unitPrice) * 1.2) : '',
        paidOn: status === 'paid' ? '2025-12-02' : '',
        lines: [{ description: subject, quantity: '1', unitPrice, taxRate: '20' }],
      });
    }

    // A public document with a thumbnail-less PDF, for the Documents pages.
    await setup.goto('/staff/documents/new?audience=public');
    await setup.fill('#title', 'Customer handbook');
    await setup.fill('#description', 'How we work, who to call and what to expect.');
    await setup.setInputFiles('#file', {
      name: 'customer-handbook.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n'),
    });
    await setup.check('input[name=shared]');
    await Promise.all([setup.waitForURL(/\/staff\/documents\/[^/]+\?done=created/), setup.getByRole('button', { name: 'Add document' }).click()]);

    // Pages without a login, including the invitation (viewing it does not use it up).
    for (const vp of VIEWPORTS) {
      const page = await open(vp);
      await shoot(page, vp, 'login', '/login');
      await shoot(page, vp, 'forgot-password', '/forgot-password');
      await shoot(page, vp, 'login-help', '/login-help');
      await shoot(page, vp, 'invitation', link);
    }

    const password = 'quiet orchard bicycle 7';
    await acceptInvitation(await open(VIEWPORTS[1]), link, password);

    for (const vp of VIEWPORTS) {
      const portal = await open(vp);
      await portalLogin(portal, invited.person.email, password);
      await shoot(portal, vp, 'portal-home', '/');
      await shoot(portal, vp, 'my-details', '/me');
      await shoot(portal, vp, 'my-sessions', '/me/sessions');
      await shoot(portal, vp, 'change-password', '/me/password');
      await shoot(portal, vp, 'not-found', '/quotes');
      await shoot(portal, vp, 'portal-invoices', '/invoices?status=unpaid&status=partially_paid&status=overdue&date_field=issued&from=2026-01-01&to=2026-03-31');
      await shoot(portal, vp, 'portal-invoice', `/invoices/${invoice.id}`);
      await shoot(portal, vp, 'portal-tickets', '/tickets');
      await shoot(portal, vp, 'portal-ticket-new', '/tickets/new');
      await shoot(portal, vp, 'portal-documents', '/documents');

      const staff = await open(vp);
      await staffLogin(staff, server);
      await shoot(staff, vp, 'staff-dashboard', '/staff');
      await shoot(staff, vp, 'staff-companies', '/staff/companies');
      await shoot(staff, vp, 'staff-company', `/staff/companies/${invited.companyId}`);
      await shoot(staff, vp, 'staff-people', '/staff/people');
      await shoot(staff, vp, 'staff-person', `/staff/people/${invited.personId}`);
      await shoot(staff, vp, 'staff-give-access', `/staff/people/${otherId}/access`);
      await shoot(staff, vp, 'staff-portal-users', '/staff/portal-users');
      await shoot(staff, vp, 'staff-portal-user', `/staff/portal-users/${invited.portalUserId}`);
      await shoot(staff, vp, 'staff-permission-set-new', '/staff/permission-sets/new');
      await shoot(staff, vp, 'staff-settings', '/staff/settings');
      await shoot(staff, vp, 'staff-invoices', '/staff/invoices');
      await shoot(staff, vp, 'staff-invoice', `/staff/invoices/${invoice.id}?as=${invited.portalUserId}`);
      await shoot(staff, vp, 'staff-invoice-new', '/staff/invoices/new');
      await shoot(staff, vp, 'staff-quotes', '/staff/quotes');
      await shoot(staff, vp, 'staff-quote-new', '/staff/quotes/new');
      await shoot(staff, vp, 'staff-orders', '/staff/orders');
      await shoot(staff, vp, 'staff-jobs', '/staff/jobs');
      await shoot(staff, vp, 'staff-job-new', '/staff/jobs/new');
      await shoot(staff, vp, 'staff-projects', '/staff/projects');
      await shoot(staff, vp, 'staff-project-new', '/staff/projects/new');
      await shoot(staff, vp, 'staff-tasks', '/staff/tasks');
      await shoot(staff, vp, 'staff-tickets', '/staff/tickets');
      await shoot(staff, vp, 'staff-ticket-new', '/staff/tickets/new');
      await shoot(staff, vp, 'staff-documents', '/staff/documents');
      await shoot(staff, vp, 'staff-document-new', '/staff/documents/new');
      await shoot(staff, vp, 'staff-settings-documents', '/staff/settings/documents');
      await shoot(staff, vp, 'staff-template-new', '/staff/templates/new?kind=invoice');
      await shoot(staff, vp, 'staff-notifications', '/staff/notifications');
    }
  } finally {
    for (const c of contexts) await c.close();
  }

  for (const o of overflow) t.diagnostic(`horizontal overflow: ${o}`);
  t.diagnostic(`screenshots in ${SHOTS}`);
  assert.deepEqual(failures, [], `pages with server errors or console errors:\n${failures.join('\n')}`);
  const expected = 42 * VIEWPORTS.length;
  const written = fs.readdirSync(SHOTS).filter((f) => /-(phone|desktop)\.png$/.test(f));
  assert.ok(written.length >= expected, `expected ${expected} screenshots, found ${written.length}`);
});

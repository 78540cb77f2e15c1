// Steps several tests share, done the way a person would: through the pages.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { waitForMail } from './mail.mjs';
import { BUSINESS_NAME } from './server.mjs';

export const INVITATION_SUBJECT = `You're invited to the ${BUSINESS_NAME} customer portal`;
export const RESET_SUBJECT = `Reset your ${BUSINESS_NAME} portal password`;

/** The set of test 1: invoices, tickets (view + create) and my details (view). */
export const LIMITED_GRANTS = ['invoices:view', 'tickets:view', 'tickets:create', 'my_details:view'];

/** A short random suffix so names stay unique within one server. */
export function unique() {
  return crypto.randomBytes(3).toString('hex');
}

/** What went wrong, for an assertion message: the page's text and the server's error log. */
async function explain(page) {
  let text = '';
  try {
    text = (await page.locator('body').innerText()).slice(0, 1500);
  } catch {
    // the page may be gone
  }
  const log = page.server?.problems?.() || '';
  return `\n--- page text\n${text}${log ? `\n--- server warnings and errors\n${log.slice(-3000)}` : ''}`;
}

/** Go to `path` and fail clearly unless the response status is below 400 (or `expect`). */
export async function visit(page, path, { expect } = {}) {
  const res = await page.goto(path);
  assert.ok(res, `no response for ${path}`);
  if (expect !== undefined) {
    assert.equal(res.status(), expect, `GET ${path}: expected status ${expect}, got ${res.status()}${await explain(page)}`);
  } else {
    assert.ok(res.status() < 400, `GET ${path}: status ${res.status()}${await explain(page)}`);
  }
  return res;
}

/**
 * Click a submit button and wait for the navigation it causes; returns the
 * final response. A server error (5xx) or a refused form (403) fails at once,
 * with the page text and the server's error log.
 */
export async function submit(page, button) {
  const name = (await button.innerText().catch(() => '')).trim();
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  assert.ok(res, `no response after clicking ${JSON.stringify(name)}`);
  const status = res.status();
  assert.ok(
    status < 500 && status !== 403,
    `clicking ${JSON.stringify(name)} led to ${res.request().method()} ${new URL(res.url()).pathname} ` +
      `answering ${status}${await explain(page)}`,
  );
  return res;
}

/** Path of the page currently shown, with its query. */
export function currentPath(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

// ---- staff ----

export async function staffLogin(page, server) {
  await visit(page, '/staff/login');
  await page.getByLabel('Email').fill(server.staff.email);
  await page.getByLabel('Password').fill(server.staff.password);
  await submit(page, page.getByRole('button', { name: 'Log in' }));
  assert.equal(new URL(page.url()).pathname, '/staff', `staff login should land on /staff, got ${page.url()}`);
}

/** Create a permission set granting exactly `grants`; returns its id. */
export async function createPermissionSet(page, { name, description = '', grants }) {
  await visit(page, '/staff/permission-sets/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Description').fill(description);
  for (const g of grants) {
    await page.locator(`input[name="grant"][value="${g}"]`).check();
  }
  const checked = await page
    .locator('input[name="grant"]:checked')
    .evaluateAll((els) => els.map((e) => e.value).sort());
  assert.deepEqual(checked, [...grants].sort(), 'only the wanted grants are ticked');
  await submit(page, page.getByRole('button', { name: 'Create permission set' }));
  const m = new URL(page.url()).pathname.match(/^\/staff\/permission-sets\/([^/]+)$/);
  assert.ok(m, `after creating a permission set expected its page, got ${page.url()}`);
  return m[1];
}

/** Create a company; `portalAccess` is off, all or selected. Returns its id. */
export async function createCompany(page, { name, email = '', phone = '', website = '', address = '', tags = '', portalAccess = 'all' }) {
  await visit(page, '/staff/companies/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Phone', { exact: true }).fill(phone);
  await page.getByLabel('Website').fill(website);
  await page.getByLabel('Address').fill(address);
  await page.locator('#tags').fill(tags);
  await page.locator(`input[name="portal_access"][value="${portalAccess}"]`).check();
  await submit(page, page.getByRole('button', { name: 'Create company' }));
  const m = new URL(page.url()).pathname.match(/^\/staff\/companies\/([^/]+)$/);
  assert.ok(m, `after creating a company expected its page, got ${page.url()}`);
  return m[1];
}

/** Create a person; `portalAccess` is inherit, on or off. Returns their id. */
export async function createPerson(page, { firstName, lastName, companyId, email, phone = '', jobTitle = '', tags = '', portalAccess = 'inherit' }) {
  await visit(page, '/staff/people/new');
  await page.getByLabel('First name').fill(firstName);
  await page.getByLabel('Last name').fill(lastName);
  if (companyId) await page.getByLabel('Company', { exact: true }).selectOption(companyId);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Phone', { exact: true }).fill(phone);
  await page.getByLabel('Job title').fill(jobTitle);
  await page.locator('#tags').fill(tags);
  await page.locator(`input[name="portal_access"][value="${portalAccess}"]`).check();
  await submit(page, page.getByRole('button', { name: 'Create person' }));
  const m = new URL(page.url()).pathname.match(/^\/staff\/people\/([^/]+)$/);
  assert.ok(m, `after creating a person expected their page, got ${page.url()}`);
  return m[1];
}

/**
 * From the person's page, follow "Give access", choose the permission set and
 * save (sending the invitation unless `invite` is false). Returns the portal
 * user's id.
 */
export async function giveAccess(page, personId, { permissionSetId, email, scope = 'company', invite = true }) {
  await visit(page, `/staff/people/${personId}`);
  await submit(page, page.getByRole('link', { name: 'Give access' }));
  assert.equal(new URL(page.url()).pathname, `/staff/people/${personId}/access`);
  if (email !== undefined) await page.getByLabel('Login email').fill(email);
  await page.getByLabel('Permission set').selectOption(permissionSetId);
  await page.locator(`input[name="record_scope"][value="${scope}"]`).check();
  const button = invite ? 'Save and send invitation' : 'Save only';
  await submit(page, page.getByRole('button', { name: button }));
  const m = new URL(page.url()).pathname.match(/^\/staff\/portal-users\/([^/]+)$/);
  assert.ok(m, `after giving access expected the portal user's page, got ${page.url()}\n${await page.locator('main').innerText()}`);
  return m[1];
}

/** The state badge on a portal user's staff page. */
export async function portalUserState(page, portalUserId) {
  await visit(page, `/staff/portal-users/${portalUserId}`);
  return (await page.locator('#state').innerText()).trim();
}

// ---- portal ----

export async function portalLogin(page, email, password) {
  await visit(page, '/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password').fill(password);
  return submit(page, page.getByRole('button', { name: 'Log in' }));
}

/** Fill the set-password form (invitation or reset) and submit it. */
export async function setPassword(page, password, confirm = password) {
  await page.locator('#password').fill(password);
  await page.locator('#confirm').fill(confirm);
}

/**
 * Staff side of a fresh customer: permission set, company with portal access
 * for all, a person, access with invitation. Returns the ids, the person and
 * the invitation email.
 */
export async function invitePerson(staffPage, server, { grants = LIMITED_GRANTS, firstName = 'Pat', lastName = 'Jones' } = {}) {
  const tag = unique();
  const person = {
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${tag}@client.example`.toLowerCase(),
  };
  const permissionSetId = await createPermissionSet(staffPage, {
    name: `Customers ${tag}`,
    description: 'Invoices, tickets and own details',
    grants,
  });
  const companyId = await createCompany(staffPage, {
    name: `Bayside Bakery ${tag}`,
    email: `office.${tag}@client.example`,
    phone: '+44 20 7946 0000',
    website: 'https://bayside.example',
    address: '1 Quay Street\nPortsmouth',
    tags: 'bakery, retail',
    portalAccess: 'all',
  });
  const personId = await createPerson(staffPage, {
    firstName: person.firstName,
    lastName: person.lastName,
    companyId,
    email: person.email,
    jobTitle: 'Office manager',
  });
  const sentAfter = Date.now();
  const portalUserId = await giveAccess(staffPage, personId, { permissionSetId });
  const invitation = await waitForMail(server.mailDir, {
    to: person.email,
    subjectIncludes: INVITATION_SUBJECT,
    after: sentAfter,
  });
  return { person, permissionSetId, companyId, personId, portalUserId, invitation };
}

/** The /invitation/… link in an invitation email. */
export function invitationLink(mail) {
  const link = mail.links.find((l) => new URL(l).pathname.startsWith('/invitation/'));
  assert.ok(link, `no /invitation/ link in the email:\n${mail.text}`);
  return link;
}

/** Open an invitation link and set `password`; ends on the portal home page. */
export async function acceptInvitation(page, link, password) {
  await visit(page, link);
  await setPassword(page, password);
  await submit(page, page.getByRole('button', { name: 'Set password and continue' }));
  assert.equal(currentPath(page), '/', `accepting the invitation should land on home, got ${page.url()}`);
}

/**
 * A customer who accepted their invitation: everything invitePerson returns
 * plus `password`. `portalPage` ends logged in on the home page.
 */
export async function activePerson(staffPage, portalPage, server, options = {}) {
  const invited = await invitePerson(staffPage, server, options);
  const password = 'tidal harbour lantern 42';
  await acceptInvitation(portalPage, invitationLink(invited.invitation), password);
  return { ...invited, password };
}

// ---- invoices ----

/**
 * Create an invoice through the staff form. `lines` are
 * `{ description, quantity, unitPrice, taxRate, discount }` filled into the
 * first rows of the line editor (the rows after them are left empty).
 * Returns `{ id, number }`; the page ends on the invoice's staff page.
 */
export async function createInvoice(
  page,
  { companyId, contactId = '', subject, status = 'unpaid', currency = 'GBP', issuedOn, dueOn, paidOn = '', amountPaid = '', lines, terms },
) {
  await visit(page, '/staff/invoices/new');
  await page.locator('#company_id').selectOption(companyId);
  if (contactId) await page.locator('#contact_id').selectOption(contactId);
  await page.locator('#subject').fill(subject);
  await page.locator('#status').selectOption(status);
  await page.locator('#currency').selectOption(currency);
  await page.locator('#issued_on').fill(issuedOn);
  await page.locator('#due_on').fill(dueOn);
  await page.locator('#paid_on').fill(paidOn);
  await page.locator('#amount_paid').fill(amountPaid);
  const rows = await page.locator('input[name=line_description]').count();
  assert.ok(rows >= lines.length, `the form has ${rows} line rows, ${lines.length} wanted`);
  for (const [i, l] of lines.entries()) {
    await page.locator('input[name=line_description]').nth(i).fill(l.description);
    await page.locator('input[name=line_quantity]').nth(i).fill(String(l.quantity ?? '1'));
    await page.locator('input[name=line_unit_price]').nth(i).fill(String(l.unitPrice));
    await page.locator('input[name=line_tax_rate]').nth(i).fill(String(l.taxRate ?? ''));
    await page.locator('input[name=line_discount]').nth(i).fill(String(l.discount ?? ''));
  }
  if (terms !== undefined) await page.locator('#terms').fill(terms);
  await submit(page, page.getByRole('button', { name: 'Create invoice' }));
  const u = new URL(page.url());
  const m = u.pathname.match(/^\/staff\/invoices\/([^/]+)$/);
  assert.ok(
    m && u.search === '?done=created',
    `after creating invoice ${JSON.stringify(subject)} expected its page with ?done=created, got ${page.url()}${await explain(page)}`,
  );
  const heading = (await page.locator('h1').innerText()).trim();
  const n = heading.match(/^Invoice (INV-\d+)$/);
  assert.ok(n, `the invoice page's heading names its number, got ${JSON.stringify(heading)}`);
  return { id: m[1], number: n[1] };
}

/** The rows of the invoice list (`#invoices`) on the current page, as `{ number, subject, href, ... }`. */
export async function invoiceRows(page) {
  if ((await page.locator('#invoices').count()) === 0) return [];
  return page.locator('#invoices tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = (label) => tr.querySelector(`td[data-label="${label}"]`)?.innerText.trim() ?? '';
      return {
        number: cell('Number'),
        href: tr.querySelector('td[data-label="Number"] a')?.getAttribute('href') ?? '',
        subject: cell('Subject'),
        issued: cell('Issued'),
        due: cell('Due'),
        total: cell('Total'),
        balance: cell('Balance'),
        status: cell('Status'),
      };
    }),
  );
}

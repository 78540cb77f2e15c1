// The Documents journey, through the pages: staff add a document for the
// customer's company (hidden, then shared); the customer finds it in
// Private documents and downloads it, uploads one of their own (a refused
// empty file first, with the title kept), and staff see a notice with the
// uploader's name and the document in their list.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage } from '../lib/browser.mjs';
import { activePerson, currentPath, staffLogin, submit, visit } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');

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

test('documents: staff share one, the customer downloads it and uploads their own', { timeout: 180_000 }, async () => {
  const staff = await newPage(browser, { server });
  const customer = await newPage(browser, { server });
  try {
    const { page: staffPage } = staff;
    const { page } = customer;
    await staffLogin(staffPage, server);
    const who = await activePerson(staffPage, page, server, {
      grants: ['documents:view', 'documents:upload', 'my_details:view'],
      firstName: 'Dora',
      lastName: 'Docs',
    });

    // Staff add a document for the company, not shared yet.
    await visit(staffPage, `/staff/documents/new?audience=company&company_id=${who.companyId}`);
    await staffPage.getByLabel('Title').fill('Maintenance contract 2026');
    await staffPage.getByLabel('Description').fill('Signed by both parties.');
    await staffPage.setInputFiles('#file', { name: 'contract.pdf', mimeType: 'application/pdf', buffer: PDF });
    await submit(staffPage, staffPage.getByRole('button', { name: 'Add document' }));
    assert.match(currentPath(staffPage), /^\/staff\/documents\/[^/]+\?done=created$/);
    const docPath = currentPath(staffPage).split('?')[0];

    // Not shared: the customer does not see it.
    await visit(page, '/documents?folder=private');
    assert.doesNotMatch(await page.locator('#documents').innerText(), /Maintenance contract/);

    // Shared: it appears in Private documents and downloads.
    await visit(staffPage, docPath);
    await staffPage.getByLabel('Shared on the portal').check();
    await submit(staffPage, staffPage.getByRole('button', { name: 'Save' }));
    await visit(page, '/documents?folder=private');
    assert.match(await page.locator('#documents').innerText(), /Maintenance contract 2026/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Maintenance contract 2026' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'contract.pdf');
    assert.deepEqual(fs.readFileSync(await download.path()), PDF);

    // The customer uploads: an empty file is refused with the title kept.
    await visit(page, '/documents');
    await page.locator('summary', { hasText: 'Upload a document' }).click();
    await page.getByLabel('Title').fill('Signed delivery note');
    await page.getByLabel('Description').fill('For order 1042');
    await page.setInputFiles('#file', { name: 'empty.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) });
    await submit(page, page.getByRole('button', { name: 'Upload', exact: true }));
    assert.match(await page.locator('#upload .alert').innerText(), /empty/i);
    assert.equal(await page.getByLabel('Title').inputValue(), 'Signed delivery note');
    await page.setInputFiles('#file', { name: 'delivery-note.pdf', mimeType: 'application/pdf', buffer: PDF });
    await submit(page, page.getByRole('button', { name: 'Upload', exact: true }));
    assert.equal(currentPath(page), '/documents?folder=private&done=uploaded');
    assert.match(await page.locator('.notice').innerText(), /Your file has been uploaded/);
    assert.match(await page.locator('#documents').innerText(), /Signed delivery note/);

    // Staff: a notice naming Dora, and the document in their list.
    await visit(staffPage, '/staff');
    assert.match(await staffPage.locator('a.bell').getAttribute('aria-label'), /1 unread/);
    await submit(staffPage, staffPage.locator('a.bell'));
    assert.match(await staffPage.locator('.notifications').innerText(), /Dora Docs .*uploaded the document “Signed delivery note”/);
    await visit(staffPage, '/staff/documents');
    assert.match(await staffPage.locator('#documents').innerText(), /Signed delivery note/);

    assert.deepEqual([...staff.page.problems, ...customer.page.problems], [], 'no console errors');
  } finally {
    await staff.context.close();
    await customer.context.close();
  }
});

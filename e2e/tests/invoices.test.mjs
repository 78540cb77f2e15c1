// Invoices: staff create them through the form; a customer sees only their
// company's non-draft invoices, filters them, exports exactly the filtered
// rows as CSV and opens one; staff then see the view and ask "can this
// person see it?".

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import { PHONE, launchBrowser, newPage } from '../lib/browser.mjs';
import {
  activePerson,
  createCompany,
  createInvoice,
  currentPath,
  invoiceRows,
  portalLogin,
  staffLogin,
  submit,
  unique,
  visit,
} from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const CSV_HEADER = 'Number,Subject,Status,Issued,Due,Paid,Currency,Subtotal,Tax,Total,Paid amount,Balance';

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

/** One line at 20% tax. */
const line = (description, unitPrice) => [{ description, quantity: '1', unitPrice, taxRate: '20' }];

/** The filter a list or export URL stands for (empty fields and defaults dropped). */
function filterOf(url) {
  const p = url.searchParams;
  return {
    q: p.get('q') || '',
    status: p.getAll('status').sort(),
    date_field: p.get('date_field') || 'issued',
    from: p.get('from') || '',
    to: p.get('to') || '',
    sort: p.get('sort') || 'issued_desc',
  };
}

/** Parse the simple CSV the app writes (no quoted cells in this test's data). */
function csvRows(text) {
  return text
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

test('a customer filters, exports and opens only their own non-draft invoices', { timeout: 120_000 }, async () => {
  const staff = await newPage(browser, { server });
  const customer = await newPage(browser, { server });
  try {
    const { page: staffPage } = staff;
    const { page } = customer;
    await staffLogin(staffPage, server);

    // A portal user at company A; company B has no one in the portal.
    const a = await activePerson(staffPage, page, server, {
      grants: ['invoices:view', 'my_details:view'],
      firstName: 'Ines',
      lastName: 'Invoice',
    });
    const companyB = await createCompany(staffPage, { name: `Other Co ${unique()}`, portalAccess: 'all' });

    // Invoices, created through the staff form.
    const alpha = await createInvoice(staffPage, {
      companyId: a.companyId,
      subject: 'Alpha',
      status: 'unpaid',
      issuedOn: '2026-02-05',
      // Due in two months whenever the suite runs: not overdue.
      dueOn: new Date(Date.now() + 60 * 86400e3).toISOString().slice(0, 10),
      lines: line('Website retainer', '100'),
    });
    assert.match(await staffPage.locator('.notice').innerText(), /created/i);
    assert.equal((await staffPage.locator('#invoice-status').innerText()).trim(), 'Unpaid');
    assert.match(await staffPage.locator('#totals').innerText(), /Total\s+£120\.00/);
    assert.match(await staffPage.locator('#views').innerText(), /No customer has opened this yet/);

    const bravo = await createInvoice(staffPage, {
      companyId: a.companyId,
      subject: 'Bravo',
      // Overdue is derived: unpaid and past its due date.
      status: 'unpaid',
      issuedOn: '2026-02-20',
      dueOn: '2026-03-06',
      lines: line('Brand workshop', '200'),
    });
    const charlie = await createInvoice(staffPage, {
      companyId: a.companyId,
      subject: 'Charlie',
      status: 'paid',
      issuedOn: '2026-03-10',
      dueOn: '2026-04-09',
      paidOn: '2026-03-20',
      amountPaid: '360.00',
      lines: line('Photography day', '300'),
    });
    const delta = await createInvoice(staffPage, {
      companyId: a.companyId,
      subject: 'Delta',
      status: 'draft',
      issuedOn: '2026-02-10',
      dueOn: '2026-03-12',
      lines: line('Not sent yet', '400'),
    });
    const echo = await createInvoice(staffPage, {
      companyId: companyB,
      subject: 'Echo',
      status: 'unpaid',
      issuedOn: '2026-02-12',
      dueOn: '2026-03-14',
      lines: line('Another customer', '500'),
    });
    // Three older paid invoices: more than a short list, so the customer's
    // list shows its search and filters.
    const older = [];
    for (const [subject, issuedOn] of [['Foxtrot', '2025-09-01'], ['Golf', '2025-10-01'], ['Hotel', '2025-11-01']]) {
      older.push(await createInvoice(staffPage, {
        companyId: a.companyId,
        subject,
        status: 'paid',
        issuedOn,
        dueOn: issuedOn.replace(/-01$/, '-28'),
        paidOn: issuedOn.replace(/-01$/, '-20'),
        amountPaid: '120.00',
        lines: line(subject, '100'),
      }));
    }
    const [foxtrot, golf, hotel] = older;
    const numbers = [alpha, bravo, charlie, delta, echo].map((i) => i.number);
    assert.equal(new Set(numbers).size, 5, `invoice numbers are distinct: ${numbers}`);

    // The staff list has them all, drafts and company B included.
    await visit(staffPage, '/staff/invoices');
    assert.deepEqual(
      (await invoiceRows(staffPage)).map((r) => r.subject).sort(),
      ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf', 'Hotel'],
    );

    // 1. The customer's list: their company's invoices, no draft, nothing of company B.
    await visit(page, '/invoices');
    assert.equal(await page.locator('h1').innerText(), 'Invoices');
    let rows = await invoiceRows(page);
    assert.deepEqual(
      rows.map((r) => r.subject),
      ['Charlie', 'Bravo', 'Alpha', 'Hotel', 'Golf', 'Foxtrot'],
      'newest first by default, without Delta (draft) or Echo (company B)',
    );
    const mine = [charlie, bravo, alpha, hotel, golf, foxtrot];
    assert.deepEqual(
      rows.map((r) => r.href),
      mine.map((i) => `/invoices/${i.id}`),
    );
    assert.deepEqual(rows.map((r) => r.number), mine.map((i) => i.number));
    // Dates read as people write them.
    assert.equal(rows[2].issued, '5 Feb 2026');
    assert.equal(await page.locator('input[name="status"][value="draft"]').count(), 0, 'no draft filter in the portal');
    assert.equal(await page.getByRole('link', { name: 'Clear' }).count(), 0, 'no Clear link when not filtered');
    assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0, 'one page only');

    // The unfiltered export also leaves out the draft and company B.
    const all = await page.request.get('/invoices/export.csv');
    assert.equal(all.status(), 200);
    assert.match(all.headers()['content-type'], /^text\/csv/);
    const allCsv = csvRows(await all.text());
    assert.equal(allCsv[0].join(','), CSV_HEADER);
    assert.deepEqual(allCsv.slice(1).map((r) => r[1]).sort(), ['Alpha', 'Bravo', 'Charlie', 'Foxtrot', 'Golf', 'Hotel']);

    // 2. Unpaid + overdue, issued in February 2026: behind "Filters".
    assert.equal(await page.locator('input[name="status"][value="unpaid"]').isVisible(), false, 'filters start folded');
    await page.locator('.more-filters > summary').click();
    await page.locator('input[name="status"][value="unpaid"]').check();
    await page.locator('input[name="status"][value="overdue"]').check();
    await page.locator('#date_field').selectOption('issued');
    await page.locator('#from').fill('2026-02-01');
    await page.locator('#to').fill('2026-02-28');
    await submit(page, page.getByRole('button', { name: 'Apply filters' }));
    const filtered = new URL(page.url());
    assert.equal(filtered.pathname, '/invoices');
    assert.deepEqual(filtered.searchParams.getAll('status').sort(), ['overdue', 'unpaid']);
    assert.equal(filtered.searchParams.get('from'), '2026-02-01');
    assert.equal(filtered.searchParams.get('to'), '2026-02-28');
    assert.equal(await page.locator('#invoices tbody tr').count(), 2, 'exactly two rows');
    rows = await invoiceRows(page);
    assert.deepEqual(rows.map((r) => r.subject), ['Bravo', 'Alpha']);
    assert.deepEqual(rows.map((r) => r.total), ['£240.00', '£120.00']);
    assert.deepEqual(rows.map((r) => r.status), ['Overdue', 'Unpaid']);
    // The form keeps its state.
    assert.deepEqual(
      await page.locator('input[name="status"]:checked').evaluateAll((els) => els.map((e) => e.value).sort()),
      ['overdue', 'unpaid'],
    );
    assert.equal(await page.locator('#from').inputValue(), '2026-02-01');
    assert.equal(await page.locator('#to').inputValue(), '2026-02-28');
    assert.equal(await page.getByRole('link', { name: 'Clear' }).count(), 1, 'a Clear link when filtered');

    // 3. Export CSV: the same filter, downloaded.
    const exportLink = page.getByRole('link', { name: 'Export CSV' });
    const href = await exportLink.getAttribute('href');
    const exportUrl = new URL(href, server.url);
    assert.equal(exportUrl.pathname, '/invoices/export.csv');
    assert.deepEqual(filterOf(exportUrl), filterOf(filtered), 'the export link carries the list filter');
    assert.notEqual(await exportLink.getAttribute('download'), null, 'the link has a download attribute');
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    assert.equal(download.suggestedFilename(), 'invoices.csv');
    const csvText = fs.readFileSync(await download.path(), 'utf8');
    const csv = csvRows(csvText);
    assert.equal(csv[0].join(','), CSV_HEADER);
    assert.equal(csv.length, 3, `header plus exactly 2 rows:\n${csvText}`);
    const bySubject = Object.fromEntries(csv.slice(1).map((r) => [r[1], r]));
    assert.deepEqual(Object.keys(bySubject).sort(), ['Alpha', 'Bravo']);
    const col = (name) => csv[0].indexOf(name);
    assert.equal(bySubject.Alpha[col('Number')], alpha.number);
    assert.equal(bySubject.Alpha[col('Status')], 'Unpaid');
    assert.equal(bySubject.Alpha[col('Issued')], '2026-02-05');
    assert.equal(bySubject.Alpha[col('Currency')], 'GBP');
    assert.equal(bySubject.Alpha[col('Subtotal')], '100.00');
    assert.equal(bySubject.Alpha[col('Tax')], '20.00');
    assert.equal(bySubject.Alpha[col('Total')], '120.00');
    assert.equal(bySubject.Alpha[col('Balance')], '120.00');
    assert.equal(bySubject.Bravo[col('Number')], bravo.number);
    assert.equal(bySubject.Bravo[col('Status')], 'Overdue');
    assert.equal(bySubject.Bravo[col('Total')], '240.00');
    assert.equal(bySubject.Bravo[col('Paid amount')], '0.00');
    assert.equal(bySubject.Bravo[col('Balance')], '240.00');
    assert.equal(currentPath(page), filtered.pathname + filtered.search, 'downloading does not leave the list');

    // Clear goes back to everything; the search box finds by subject and by number.
    await submit(page, page.getByRole('link', { name: 'Clear' }));
    assert.equal(currentPath(page), '/invoices');
    assert.equal(await page.locator('#invoices tbody tr').count(), 6);
    await page.locator('#q').fill('charl');
    await submit(page, page.getByRole('button', { name: 'Search', exact: true }));
    assert.deepEqual((await invoiceRows(page)).map((r) => r.subject), ['Charlie']);
    await page.locator('#q').fill(delta.number);
    await submit(page, page.getByRole('button', { name: 'Search', exact: true }));
    assert.equal(await page.locator('#invoices').count(), 0, 'searching for the draft finds nothing');
    assert.match(await page.locator('.empty').innerText(), /No invoices match these filters/);

    // 4. Open Bravo from the list.
    await visit(page, '/invoices');
    await submit(page, page.locator('#invoices').getByRole('link', { name: bravo.number }));
    assert.equal(currentPath(page), `/invoices/${bravo.id}`);
    assert.equal(await page.locator('h1').innerText(), `Invoice ${bravo.number}`);
    assert.equal((await page.locator('#invoice-status').innerText()).trim(), 'Overdue');
    assert.equal((await page.locator('#balance').innerText()).trim(), '£240.00');
    const totals = await page.locator('#totals').innerText();
    assert.match(totals, /Subtotal\s+£200\.00/);
    assert.match(totals, /Tax 20%\s+£40\.00/);
    assert.match(totals, /Total\s+£240\.00/);
    assert.match(await page.locator('table.lines').innerText(), /Brand workshop/);

    // The PDF downloads as a file named after the invoice (its text is
    // checked by the Rust tests).
    const [pdfDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download PDF' }).click(),
    ]);
    assert.equal(pdfDownload.suggestedFilename(), `${bravo.number}.pdf`);
    const pdf = fs.readFileSync(await pdfDownload.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'a PDF file');
    assert.ok(pdf.length > 5000, `a PDF with fonts and content, got ${pdf.length} bytes`);

    // 5. Another company's invoice and a draft do not exist for this customer.
    await visit(page, `/invoices/${echo.id}`, { expect: 404 });
    assert.doesNotMatch(await page.locator('body').innerText(), /Echo|Another customer/);
    await visit(page, `/invoices/${delta.id}`, { expect: 404 });
    assert.doesNotMatch(await page.locator('body').innerText(), /Delta|Not sent yet/);

    // 6. Staff: Bravo's page lists the customer's view and explains the visibility.
    await visit(staffPage, `/staff/invoices/${bravo.id}`);
    assert.match(await staffPage.locator('#views').innerText(), new RegExp(a.person.email.replace(/\./g, '\\.')));
    await staffPage.locator('#as').selectOption(a.portalUserId);
    await submit(staffPage, staffPage.locator('#why').getByRole('button', { name: 'Check' }));
    assert.equal(currentPath(staffPage), `/staff/invoices/${bravo.id}?as=${a.portalUserId}`);
    assert.match((await staffPage.locator('#verdict').innerText()).trim(), /^Visible\./);

    // Delta is a draft: never opened, and not visible.
    await visit(staffPage, `/staff/invoices/${delta.id}`);
    assert.match(await staffPage.locator('#views').innerText(), /No customer has opened this yet/);
    await staffPage.locator('#as').selectOption(a.portalUserId);
    await submit(staffPage, staffPage.locator('#why').getByRole('button', { name: 'Check' }));
    const verdict = (await staffPage.locator('#verdict').innerText()).trim();
    assert.match(verdict, /^Not visible\./);
    assert.match(verdict, /draft/i);

    // 7. On a phone (390 x 844) the list is compact: a short header, and
    // all six invoices on the first screen, each row one link.
    const phone = await newPage(browser, { server, viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      await portalLogin(phone.page, a.person.email, a.password);
      // The modules are behind one "Menu" button on a phone (no script needed).
      await visit(phone.page, '/');
      assert.equal(await phone.page.locator('nav.mainnav').isVisible(), false, 'no row of modules on a phone');
      const menu = phone.page.locator('.nav-menu > summary');
      await menu.click();
      assert.equal(await phone.page.getByRole('navigation', { name: 'Menu' }).isVisible(), true, 'Menu opens');
      // Escape closes it again and leaves the focus on its button.
      await phone.page.keyboard.press('Escape');
      assert.equal(await phone.page.getByRole('navigation', { name: 'Menu' }).isVisible(), false, 'Escape closes Menu');
      assert.equal(await menu.evaluate((el) => el === document.activeElement), true, 'the focus is back on Menu');
      await menu.click();
      await submit(phone.page, phone.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Invoices' }));
      assert.equal(currentPath(phone.page), '/invoices');
      const header = await phone.page.locator('header').first().boundingBox();
      assert.ok(header.height < 120, `the header is ${header.height}px tall`);
      const bottoms = await phone.page.locator('#invoices tbody tr').evaluateAll((trs) =>
        trs.map((tr) => tr.getBoundingClientRect().bottom),
      );
      const onFirstScreen = bottoms.filter((b) => b <= PHONE.height).length;
      assert.ok(onFirstScreen >= 6, `${onFirstScreen} rows on the first screen (bottoms ${bottoms.map(Math.round)})`);
      // A tap anywhere on a row opens it, not only on its number.
      const row = phone.page.locator('#invoices tbody tr').nth(1);
      const box = await row.boundingBox();
      await Promise.all([
        phone.page.waitForURL(`**/invoices/${bravo.id}`),
        phone.page.mouse.click(box.x + box.width / 2, box.y + box.height - 8),
      ]);
      assert.equal(currentPath(phone.page), `/invoices/${bravo.id}`);
      assert.deepEqual(phone.page.problems, [], 'no console errors on the phone');
    } finally {
      await phone.context.close();
    }

    assert.deepEqual([...staff.page.problems, ...customer.page.problems], [], 'no console errors');
  } finally {
    await staff.context.close();
    await customer.context.close();
  }
});

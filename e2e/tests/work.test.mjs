// The project and ticket journeys, through the pages: staff share a project
// with a customer and give them a task; the customer comments on the project
// and completes the task from their home page; the customer opens a ticket,
// staff answer it (with an internal note the customer never sees) and the
// customer replies.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage } from '../lib/browser.mjs';
import { activePerson, currentPath, staffLogin, submit, visit } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

const GRANTS = [
  'projects:view',
  'projects:comment',
  'tasks:view',
  'tasks:comment',
  'tickets:view',
  'tickets:create',
  'tickets:comment',
  'my_details:view',
];

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

/** The text of the comments section of the current page. */
async function thread(page) {
  return page.locator('#comments').innerText();
}

test('a customer comments on a project, completes their task and follows a ticket', { timeout: 180_000 }, async () => {
  const staff = await newPage(browser, { server });
  const customer = await newPage(browser, { server });
  try {
    const { page: staffPage } = staff;
    const { page } = customer;
    await staffLogin(staffPage, server);
    const who = await activePerson(staffPage, page, server, {
      grants: GRANTS,
      firstName: 'Pia',
      lastName: 'Project',
    });

    // Staff create a project for the customer's company and make Pia a member.
    await visit(staffPage, '/staff/projects/new');
    await staffPage.locator('#company_id').selectOption(who.companyId);
    await staffPage.getByLabel('Project name').fill('Shop refit');
    await staffPage.locator('#status').selectOption('active');
    await staffPage.locator('#progress').fill('35');
    await staffPage.locator('input[name=milestone_title]').first().fill('Design sign-off');
    await staffPage.locator('input[name=milestone_due]').first().fill('2027-01-15');
    await submit(staffPage, staffPage.getByRole('button', { name: 'Create' }));
    const projectPath = new URL(staffPage.url()).pathname;
    assert.match(projectPath, /^\/staff\/projects\/[0-9a-f-]+$/);
    const projectId = projectPath.split('/').pop();
    await staffPage.locator(`input[name=members][value="${who.portalUserId}"]`).check();
    await submit(staffPage, staffPage.getByRole('button', { name: 'Save' }));
    assert.ok(await staffPage.locator(`input[name=members][value="${who.portalUserId}"]`).isChecked(), 'Pia is a member');

    // …and a task assigned to her.
    await submit(staffPage, staffPage.getByRole('link', { name: 'Add task' }));
    await staffPage.getByLabel('Task').fill('Choose the floor tiles');
    await staffPage.locator('#assignee_id').selectOption(who.portalUserId);
    await submit(staffPage, staffPage.getByRole('button', { name: 'Create' }));
    assert.match(currentPath(staffPage), /^\/staff\/tasks\/[0-9a-f-]+\?done=created$/);

    // The customer sees the project, with its milestone and task, and comments on it.
    await visit(page, '/projects');
    await submit(page, page.locator('table#projects a').first());
    assert.equal(new URL(page.url()).pathname, `/projects/${projectId}`);
    assert.match(await page.locator('#milestones').innerText(), /Design sign-off/);
    assert.match(await page.locator('#project-tasks').innerText(), /Choose the floor tiles/);
    await page.getByLabel('Your message').fill('Can we see the tile samples on Friday?');
    await submit(page, page.getByRole('button', { name: 'Post comment' }));
    assert.match(await page.locator('.notice').innerText(), /Your message has been posted/);
    assert.match(await thread(page), /Can we see the tile samples on Friday\?/);

    // Staff see the comment and answer it, with an internal note beside it.
    await visit(staffPage, projectPath);
    assert.match(await thread(staffPage), /Can we see the tile samples on Friday\?/);
    await staffPage.getByLabel('Message').fill('Check the supplier can deliver samples by Thursday.');
    await staffPage.getByLabel('Internal note').check();
    await submit(staffPage, staffPage.getByRole('button', { name: 'Post comment' }));
    await staffPage.getByLabel('Message').fill('Yes: Friday at 10:00 in the showroom.');
    await submit(staffPage, staffPage.getByRole('button', { name: 'Post comment' }));
    await visit(page, `/projects/${projectId}`);
    const seen = await thread(page);
    assert.match(seen, /Friday at 10:00 in the showroom/);
    assert.doesNotMatch(seen, /supplier can deliver/, 'internal notes never reach the portal');

    // The task waits on her home page; she completes it.
    await visit(page, '/');
    const waiting = page.locator('#waiting-tasks');
    assert.match(await waiting.innerText(), /Choose the floor tiles/);
    await submit(page, waiting.getByRole('link', { name: 'Choose the floor tiles' }));
    await submit(page, page.getByRole('button', { name: 'Mark as complete' }));
    assert.match(await page.locator('.notice').innerText(), /marked as complete/);
    assert.equal((await page.locator('#record-status').innerText()).trim(), 'Done');
    assert.equal(await page.getByRole('button', { name: 'Mark as complete' }).count(), 0);
    await visit(page, '/');
    assert.equal(await page.locator('#waiting-tasks').count(), 0, 'nothing left waiting');

    // A ticket: she opens it, staff reply, she replies.
    await visit(page, '/tickets');
    await submit(page, page.getByRole('link', { name: 'Open a ticket' }));
    await page.getByLabel('Subject').fill('Wi-Fi in the new shop');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByLabel('Message').fill('Will the refit include Wi-Fi access points?');
    await submit(page, page.getByRole('button', { name: 'Open ticket' }));
    const ticketPath = new URL(page.url()).pathname;
    assert.match(ticketPath, /^\/tickets\/[0-9a-f-]+$/);
    assert.equal((await page.locator('#record-status').innerText()).trim(), 'Open');

    await visit(staffPage, '/staff/tickets?q=Wi-Fi');
    await submit(staffPage, staffPage.locator('table#tickets a').first());
    assert.match(await thread(staffPage), /Wi-Fi access points/);
    await staffPage.getByLabel('Message').fill('Two access points are included. Where is the router?');
    await submit(staffPage, staffPage.getByRole('button', { name: 'Send' }));

    await visit(page, '/');
    assert.match(await page.locator('#waiting-tickets').innerText(), /Wi-Fi in the new shop/);
    await visit(page, ticketPath);
    assert.equal((await page.locator('#record-status').innerText()).trim(), 'Awaiting your reply');
    assert.match(await thread(page), /Two access points are included/);
    await page.getByLabel('Your message').fill('In the back office, next to the till.');
    await submit(page, page.getByRole('button', { name: 'Send reply' }));
    assert.match(await thread(page), /next to the till/);
    assert.equal((await page.locator('#record-status').innerText()).trim(), 'Open');

    await visit(staffPage, new URL(staffPage.url()).pathname);
    assert.match(await thread(staffPage), /next to the till/);
  } finally {
    await staff.context.close();
    await customer.context.close();
  }
});

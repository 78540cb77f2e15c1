// Courtyard's one script: small comforts only. Every page works without it.

const MENUS = 'details.account[open], details.nav-menu[open], details.nav-more[open]';

// Escape closes an open menu (account, Menu, More) and gives the focus
// back to its button.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  for (const menu of document.querySelectorAll(MENUS)) {
    menu.open = false;
    menu.querySelector('summary')?.focus();
  }
});

// A click outside an open menu closes it.
document.addEventListener('click', (e) => {
  for (const menu of document.querySelectorAll(MENUS)) {
    if (!menu.contains(e.target)) menu.open = false;
  }
});

// Roadone's keyboard shortcuts for the staff pages (listed at /staff/shortcuts, and by
// pressing "?"). Each only saves a click: every page works the same without this script.
// Single keys are ignored while a field has the cursor, with Ctrl, Alt or the Command
// key, and when turned off on the list (WCAG 2.1.4). Plain ES2017, no build step.
'use strict';

(function () {
  const SETTING = 'roadone-shortcuts';

  function on() {
    try {
      return window.localStorage.getItem(SETTING) !== 'off';
    } catch (e) {
      return true;
    }
  }

  function remember(wanted) {
    try {
      if (wanted) {
        window.localStorage.removeItem(SETTING);
      } else {
        window.localStorage.setItem(SETTING, 'off');
      }
    } catch (e) {
      // A browser that keeps nothing: the choice lasts for this page only.
    }
  }

  // The "use shortcuts" choice of a list (the page's own, or the one in the dialog).
  function wireSetting(root) {
    const setting = root.querySelector('.shortcut-setting');
    if (!setting) {
      return;
    }
    const box = setting.querySelector('input');
    box.checked = on();
    box.addEventListener('change', () => remember(box.checked));
    setting.hidden = false;
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    const tag = target.tagName.toLowerCase();
    return tag === 'input' || tag === 'textarea' || tag === 'select' || target.isContentEditable;
  }

  // Opens the <details> around `selector` and puts the cursor in it.
  function write(selector) {
    const field = document.querySelector(selector);
    if (!field) {
      return false;
    }
    const details = field.closest('details');
    if (details) {
      details.open = true;
    }
    field.focus();
    field.scrollIntoView({ block: 'center' });
    return true;
  }

  function follow(selector) {
    const a = document.querySelector(selector);
    if (!a) {
      return false;
    }
    window.location.assign(a.href);
    return true;
  }

  // In a list of cases, moves the focus from row to row (Enter then opens the case).
  function moveInList(step) {
    const links = Array.from(document.querySelectorAll('table.cases tbody td a'));
    if (!links.length) {
      return false;
    }
    const at = links.indexOf(document.activeElement);
    const next = at < 0 ? (step > 0 ? 0 : links.length - 1) : at + step;
    if (next < 0 || next >= links.length) {
      return true;
    }
    links.forEach((a) => a.closest('tr').classList.remove('current'));
    links[next].closest('tr').classList.add('current');
    links[next].focus();
    return true;
  }

  function next(step) {
    if (moveInList(step)) {
      return true;
    }
    return follow(step > 0 ? '#next-case' : '#previous-case');
  }

  function search() {
    const box = document.querySelector('#q, #find');
    if (box) {
      box.focus();
      box.select();
      return true;
    }
    window.location.assign('/staff/cases?view=mine#q');
    return true;
  }

  let dialog = null;

  // The list of shortcuts in a dialog, taken from /staff/shortcuts itself so that the
  // page and the dialog never disagree.
  function help() {
    if (dialog) {
      if (!dialog.open) {
        dialog.showModal();
      }
      return true;
    }
    if (!window.fetch || !window.DOMParser || !window.HTMLDialogElement) {
      window.location.assign('/staff/shortcuts');
      return true;
    }
    fetch('/staff/shortcuts', { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const page = new DOMParser().parseFromString(html, 'text/html');
        const list = page.getElementById('shortcuts');
        const title = page.getElementById('shortcuts-title');
        if (!list || !title) {
          return;
        }
        dialog = document.createElement('dialog');
        dialog.id = 'shortcuts-dialog';
        dialog.setAttribute('aria-labelledby', 'shortcuts-dialog-title');
        const heading = document.createElement('h2');
        heading.id = 'shortcuts-dialog-title';
        heading.textContent = title.textContent;
        list.removeAttribute('aria-labelledby');
        list.removeAttribute('id');
        const close = document.createElement('button');
        close.type = 'button';
        close.textContent = 'Close';
        close.addEventListener('click', () => dialog.close());
        dialog.append(heading, document.adoptNode(list), close);
        document.body.appendChild(dialog);
        wireSetting(dialog);
        dialog.showModal();
      })
      .catch(() => window.location.assign('/staff/shortcuts'));
    return true;
  }

  const KEYS = {
    j: () => next(1),
    k: () => next(-1),
    r: () => write('#reply-body'),
    n: () => write('#note-body'),
    s: () => write('#resolution'),
    '/': search,
    '?': help,
  };

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target) || !on() || (dialog && dialog.open && event.key !== '?')) {
      return;
    }
    const action = KEYS[event.key];
    if (action && action()) {
      event.preventDefault();
    }
  });

  document.addEventListener('DOMContentLoaded', () => {
    wireSetting(document);
    // Arriving from "/" on a page without a search box.
    if (window.location.hash === '#q' && on()) {
      const box = document.getElementById('q');
      if (box) {
        box.focus();
      }
    }
  });
})();

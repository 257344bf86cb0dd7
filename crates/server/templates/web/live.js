// Roadone's staff pages, live: an open case page shows new activity without a reload and
// says who else has the case open; the list of cases says when a new one came in. Every
// page works the same without this script: it only saves a reload. Plain ES2017, no
// build step, loaded from the server itself (CSP: script-src 'self'; connect-src 'self').
'use strict';

(function () {
  if (!window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }

  // The live region of the page, made (empty, so that it is announced when it fills)
  // after the heading when the page has none.
  function liveRegion() {
    let region = document.getElementById('live');
    if (!region) {
      const heading = document.querySelector('main h1');
      if (!heading) {
        return null;
      }
      region = document.createElement('p');
      region.id = 'live';
      region.className = 'notice';
      region.setAttribute('role', 'status');
      region.setAttribute('aria-live', 'polite');
      region.hidden = true;
      heading.insertAdjacentElement('afterend', region);
    }
    return region;
  }

  // One part of the region (`activity`, `viewers`, `opened`): `nodes` replace what it
  // said; none clears it. The region hides when every part is empty.
  function say(region, part, nodes) {
    let span = region.querySelector('[data-part="' + part + '"]');
    if (!span) {
      span = document.createElement('span');
      span.setAttribute('data-part', part);
      region.appendChild(span);
    }
    while (span.firstChild) {
      span.removeChild(span.firstChild);
    }
    nodes.forEach((node) => {
      span.appendChild(typeof node === 'string' ? document.createTextNode(node) : node);
    });
    if (nodes.length) {
      span.appendChild(document.createTextNode(' '));
    }
    span.hidden = nodes.length === 0;
    const parts = Array.from(region.querySelectorAll('[data-part]'));
    region.hidden = parts.every((p) => p.hidden);
  }

  function link(href, text) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  // A stream that is closed while the tab is hidden (a browser holds few connections per
  // server, and a hidden tab has nobody looking) and opened again when it shows.
  function follow(connect, onHide) {
    let source = null;
    const open = () => {
      if (!source) {
        source = connect();
      }
    };
    const close = () => {
      if (source) {
        source.close();
        source = null;
        onHide();
      }
    };
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) {
        close();
      } else {
        open();
      }
    });
    window.addEventListener('pagehide', close);
    window.addEventListener('pageshow', () => {
      if (!document.hidden) {
        open();
      }
    });
    if (!document.hidden) {
      open();
    }
  }

  function casePage(heading) {
    const id = heading.getAttribute('data-live-case');
    const page = '/staff/cases/' + encodeURIComponent(id);
    const region = liveRegion();
    let shown = Number(heading.getAttribute('data-version')) || 0;
    let loading = false;
    let again = false;

    // The page again, from the server: its timeline and status replace those shown
    // (nothing else: a reply being typed stays as it is).
    async function refresh() {
      if (loading) {
        again = true;
        return;
      }
      loading = true;
      try {
        const response = await fetch(page, {
          credentials: 'same-origin',
          cache: 'no-store',
          headers: { Accept: 'text/html' },
        });
        const type = response.headers.get('content-type') || '';
        if (!response.ok || type.indexOf('text/html') !== 0) {
          return;
        }
        const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
        const freshHeading = fresh.querySelector('[data-live-case]');
        const version = freshHeading ? Number(freshHeading.getAttribute('data-version')) : 0;
        if (version <= shown) {
          return;
        }
        ['#timeline', 'p.status'].forEach((selector) => {
          const now = document.querySelector(selector);
          const then = fresh.querySelector(selector);
          if (now && then) {
            now.replaceWith(document.adoptNode(then));
          }
        });
        shown = version;
        heading.setAttribute('data-version', String(version));
        say(region, 'activity', [
          'New activity on this case: ',
          link('#latest', 'see the latest'),
          '.',
        ]);
      } catch (e) {
        // The server is away for a moment; the next change or a reload shows it.
      } finally {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    }

    follow(
      () => {
        const source = new EventSource(
          '/staff/live/cases/' + encodeURIComponent(id) + '?since=' + shown,
        );
        source.addEventListener('changed', (e) => {
          if (Number(e.data) > shown) {
            refresh();
          }
        });
        source.addEventListener('viewers', (e) => {
          let names = [];
          try {
            names = JSON.parse(e.data);
          } catch (err) {
            names = [];
          }
          say(region, 'viewers', names.length ? ['Also here: ' + names.join(', ') + '.'] : []);
        });
        return source;
      },
      () => say(region, 'viewers', []),
    );
  }

  function listPage() {
    const region = liveRegion();
    if (!region) {
      return;
    }
    // The newest case the page or the server told of: what came after it is announced,
    // also what came between the page's making and the stream's start.
    const made = document.querySelector('[data-newest-case]');
    let newest = made ? Number(made.getAttribute('data-newest-case')) || 0 : 0;
    let told = false;
    follow(
      () => {
        const source = new EventSource('/staff/live/cases' + (newest ? '?since=' + newest : ''));
        source.addEventListener('newest', (e) => {
          newest = Math.max(newest, Number(e.data) || 0);
          // Following from here on (what a test waits for before it opens a case).
          region.setAttribute('data-newest', String(newest));
        });
        source.addEventListener('opened', (e) => {
          newest = Math.max(newest, Number(e.data) || 0);
          say(region, 'opened', [
            told ? 'New cases came in — ' : 'A new case came in — ',
            link(window.location.href, told ? 'reload to see them' : 'reload to see it'),
            '.',
          ]);
          told = true;
        });
        return source;
      },
      () => {},
    );
  }

  function start() {
    const heading = document.querySelector('[data-live-case]');
    if (heading) {
      casePage(heading);
    } else if (window.location.pathname === '/staff/cases') {
      listPage();
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();

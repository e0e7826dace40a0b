// The single-page shell's router: the server answers the same HTML for /, /types, /storage and /r/…, and this module picks
// the view by location.pathname. Links stay real links; same-origin ones are followed with history.pushState.
import { ApiError, forgetCached } from './api.js';
import { h } from './dom.js';
import * as session from './session.js';
import * as signin from './signin.js';
import * as repositories from './views/repositories.js';
import * as repository from './views/repository.js';
import * as artifact from './views/artifact.js';
import * as types from './views/types.js';
import * as storage from './views/storage.js';

const main = document.getElementById('main');
let running = null;

/** What a path shows: the view and its parameters, or null for an unknown page. */
export function route(pathname) {
  if (pathname === '/') {
    return { view: repositories, section: 'repositories', params: {} };
  }
  if (pathname === '/types') {
    return { view: types, section: 'types', params: {} };
  }
  if (pathname === '/storage') {
    return { view: storage, section: 'storage', params: {} };
  }
  if (!pathname.startsWith('/r/')) {
    return null;
  }
  let rest;
  try {
    rest = decodeURIComponent(pathname.slice(3));
  } catch {
    return null;
  }
  rest = rest.replace(/\/+$/, '');
  if (!rest) {
    return null;
  }
  const at = rest.indexOf('@');
  if (at > 0) {
    return { view: artifact, section: 'repositories', params: { repository: rest.slice(0, at), reference: rest.slice(at + 1) } };
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', slash + 1);
  if (colon > 0) {
    return { view: artifact, section: 'repositories', params: { repository: rest.slice(0, colon), reference: rest.slice(colon + 1) } };
  }
  return { view: repository, section: 'repositories', params: { repository: rest } };
}

function isUiPath(pathname) {
  return pathname === '/' || pathname === '/types' || pathname === '/storage' || pathname.startsWith('/r/');
}

export function navigate(target, { replace = false } = {}) {
  history[replace ? 'replaceState' : 'pushState'](null, '', target);
  return render({ moveFocus: !replace });
}

async function render({ moveFocus = false } = {}) {
  if (running) {
    running.abort();
  }
  const controller = new AbortController();
  running = controller;
  const url = new URL(location.href);
  const match = route(url.pathname);
  for (const link of document.querySelectorAll('.site-nav a')) {
    if (link.dataset.section === 'storage') {
      link.hidden = !session.isAdmin(); // the operators' page: the API refuses the others anyway
    }
    if (match !== null && link.dataset.section === match.section) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  main.replaceChildren();
  main.setAttribute('aria-busy', 'true');
  if (moveFocus) {
    window.scrollTo(0, 0);
  }
  try {
    if (!match) {
      document.title = 'Not found · Berth';
      main.append(h('h1', {}, 'Not found'), h('p', {}, 'There is no page at ', h('code', {}, url.pathname), '. ',
        h('a', { href: '/' }, 'Back to the repositories'), '.'));
    } else {
      await match.view.render(main, { params: match.params, url, signal: controller.signal, navigate });
    }
  } catch (error) {
    if (controller.signal.aborted || (error && error.name === 'AbortError')) {
      return;
    }
    main.replaceChildren(errorView(error));
    document.title = (main.querySelector('.signin-needed') ? 'Sign in' : 'Error') + ' · Berth';
  } finally {
    if (running === controller) {
      main.removeAttribute('aria-busy');
    }
  }
  if (moveFocus && !controller.signal.aborted) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
  if (url.hash && !controller.signal.aborted) {
    const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (target) {
      target.scrollIntoView();
    }
  }
}

function errorView(error) {
  if (error instanceof ApiError && error.status === 401 && !session.current()) {
    return h('div', { class: 'signin-needed' },
      h('h1', {}, 'Sign in to see this registry'),
      h('p', {}, 'This registry shows its repositories to signed-in users only.'),
      h('p', {}, h('button', { type: 'button', class: 'primary', 'aria-haspopup': 'dialog', onclick: () => signin.open() },
        'Sign in')));
  }
  const notFound = error instanceof ApiError && error.status === 404;
  return h('div', { class: 'error', role: 'alert' },
    h('h1', {}, notFound ? 'Not found' : 'Something went wrong'),
    h('p', {}, error instanceof ApiError ? error.message : String(error && error.message || error)),
    error instanceof ApiError ? h('p', { class: 'muted' }, 'The listing API answered ', String(error.status), ' ', error.code, '.') : null,
    h('p', {}, h('a', { href: '/' }, 'Back to the repositories')));
}

document.addEventListener('click', event => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !isUiPath(url.pathname)) {
    return;
  }
  if (url.pathname === location.pathname && url.search === location.search && url.hash) {
    return; // an anchor on this page: the browser scrolls
  }
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => render());

// the page shows what the caller may read: after signing in or out, or when the token runs out, it renders anew
signin.mount(document.getElementById('session'));
session.onChange(({ reason }) => {
  forgetCached();
  if (reason === 'expired') {
    signin.open('Your session has ended, so the page now shows what anyone may see. Sign in again to see more.');
  }
  render({ moveFocus: reason === 'signed-in' });
});

render();

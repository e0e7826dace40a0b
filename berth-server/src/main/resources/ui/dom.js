// DOM building without HTML parsing: every value lands in a text node or an attribute set through the DOM, so nothing
// that comes from the registry (names, annotations, type files) is ever parsed as markup.
import { iconData } from './api.js';
import * as session from './session.js';

/** Creates an element: attributes (on* functions become listeners), then children (strings become text). */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'href' || name === 'src') {
      element.setAttribute(name, safeUrl(value));
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces an element's children (nested arrays flattened, strings as text). */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** A "Load more …" button that disables itself while {@code loadNext} fetches the next page. */
export function loadMoreButton(label, loadNext) {
  return h('button', { type: 'button', class: 'load-more', onclick: event => {
    event.currentTarget.disabled = true;
    event.currentTarget.textContent = 'Loading…';
    loadNext();
  } }, label);
}

/** Same-origin paths and http(s) URLs only: a type file could otherwise smuggle in javascript: links. */
export function safeUrl(url) {
  const text = String(url);
  if (text.startsWith('/') && !text.startsWith('//')) {
    return text;
  }
  if (text.startsWith('#') || text.startsWith('?')) {
    return text;
  }
  try {
    const parsed = new URL(text);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : '#';
  } catch {
    return '#';
  }
}

/** An external link: opens as a normal link, without sending this page as referrer. */
export function externalLink(url, text) {
  return h('a', { href: url, rel: 'noopener noreferrer external' }, text || url);
}

// ---- paths -----------------------------------------------------------------------------------------------------

function encodePath(text) {
  return text.split('/').map(encodeURIComponent).join('/').replaceAll('%3A', ':').replaceAll('%40', '@');
}

export function repositoryPath(repository) {
  return '/r/' + encodePath(repository);
}

/** The page of an artifact: /r/<repository>:<tag> or /r/<repository>@<digest>. */
export function artifactPath(repository, tag, digest) {
  return repositoryPath(repository) + (tag ? ':' + encodeURIComponent(tag) : '@' + encodePath(digest));
}

export function blobUrl(repository, digest) {
  return '/v2/' + encodePath(repository) + '/blobs/' + encodePath(digest);
}

/** A path with query parameters, leaving out empty ones. */
export function withQuery(path, parameters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== '') {
      query.set(name, value);
    }
  }
  const text = query.toString();
  return text ? path + '?' + text : path;
}

// ---- formatting ------------------------------------------------------------------------------------------------

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes) {
  let value = Number(bytes);
  if (!Number.isFinite(value) || value < 0) {
    return '–';
  }
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(1)) + ' ' + UNITS[unit];
}

export function formatCount(count) {
  return Number(count).toLocaleString('en');
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const STEPS = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];

/** A <time> with a relative text ("3 minutes ago") and the exact instant as its tooltip. */
export function timeElement(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime()) || date.getTime() <= 0) {
    return h('span', { class: 'muted' }, '–');
  }
  const seconds = (date.getTime() - Date.now()) / 1000;
  let text = 'just now';
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size) {
      text = RELATIVE.format(Math.round(seconds / size), unit);
      break;
    }
  }
  return h('time', { datetime: date.toISOString(), title: date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') }, text);
}

/** sha256:0123456789ab… as shown in narrow places; the full digest stays in the title. */
export function shortDigest(digest) {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest : digest.slice(0, colon + 1) + digest.slice(colon + 1, colon + 13);
}

// ---- icons, chips, copy ----------------------------------------------------------------------------------------

/** A type's icon: the API's SVG through <img>, so scripts inside could never run. */
export function typeIcon(type, size = 24, alt = '') {
  const src = type && typeof type.icon === 'string' && type.icon.startsWith('/api/') ? type.icon
    : '/api/v1/types/unknown/icon.svg';
  if (!session.current()) {
    return h('img', { class: 'type-icon', src, alt, width: size, height: size, loading: 'lazy', decoding: 'async' });
  }
  // signed in: the icon comes through fetch with the token, as a data: URL (img-src allows data:)
  const image = h('img', { class: 'type-icon', alt, width: size, height: size, decoding: 'async', 'data-icon': src });
  iconData(src).then(data => {
    image.src = data;
  }, () => {
    image.classList.add('type-icon-missing');
  });
  return image;
}

let toastTimer = 0;

/** Shows a short message and announces it to screen readers (the toast is a polite live region). */
export function announce(message) {
  const toast = document.getElementById('toast');
  if (!toast) {
    return;
  }
  toast.textContent = message;
  toast.classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.classList.remove('visible'), 2500);
}

function selectText(element) {
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Copies text to the clipboard; where the Clipboard API is missing or refused (plain http on another host), selects
 * the text instead so that Ctrl+C / ⌘C copies it.
 */
export async function copyText(text, element, button) {
  try {
    if (!navigator.clipboard || !window.isSecureContext) {
      throw new Error('no clipboard API');
    }
    await navigator.clipboard.writeText(text);
    button.dataset.state = 'copied';
    button.lastChild.textContent = 'Copied';
    announce('Copied to the clipboard');
    setTimeout(() => {
      delete button.dataset.state;
      button.lastChild.textContent = 'Copy';
    }, 2000);
  } catch {
    selectText(element);
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    button.dataset.state = copied ? 'copied' : 'selected';
    announce(copied ? 'Copied to the clipboard' : 'Selected: press Ctrl+C to copy');
  }
}

/** Text in <code> with a Copy button beside it. */
export function copyable(text, label, className = '') {
  const code = h('code', { class: 'copy-text' }, text);
  const button = h('button', { type: 'button', class: 'copy-button', 'aria-label': 'Copy ' + label, title: 'Copy ' + label },
    h('span', { class: 'copy-glyph', 'aria-hidden': 'true' }), h('span', { class: 'copy-label' }, 'Copy'));
  button.addEventListener('click', () => copyText(text, code, button));
  return h('span', { class: ('copyable ' + className).trim() }, code, button);
}

/** A filter chip: a real link (so it can be opened, shared, focused) with icon, title and an optional count. */
export function chip(href, { type, title, count, current, more }) {
  return h('a', { class: 'chip', href, 'aria-current': current ? 'true' : null },
    type ? typeIcon(type, 18) : null,
    h('span', { class: 'chip-title' }, title),
    count === undefined ? null : h('span', { class: 'chip-count' }, formatCount(count) + (more ? '+' : '')));
}

/** A page section with a heading. */
export function section(title, id, ...children) {
  const headingId = id + '-heading';
  return h('section', { class: 'panel', id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), ...children);
}

export function message(text, className = 'empty') {
  return h('p', { class: className }, text);
}

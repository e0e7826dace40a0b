// /r/<repository> : the seed's table (reference, icon, type, actions) plus size, push time and referrer badges;
// filtered by type and tag on the server, sorted among the loaded rows, paged with "Load more".
import { ApiError, getJson, referrerBadges, typeCatalog, typeRef, PAGE_SIZE } from '../api.js';
import {
  h, replace, loadMoreButton, artifactPath, chip, copyable, formatBytes, formatCount, message, repositoryPath, shortDigest, timeElement,
  typeIcon, withQuery,
} from '../dom.js';

const SEARCH_DELAY_MS = 250;

/** The repository's summary (counts per type, size, last push): the first name at or after it that contains it. */
async function summaryOf(name, signal) {
  const { body } = await getJson(withQuery('/api/v1/repositories', { q: name, last: name.slice(0, -1), n: 10 }), signal);
  return (body.repositories || []).find(repository => repository.name === name) || null;
}

/** The badges of an artifact's referrers: signed, SBOM, attestation, then other kinds by type title. */
export function badgeList(types, referrers, href) {
  const badges = referrerBadges(types, referrers);
  if (badges.length === 0) {
    return null;
  }
  return h('ul', { class: 'badges', 'aria-label': 'Referrers' }, badges.map(badge => h('li', {},
    h('a', { class: 'badge badge-' + badge.kind, href,
      title: badge.types.map(type => type.title).join(', ') + ' (' + badge.count + ')' },
    typeIcon(badge.types[0], 14), badge.label + (badge.count > 1 ? ' ×' + badge.count : '')))));
}

/** The rendered actions of an artifact: the first `shown` in full, the rest behind a disclosure. */
export function actionList(actions, reference, shown = 1) {
  if (!actions || actions.length === 0) {
    return h('span', { class: 'muted' }, 'none');
  }
  const item = action => h('li', { class: 'action' },
    h('span', { class: 'action-title' }, action.title), copyable(action.command, action.title + ' command for ' + reference));
  const list = h('ul', { class: 'actions' }, actions.slice(0, shown).map(item));
  if (actions.length <= shown) {
    return list;
  }
  const rest = actions.length - shown;
  return h('div', {}, list, h('details', { class: 'more-actions' },
    h('summary', {}, rest === 1 ? '1 more action' : rest + ' more actions'),
    h('ul', { class: 'actions' }, actions.slice(shown).map(item))));
}

export function platformList(platforms) {
  if (!platforms || platforms.length === 0) {
    return null;
  }
  return h('ul', { class: 'platforms', 'aria-label': 'Platforms' }, platforms.map(platform => h('li', {}, platform)));
}

const SORTS = {
  reference: { label: 'Reference', value: artifact => artifact.reference },
  type: { label: 'Type', value: artifact => (artifact.type && artifact.type.title || '').toLowerCase() },
  size: { label: 'Size', value: artifact => Number(artifact.size) },
  pushed: { label: 'Pushed', value: artifact => Date.parse(artifact.pushedAt) || 0 },
};

export async function render(main, { params, url, signal }) {
  const name = params.repository;
  const typeFilter = url.searchParams.get('type') || '';
  let query = url.searchParams.get('q') || '';
  const base = repositoryPath(name);
  document.title = name + ' · Berth';

  const typesLoading = typeCatalog().catch(() => null);
  const summaryLoading = summaryOf(name, signal).catch(() => null);
  const firstPage = getJson(withQuery('/api/v1/artifacts', { repository: name, type: typeFilter, q: query, n: PAGE_SIZE }), signal);

  const facts = h('p', { class: 'facts' });
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by type' });
  const input = h('input', { type: 'search', id: 'tag-search', name: 'q', value: query, autocomplete: 'off',
    spellcheck: 'false', placeholder: 'Tag contains…', 'aria-describedby': 'artifact-count' });
  const form = h('form', { class: 'search', role: 'search', action: base, method: 'get' },
    h('label', { for: 'tag-search' }, 'Filter tags'),
    h('div', { class: 'search-row' }, input,
      typeFilter ? h('input', { type: 'hidden', name: 'type', value: typeFilter }) : null,
      h('button', { type: 'submit' }, 'Filter')));
  const count = h('p', { class: 'result-count', id: 'artifact-count', 'aria-live': 'polite' });
  const rows = h('tbody');
  const headCells = {};
  let sort = { key: null, descending: false };
  const headerCell = (key, className) => {
    const button = h('button', { type: 'button', class: 'sort', onclick: () => sortBy(key) }, SORTS[key].label,
      h('span', { class: 'sort-glyph', 'aria-hidden': 'true' }));
    headCells[key] = h('th', { scope: 'col', class: className, 'aria-sort': 'none' }, button);
    return headCells[key];
  };
  const table = h('table', { class: 'listing artifact-list' },
    h('caption', { class: 'visually-hidden' }, 'Artifacts in ' + name),
    h('thead', {}, h('tr', {},
      headerCell('reference', 'reference'),
      h('th', { scope: 'col', class: 'icon' }, h('span', { class: 'visually-hidden' }, 'Icon')),
      headerCell('type', 'type'),
      h('th', { scope: 'col', class: 'actions-col' }, 'Actions'),
      headerCell('size', 'num'),
      headerCell('pushed', 'pushed'))),
    rows);
  const sortNote = h('p', { class: 'muted sort-note', hidden: true });
  const more = h('div', { class: 'more' });
  main.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('ol', {},
      h('li', {}, h('a', { href: '/' }, 'Repositories')),
      h('li', {}, h('a', { href: base, 'aria-current': 'page' }, name)))),
    h('h1', { class: 'repository-name' }, name),
    h('div', { class: 'pull' }, copyable(location.host + '/' + name, 'repository address')),
    facts, form, chips, count, sortNote, h('div', { class: 'table-wrap' }, table), more);

  const types = await typesLoading;
  let loaded = [];
  let hasMore = false;
  let generation = 0;

  function row(artifact) {
    const type = artifact.type || typeRef(types, 'unknown');
    const href = artifactPath(artifact.repository, artifact.tag, artifact.digest);
    const label = artifact.tag ? artifact.reference : artifact.repository + '@' + shortDigest(artifact.digest) + '…';
    const description = artifact.annotations && (artifact.annotations.title || artifact.annotations.description);
    return h('tr', { 'data-type': type.id },
      h('th', { scope: 'row', class: 'reference' },
        h('a', { href, title: artifact.tag ? artifact.digest : artifact.reference }, label),
        description ? h('span', { class: 'description' }, description) : null,
        badgeList(types, artifact.referrers, href + '#referrers')),
      h('td', { class: 'icon' }, typeIcon(type, 32)),
      h('td', { class: 'type' }, h('span', { class: 'type-title' }, type.title), platformList(artifact.platforms)),
      h('td', { class: 'actions-col' }, actionList(artifact.actions, artifact.reference)),
      h('td', { class: 'num', 'data-label': 'Size' }, formatBytes(artifact.size)),
      h('td', { class: 'pushed', 'data-label': 'Pushed' }, timeElement(artifact.pushedAt)));
  }

  function sortBy(key) {
    sort = { key, descending: sort.key === key ? !sort.descending : key === 'pushed' || key === 'size' };
    applySort();
    showCount();
  }

  function showCount() {
    const parts = [loaded.length === 0
      ? (query || typeFilter ? 'No artifact matches' : 'No artifacts')
      : formatCount(loaded.length) + (loaded.length === 1 ? ' artifact' : ' artifacts') + (hasMore ? ' shown, more to load' : '')];
    if (sort.key && loaded.length > 1) {
      parts.push('sorted by ' + SORTS[sort.key].label.toLowerCase() + (sort.descending ? ', descending' : ', ascending'));
    }
    count.textContent = parts.join(' · ');
  }

  function applySort() {
    for (const [key, cell] of Object.entries(headCells)) {
      cell.setAttribute('aria-sort', key === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    }
    if (!sort.key) {
      return;
    }
    const value = SORTS[sort.key].value;
    const ordered = loaded.map((entry, index) => ({ entry, index, value: value(entry.artifact) }));
    const direction = sort.descending ? -1 : 1;
    ordered.sort((a, b) => (a.value < b.value ? -direction : a.value > b.value ? direction : a.index - b.index));
    rows.append(...ordered.map(item => item.entry.tr));
    sortNote.hidden = !hasMore;
    sortNote.textContent = 'Sorting orders the ' + formatCount(loaded.length) + ' loaded rows; load more to sort more.';
  }

  async function load(target, reset) {
    const mine = ++generation;
    const { body, next } = await (typeof target === 'string' ? getJson(target, signal) : target);
    if (mine !== generation) {
      return;
    }
    if (reset) {
      rows.replaceChildren();
      loaded = [];
    }
    const artifacts = body.artifacts || [];
    const added = artifacts.map(artifact => ({ artifact, tr: row(artifact) }));
    loaded.push(...added);
    rows.append(...added.map(entry => entry.tr));
    if (reset) {
      performance.mark('berth:first-rows');
    }
    hasMore = Boolean(next);
    applySort();
    table.hidden = loaded.length === 0;
    showCount();
    replace(more, next ? loadMoreButton('Load more artifacts', () => load(next, false).catch(showError)) : []);
  }

  function showError(error) {
    if (!signal.aborted) {
      replace(more,message('Could not load: ' + error.message, 'error'));
    }
  }

  let timer = 0;
  function search(immediately) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const value = input.value.trim();
      if (value === query) {
        return;
      }
      query = value;
      history.replaceState(null, '', withQuery(base, { type: typeFilter, q: query }));
      drawChips(lastSummary);
      load(withQuery('/api/v1/artifacts', { repository: name, type: typeFilter, q: query, n: PAGE_SIZE }), true).catch(showError);
    }, immediately ? 0 : SEARCH_DELAY_MS);
  }
  input.addEventListener('input', () => search(false));
  form.addEventListener('submit', event => {
    event.preventDefault();
    search(true);
  });
  signal.addEventListener('abort', () => clearTimeout(timer));

  let lastSummary = null;
  function drawChips(summary) {
    const counts = Object.entries(summary ? summary.artifacts || {} : {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (typeFilter && !counts.some(([id]) => id === typeFilter)) {
      counts.unshift([typeFilter, 0]);
    }
    replace(chips,
      chip(withQuery(base, { q: query }), { title: 'All types', current: !typeFilter }),
      counts.map(([id, n]) => chip(withQuery(base, { q: query, type: id }),
        { type: typeRef(types, id), title: typeRef(types, id).title, count: n, current: id === typeFilter })));
  }

  try {
    await load(firstPage, true);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new ApiError(404, 'NAME_UNKNOWN', 'There is no repository named ' + name + '.');
    }
    throw error;
  }
  lastSummary = await summaryLoading;
  drawChips(lastSummary);
  if (lastSummary) {
    const total = Object.values(lastSummary.artifacts || {}).reduce((sum, n) => sum + Number(n), 0);
    replace(facts,
      h('span', {}, formatCount(total) + (total === 1 ? ' artifact' : ' artifacts')),
      h('span', {}, formatBytes(lastSummary.size)),
      h('span', {}, 'last push ', timeElement(lastSummary.lastPush)));
  } else if (loaded.length === 0 && !query && !typeFilter) {
    throw new ApiError(404, 'NAME_UNKNOWN', 'There is no repository named ' + name + '.');
  }
}

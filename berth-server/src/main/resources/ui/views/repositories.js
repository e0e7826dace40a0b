// / : every repository with its artifact counts per type, last push and size; searchable, filtered by type, paged.
import { getJson, typeCatalog, typeRef, PAGE_SIZE } from '../api.js';
import { h, replace, loadMoreButton, chip, formatBytes, formatCount, message, repositoryPath, timeElement, typeIcon, withQuery } from '../dom.js';

const SEARCH_DELAY_MS = 250;

export async function render(main, { url, signal }) {
  let query = url.searchParams.get('q') || '';
  const typeFilter = url.searchParams.get('type') || '';
  document.title = 'Repositories · Berth';

  const input = h('input', { type: 'search', id: 'repository-search', name: 'q', value: query, autocomplete: 'off',
    spellcheck: 'false', placeholder: 'Name contains…', 'aria-describedby': 'repository-count' });
  const form = h('form', { class: 'search', role: 'search', action: '/', method: 'get' },
    h('label', { for: 'repository-search' }, 'Search repositories'),
    h('div', { class: 'search-row' }, input,
      typeFilter ? h('input', { type: 'hidden', name: 'type', value: typeFilter }) : null,
      h('button', { type: 'submit' }, 'Search')));
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by type' });
  const count = h('p', { class: 'result-count', id: 'repository-count', 'aria-live': 'polite' });
  const rows = h('tbody');
  const table = h('table', { class: 'listing repository-list' },
    h('caption', { class: 'visually-hidden' }, 'Repositories'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Name'),
      h('th', { scope: 'col' }, 'Artifacts'),
      h('th', { scope: 'col' }, 'Last push'),
      h('th', { scope: 'col', class: 'num' }, 'Size'))),
    rows);
  const more = h('div', { class: 'more' });
  main.append(h('h1', {}, 'Repositories'), form, chips, count, h('div', { class: 'table-wrap' }, table), more);

  // the catalog and the first page in parallel: one round trip before the first rows paint
  const typesLoading = typeCatalog().catch(() => null);
  const firstPage = getJson(withQuery('/api/v1/repositories', { q: query, type: typeFilter, n: PAGE_SIZE }), signal);
  const types = await typesLoading;
  let totals = new Map();
  let shown = 0;
  let generation = 0;

  function drawChips(hasMore) {
    const entries = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (typeFilter && !totals.has(typeFilter)) {
      entries.unshift([typeFilter, 0]);
    }
    replace(chips,
      chip(withQuery('/', { q: query }), { title: 'All types', current: !typeFilter }),
      entries.map(([id, total]) => chip(withQuery('/', { q: query, type: id }),
        { type: typeRef(types, id), title: typeRef(types, id).title, count: total, more: hasMore, current: id === typeFilter })));
  }

  function row(repository) {
    const href = repositoryPath(repository.name);
    const counts = Object.entries(repository.artifacts || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return h('tr', {},
      h('th', { scope: 'row', class: 'name' }, h('a', { href }, repository.name)),
      h('td', { 'data-label': 'Artifacts' }, h('ul', { class: 'type-counts' }, counts.map(([id, n]) => {
        const type = typeRef(types, id);
        return h('li', {}, h('a', { href: withQuery(href, { type: id }), class: 'type-count' },
          typeIcon(type, 18), h('span', { class: 'type-count-title' }, type.title), h('span', { class: 'count' }, formatCount(n))));
      }))),
      h('td', { 'data-label': 'Last push' }, timeElement(repository.lastPush)),
      h('td', { 'data-label': 'Size', class: 'num' }, formatBytes(repository.size)));
  }

  async function load(target, reset) {
    const mine = ++generation;
    const { body, next } = await (typeof target === 'string' ? getJson(target, signal) : target);
    if (mine !== generation) {
      return;
    }
    if (reset) {
      rows.replaceChildren();
      totals = new Map();
      shown = 0;
    }
    const repositories = body.repositories || [];
    for (const repository of repositories) {
      for (const [id, n] of Object.entries(repository.artifacts || {})) {
        totals.set(id, (totals.get(id) || 0) + Number(n));
      }
    }
    rows.append(...repositories.map(row));
    shown += repositories.length;
    if (reset) {
      performance.mark('berth:first-rows');
    }
    drawChips(Boolean(next));
    table.hidden = shown === 0;
    count.textContent = shown === 0
      ? (query || typeFilter ? 'No repository matches' : 'No repositories yet: push an artifact to see it here')
      : formatCount(shown) + (shown === 1 ? ' repository' : ' repositories') + (next ? ' shown, more to load' : '');
    replace(more, next ? loadMoreButton('Load more repositories', () => load(next, false).catch(showError)) : []);
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
      history.replaceState(null, '', withQuery('/', { q: query, type: typeFilter }));
      load(withQuery('/api/v1/repositories', { q: query, type: typeFilter, n: PAGE_SIZE }), true).catch(showError);
    }, immediately ? 0 : SEARCH_DELAY_MS);
  }
  input.addEventListener('input', () => search(false));
  form.addEventListener('submit', event => {
    event.preventDefault();
    search(true);
  });
  signal.addEventListener('abort', () => clearTimeout(timer));

  await load(firstPage, true);
}

// /types : the artifact type catalog — icon, title, description, detection rules, actions and where each type came
// from (built in, or a type file in the types directory), with the problems found in type files.
import { typeCatalog } from '../api.js';
import { h, append, externalLink, formatCount, message } from '../dom.js';

const TIERS = {
  ArtifactTypeIs: 'artifactType is',
  ConfigMediaTypeIs: 'config.mediaType is',
  LayerMediaTypeIs: 'a layer’s mediaType is',
  ManifestMediaTypeIs: 'the manifest’s mediaType is',
};

const SCOPES = { MANIFEST: 'manifest', CONFIG: 'config', LAYER: 'a layer', CHILD: 'an index child' };

/** One detection condition in words, with media types and keys as code. */
function condition(match) {
  const codes = values => values.flatMap((value, i) => [i ? ' or ' : '', h('code', {}, value)]);
  switch (match.kind) {
    case 'ArtifactTypeIs':
    case 'ConfigMediaTypeIs':
    case 'LayerMediaTypeIs':
    case 'ManifestMediaTypeIs':
      return [TIERS[match.kind] + ' ', codes(match.mediaTypes || [])];
    case 'LayerMediaTypePrefix':
      return ['a layer’s mediaType starts with ', h('code', {}, match.prefix)];
    case 'AnnotationIs':
      return [(SCOPES[match.scope] || String(match.scope).toLowerCase()) + ' annotation ', h('code', {}, match.key),
        match.value ? [' is ', h('code', {}, match.value)] : ' is present'];
    case 'ChildrenHavePlatforms':
      return ['an index whose children have platforms'];
    default: {
      const { kind, ...rest } = match;
      return [String(kind), ' ', h('code', {}, JSON.stringify(rest))];
    }
  }
}

function detection(rules) {
  if (!rules || rules.length === 0) {
    return h('p', { class: 'muted' }, 'Never detected (the fallback type).');
  }
  return h('ul', { class: 'rules' }, rules.map((rule, i) => h('li', {},
    i ? h('span', { class: 'rule-or' }, 'or ') : null,
    rule.flatMap((match, j) => [j ? h('span', { class: 'rule-and' }, ' and ') : null, condition(match)]))));
}

function sourceLabel(source) {
  return source === 'built-in' ? 'Built in' : source;
}

function typeCard(type) {
  const actions = type.actions || [];
  const links = type.links || [];
  return h('li', { class: 'type-card', id: 'type-' + type.id, 'data-type': type.id },
    h('div', { class: 'type-card-head' },
      h('img', { class: 'type-icon', src: type.icon, alt: '', width: 48, height: 48, loading: 'lazy', decoding: 'async' }),
      h('div', {},
        h('h2', {}, type.title),
        h('p', { class: 'type-id' }, h('code', {}, type.id), ' · ',
          h('span', { class: 'source' + (type.source === 'built-in' ? '' : ' source-file') }, sourceLabel(type.source))))),
    type.description ? h('p', { class: 'description' }, type.description) : null,
    h('dl', { class: 'type-facts' },
      h('div', {}, h('dt', {}, 'Detected when'), h('dd', {}, detection(type.detection))),
      h('div', {}, h('dt', {}, 'Actions'), h('dd', {}, actions.length === 0 ? h('span', { class: 'muted' }, 'none')
        : h('ul', { class: 'action-templates' }, actions.map(action => h('li', {},
          h('span', { class: 'action-title' }, action.title), ' ', h('code', {}, action.command),
          action.untagged ? [h('br'), h('span', { class: 'muted' }, 'untagged: '), h('code', {}, action.untagged)] : null))))),
      h('div', {}, h('dt', {}, 'Scanner'), h('dd', {}, type.scanner || 'none')),
      type.moreInfo || links.length ? h('div', {}, h('dt', {}, 'Links'), h('dd', {}, h('ul', { class: 'links' },
        type.moreInfo ? h('li', {}, externalLink(type.moreInfo, 'More information')) : null,
        links.map(link => h('li', {}, externalLink(link.url, link.title)))))) : null));
}

export async function render(main, { url }) {
  document.title = 'Artifact types · Berth';
  const catalog = await typeCatalog(true);
  const types = catalog.types;
  const problems = catalog.problems;

  const bySource = new Map();
  for (const type of types) {
    bySource.set(type.source, (bySource.get(type.source) || 0) + 1);
  }
  const sources = [...bySource.entries()].sort((a, b) => (a[0] === 'built-in' ? -1 : b[0] === 'built-in' ? 1 : a[0].localeCompare(b[0])));

  const input = h('input', { type: 'search', id: 'type-search', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Title, id or media type…', value: url.searchParams.get('q') || '' });
  const count = h('p', { class: 'result-count', 'aria-live': 'polite' });
  const list = h('ul', { class: 'type-cards' }, types.map(typeCard));
  const text = types.map(type => JSON.stringify([type.id, type.title, type.description, type.detection]).toLowerCase());

  function filter() {
    const needle = input.value.trim().toLowerCase();
    let shown = 0;
    [...list.children].forEach((card, i) => {
      card.hidden = needle !== '' && !text[i].includes(needle);
      shown += card.hidden ? 0 : 1;
    });
    count.textContent = needle ? formatCount(shown) + ' of ' + formatCount(types.length) + ' types match.' : '';
  }
  input.addEventListener('input', filter);

  append(main, [
    h('h1', {}, 'Artifact types'),
    h('p', { class: 'lead' }, formatCount(types.length) + ' types. Berth types every manifest when it is pushed, from the manifest alone; ',
      'type files in the types directory add types or override built-in ones and are picked up while the registry runs.'),
    h('section', { class: 'panel sources', 'aria-labelledby': 'sources-heading' },
      h('h2', { id: 'sources-heading' }, 'Where the types come from'),
      h('ul', { class: 'source-list' }, sources.map(([source, n]) => h('li', {},
        h('span', { class: 'source' + (source === 'built-in' ? '' : ' source-file') }, sourceLabel(source)), ' ',
        h('span', { class: 'count' }, formatCount(n) + (n === 1 ? ' type' : ' types')))))),
    problems.length === 0 ? null : h('section', { class: 'panel problems', role: 'alert', 'aria-labelledby': 'problems-heading' },
      h('h2', { id: 'problems-heading' }, problems.length === 1 ? '1 problem in type files' : problems.length + ' problems in type files'),
      h('ul', {}, problems.map(problem => h('li', {},
        h('code', {}, problem.file + (problem.line > 0 ? ':' + problem.line + (problem.column > 0 ? ':' + problem.column : '') : '')),
        ' ', problem.message)))),
    h('div', { class: 'search' }, h('label', { for: 'type-search' }, 'Filter types'), h('div', { class: 'search-row' }, input)),
    count,
    types.length === 0 ? message('The catalog is empty.') : list]);
  filter();
}

// /storage : for the registry's operators — what the content takes per repository, per type and per namespace,
// against their quotas (GET /api/v1/admin/storage), the last garbage collections (GET /api/v1/admin/gc) and a dry run
// of one (POST /api/v1/admin/gc?dryRun=true), and what the retention policies would delete now and why
// (GET /api/v1/admin/retention/preview). Others get a note; the header shows them no link here.
import { adminJson, ApiError, typeCatalog, typeRef } from '../api.js';
import { h, replace, formatBytes, formatCount, message, repositoryPath, section, timeElement, typeIcon } from '../dom.js';
import * as session from '../session.js';

const POLL_MS = 1000;
const POLL_LIMIT = 120;

/** Bytes as people read them, the exact figure as the tooltip and for scripts. */
function bytes(value) {
  return h('span', { class: 'bytes', title: formatCount(value) + ' bytes', 'data-bytes': String(value) }, formatBytes(value));
}

function duration(seconds) {
  if (seconds % 86400 === 0) {
    return formatCount(seconds / 86400) + (seconds === 86400 ? ' day' : ' days');
  }
  if (seconds % 3600 === 0) {
    return formatCount(seconds / 3600) + (seconds === 3600 ? ' hour' : ' hours');
  }
  if (seconds % 60 === 0) {
    return formatCount(seconds / 60) + (seconds === 60 ? ' minute' : ' minutes');
  }
  return formatCount(seconds) + (seconds === 1 ? ' second' : ' seconds');
}

function summary(usage) {
  const uploads = usage.uploads || {};
  return h('dl', { class: 'storage-summary' },
    h('div', {}, h('dt', {}, 'Stored'), h('dd', { id: 'total-bytes' }, bytes(usage.total.bytes))),
    h('div', {}, h('dt', {}, 'Blobs'), h('dd', { id: 'total-blobs' }, formatCount(usage.total.blobs))),
    h('div', {}, h('dt', {}, 'Uploads open'), h('dd', { id: 'uploads-open' }, formatCount(uploads.open || 0))),
    uploads.expireAfterSeconds ? h('div', {}, h('dt', {}, 'Idle uploads expire after'),
      h('dd', { id: 'uploads-expiry' }, duration(uploads.expireAfterSeconds))) : null);
}

/**
 * A quota's use: "1.2 GiB of 10 GiB" and "5 of 100 manifests", each with a meter, and the rule it comes from;
 * "No quota" when none applies.
 */
function quotaCell(used, quota) {
  if (!quota) {
    return h('span', { class: 'muted no-quota' }, 'No quota');
  }
  const limits = [];
  if (quota.maxBytes !== null && quota.maxBytes !== undefined) {
    limits.push(h('span', { class: 'quota-bytes', 'data-used': String(used.bytes), 'data-max': String(quota.maxBytes) },
      meter(used.bytes, quota.maxBytes), ' ', bytes(used.bytes), ' of ', bytes(quota.maxBytes)));
  }
  if (quota.maxManifests !== null && quota.maxManifests !== undefined) {
    limits.push(h('span', { class: 'quota-manifests', 'data-used': String(used.manifests), 'data-max': String(quota.maxManifests) },
      meter(used.manifests, quota.maxManifests), ' ', formatCount(used.manifests) + ' of ' + formatCount(quota.maxManifests)
        + ' manifests'));
  }
  return h('div', { class: 'quota', 'data-rule': quota.rule }, limits.flatMap((limit, i) => i === 0 ? [limit] : [h('br'), limit]),
    ' ', h('span', { class: 'muted quota-rule' }, '(' + quota.rule + ')'));
}

function meter(value, max) {
  const over = value > max;
  return h('meter', { min: '0', max: String(Math.max(max, 1)), value: String(Math.min(value, Math.max(max, 1))),
    high: String(Math.max(max, 1) * 0.9), class: over ? 'over' : null, title: over ? 'over the quota' : null });
}

function namespaceTable(usage) {
  const namespaces = [...(usage.namespaces || [])].sort((a, b) => b.bytes - a.bytes || a.namespace.localeCompare(b.namespace));
  if (namespaces.length === 0) {
    return message('Nothing stored yet.');
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'listing namespace-list' },
    h('caption', { class: 'visually-hidden' }, 'Storage by namespace'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Namespace'),
      h('th', { scope: 'col', class: 'num' }, 'Manifests'),
      h('th', { scope: 'col', class: 'num' }, 'Size'),
      h('th', { scope: 'col' }, 'Quota'))),
    h('tbody', {}, namespaces.map(namespace => h('tr', { 'data-namespace': namespace.namespace },
      h('th', { scope: 'row', class: 'name' }, namespace.namespace),
      h('td', { class: 'num manifests', 'data-label': 'Manifests' }, formatCount(namespace.manifests)),
      h('td', { class: 'num size', 'data-label': 'Size' }, bytes(namespace.bytes)),
      h('td', { class: 'quota-cell', 'data-label': 'Quota' }, quotaCell(namespace, namespace.quota)))))));
}

function usageTable(usage, types) {
  const repositories = [...usage.repositories].sort((a, b) => b.bytes - a.bytes || a.repository.localeCompare(b.repository));
  if (repositories.length === 0) {
    return message('Nothing stored yet: push an artifact to see it here.');
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'listing usage-list' },
    h('caption', { class: 'visually-hidden' }, 'Storage by repository'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Repository'),
      h('th', { scope: 'col', class: 'num' }, 'Artifacts'),
      h('th', { scope: 'col', class: 'num' }, 'Size'),
      h('th', { scope: 'col' }, 'By type'),
      h('th', { scope: 'col' }, 'Quota'))),
    h('tbody', {}, repositories.map(repository => h('tr', { 'data-repository': repository.repository },
      h('th', { scope: 'row', class: 'name' }, h('a', { href: repositoryPath(repository.repository) }, repository.repository)),
      h('td', { class: 'num artifacts', 'data-label': 'Artifacts' }, formatCount(repository.artifacts)),
      h('td', { class: 'num size', 'data-label': 'Size' }, bytes(repository.bytes),
        repository.unreferencedBytes > 0 ? h('span', { class: 'muted unreferenced' }, ' (', bytes(repository.unreferencedBytes),
          ' in no manifest)') : null),
      h('td', { 'data-label': 'By type' }, h('ul', { class: 'type-usage' }, (repository.byType || []).map(usageOfType => {
        const type = typeRef(types, usageOfType.type);
        return h('li', { 'data-type': usageOfType.type },
          typeIcon(type, 18), h('span', { class: 'type-usage-title' }, type.title), ' ',
          h('span', { class: 'count' }, formatCount(usageOfType.artifacts)), ' · ', bytes(usageOfType.bytes));
      }))),
      h('td', { class: 'quota-cell', 'data-label': 'Quota' }, quotaCell(repository, repository.quota)))))));
}

function phases(run) {
  const list = run.phases || [];
  return list.length === 0 ? '' : list.map(phase => phase.name + ' ' + formatCount(phase.millis) + ' ms').join(', ');
}

const STATUS = { running: 'Running', done: 'Done', failed: 'Failed' };

function runRow(run) {
  return h('tr', { 'data-run': String(run.id) },
    h('td', { 'data-label': 'Started' }, timeElement(run.startedAt)),
    h('td', { 'data-label': 'Mode' }, run.dryRun ? 'Dry run' : 'Collection'),
    h('td', { 'data-label': 'Status', class: 'status status-' + run.status, title: phases(run) },
      STATUS[run.status] || String(run.status), run.error ? h('span', { class: 'run-error' }, ': ' + run.error) : null),
    h('td', { class: 'num', 'data-label': 'Blobs examined' }, formatCount(run.blobsExamined || 0)),
    h('td', { class: 'num', 'data-label': 'Blobs deleted' }, formatCount(run.blobsDeleted || 0)),
    h('td', { class: 'num', 'data-label': 'Freed' }, bytes(run.bytesFreed || 0)),
    h('td', { class: 'num', 'data-label': 'Links deleted' }, formatCount(run.linksDeleted || 0)),
    h('td', { class: 'num', 'data-label': 'Orphan files' }, formatCount(run.orphanFilesDeleted || 0)),
    h('td', { class: 'num', 'data-label': 'Missing files' }, formatCount(run.missingFiles || 0)));
}

function runsTable(runs) {
  if (runs.length === 0) {
    return message('No collections yet.', 'empty gc-empty');
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'listing gc-runs' },
    h('caption', { class: 'visually-hidden' }, 'Garbage collection runs'),
    h('thead', {}, h('tr', {},
      ['Started', 'Mode', 'Status'].map(title => h('th', { scope: 'col' }, title)),
      ['Blobs examined', 'Blobs deleted', 'Freed', 'Links deleted', 'Orphan files', 'Missing files']
        .map(title => h('th', { scope: 'col', class: 'num' }, title)))),
    h('tbody', {}, runs.map(runRow))));
}

/** The runs, or none where the registry has no collector (its route answers 404). */
async function loadRuns(signal) {
  try {
    const body = await adminJson('/api/v1/admin/gc', { signal });
    return Array.isArray(body.runs) ? body.runs : [];
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return [];
    }
    throw error;
  }
}

function report(run) {
  const verb = run.dryRun ? 'would delete' : 'deleted';
  return h('div', { class: 'gc-report-body', 'data-status': run.status },
    h('p', {}, h('strong', {}, (run.dryRun ? 'Dry run ' : 'Collection ') + (STATUS[run.status] || run.status).toLowerCase()),
      run.status === 'running' ? '…' : ': ' + verb + ' ' + formatCount(run.blobsDeleted || 0) + ' of '
        + formatCount(run.blobsExamined || 0) + ' blobs examined, freeing ', run.status === 'running' ? null : bytes(run.bytesFreed || 0),
      run.status === 'running' ? null : '; ' + formatCount(run.linksDeleted || 0) + ' links, '
        + formatCount(run.orphanFilesDeleted || 0) + ' files without a blob, ' + formatCount(run.missingFiles || 0) + ' missing files.'),
    phases(run) ? h('p', { class: 'muted' }, 'Phases: ' + phases(run)) : null,
    run.error ? h('p', { class: 'error' }, run.error) : null);
}

/** The retention preview, or null where the registry has no retention API (its route answers 404). */
async function loadRetention(signal) {
  try {
    return await adminJson('/api/v1/admin/retention/preview', { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  }
}

function retentionTable(preview, types) {
  if (!preview) {
    return message('This registry has no retention policies.', 'empty retention-empty');
  }
  if (preview.policies === 0) {
    return message('No retention policies are configured (retention.policies in the configuration file).',
      'empty retention-empty');
  }
  const deletions = preview.deletions || [];
  if (deletions.length === 0) {
    return message('The ' + formatCount(preview.policies) + (preview.policies === 1 ? ' policy deletes' : ' policies delete')
      + ' nothing now (' + formatCount(preview.repositoriesExamined) + ' repositories examined).', 'empty retention-empty');
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'listing retention-preview' },
    h('caption', { class: 'visually-hidden' }, 'What the retention policies would delete'),
    h('thead', {}, h('tr', {}, ['Repository', 'Tag or digest', 'Type', 'Policy', 'Rule', 'Why']
      .map(title => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, deletions.map(deletion => {
      const type = typeRef(types, deletion.type);
      return h('tr', { 'data-repository': deletion.repository, 'data-kind': deletion.tag === null ? 'manifest' : 'tag' },
        h('td', { 'data-label': 'Repository' }, h('a', { href: repositoryPath(deletion.repository) }, deletion.repository)),
        h('td', { 'data-label': 'Tag or digest', class: 'name' },
          deletion.tag === null ? h('code', { title: deletion.digest }, deletion.digest.slice(0, 19) + '…') : deletion.tag),
        h('td', { 'data-label': 'Type', 'data-type': deletion.type }, typeIcon(type, 18), ' ', type.title),
        h('td', { 'data-label': 'Policy', class: 'policy' }, deletion.policy),
        h('td', { 'data-label': 'Rule', class: 'rule' }, deletion.rule),
        h('td', { 'data-label': 'Why', class: 'reason' }, deletion.reason));
    }))));
}

export async function render(main, { signal }) {
  document.title = 'Storage · Berth';
  main.append(h('h1', {}, 'Storage'));
  if (!session.isAdmin()) {
    main.append(message(session.current()
      ? 'Only the registry’s operators can see its storage, and ' + session.current().user + ' is not one.'
      : 'Only the registry’s operators can see its storage. Sign in as one to see it.', 'empty not-admin'));
    return;
  }
  const typesLoading = typeCatalog().catch(() => null);
  const [usage, runs, types, retention] = await Promise.all([adminJson('/api/v1/admin/storage', { signal }),
    loadRuns(signal), typesLoading, loadRetention(signal)]);

  const runsPlace = h('div', { id: 'gc-runs' }, runsTable(runs));
  const reportPlace = h('div', { id: 'gc-report', role: 'status', 'aria-live': 'polite' });
  const dryRun = h('button', { type: 'button', id: 'gc-dry-run' }, 'Run collection (dry run)');
  dryRun.addEventListener('click', () => runDry().catch(error => {
    if (!signal.aborted) {
      replace(reportPlace, message(error instanceof ApiError && error.status === 404
        ? 'This registry has no garbage collector yet.' : 'The dry run failed: ' + error.message, 'error'));
    }
  }).finally(() => {
    dryRun.disabled = false;
  }));

  async function runDry() {
    dryRun.disabled = true;
    replace(reportPlace, h('p', {}, 'Running a dry run…'));
    const answer = await adminJson('/api/v1/admin/gc?dryRun=true', { method: 'POST', signal });
    let run = Array.isArray(answer.runs) ? answer.runs[0] : answer;
    for (let polls = 0; run && run.status === 'running' && polls < POLL_LIMIT && !signal.aborted; polls++) {
      replace(reportPlace, report(run));
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
      const latest = (await loadRuns(signal)).find(candidate => candidate.id === run.id);
      run = latest || run;
    }
    replace(reportPlace, report(run));
    replace(runsPlace, runsTable(await loadRuns(signal)));
  }

  main.append(
    h('p', { class: 'lead' }, 'What the registry’s content takes. A blob that several repositories share counts once in ',
      'the total and fully in each repository that links it, and in each type there that references it; manifests ',
      'live in the database and are not counted.'),
    summary(usage),
    section('Usage by repository', 'usage', usageTable(usage, types)),
    section('Usage by namespace', 'namespaces',
      h('p', {}, 'A namespace is the first segment of repository names (team of team/app). A blob that several of ',
        'its repositories share counts once here; quotas on namespaces compare these figures with their limits.'),
      namespaceTable(usage)),
    section('Garbage collection', 'gc',
      h('p', {}, 'The last collections. A dry run reports what a collection would delete, and deletes nothing.'),
      h('div', { class: 'form-actions gc-actions' }, dryRun), reportPlace, runsPlace),
    section('Retention', 'retention',
      h('p', {}, 'What the retention policies would delete if they ran now, and why. Nothing is deleted here: ',
        'a run (on its schedule, or POST /api/v1/admin/retention) deletes exactly this, except what changes meanwhile.'),
      h('div', { id: 'retention-preview' }, retentionTable(retention, types))));
}

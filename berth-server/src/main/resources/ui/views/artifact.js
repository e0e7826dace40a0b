// /r/<repository>:<tag> and /r/<repository>@<digest> : one artifact in full — type, actions, index children with
// their own types, the referrers tree, config, layers with download links, annotations and the manifest itself.
import { ApiError, getJson, typeCatalog } from '../api.js';
import * as session from '../session.js';
import {
  announce, h, append, artifactPath, blobUrl, copyable, formatBytes, message, repositoryPath, section, shortDigest, timeElement,
  typeIcon, withQuery,
} from '../dom.js';
import { actionList, badgeList, platformList } from './repository.js';

export async function render(main, { params, signal }) {
  const { repository, reference } = params;
  const byDigest = reference.includes(':');
  const shown = repository + (byDigest ? '@' : ':') + reference;
  document.title = shown + ' · Berth';

  const typesLoading = typeCatalog().catch(() => null);
  let artifact;
  try {
    artifact = (await getJson(withQuery('/api/v1/artifact', { repository, reference }), signal)).body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new ApiError(404, error.code, 'There is no artifact ' + shown + ' in this registry.');
    }
    throw error;
  }
  const types = await typesLoading;
  const type = artifact.type || { id: 'unknown', title: 'Unknown', icon: '/api/v1/types/unknown/icon.svg' };
  const annotations = artifact.annotations || {};

  append(main, [
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('ol', {},
      h('li', {}, h('a', { href: '/' }, 'Repositories')),
      h('li', {}, h('a', { href: repositoryPath(repository) }, repository)),
      h('li', {}, h('a', { href: artifactPath(repository, byDigest ? null : reference, reference), 'aria-current': 'page' },
        byDigest ? '@' + shortDigest(reference) + '…' : ':' + reference)))),
    h('header', { class: 'artifact-header' },
      typeIcon(type, 56),
      h('div', {},
        h('h1', { class: 'artifact-reference' }, shown),
        h('p', { class: 'artifact-type' }, h('a', { href: '/types#type-' + type.id }, type.title),
          platformList(artifact.platforms)),
        annotations.title || annotations.description
          ? h('p', { class: 'description' }, [annotations.title, annotations.description].filter(Boolean).join(' — ')) : null,
        badgeList(types, artifact.referrers, '#referrers'))),
    facts(artifact),
    section('Actions', 'actions', actionList(artifact.actions, shown, Infinity)),
    children(artifact, repository),
    section('Referrers', 'referrers', referrerTree(artifact.referrerTree, repository)),
    configSection(artifact, repository),
    layersSection(artifact, repository),
    annotationsSection(artifact.allAnnotations),
    manifestSection(artifact)]);
}

function facts(artifact) {
  const tags = artifact.tags || [];
  const entries = [
    ['Digest', copyable(artifact.digest, 'digest', 'digest')],
    ['Media type', h('code', {}, artifact.mediaType)],
    artifact.artifactType ? ['Artifact type', h('code', {}, artifact.artifactType)] : null,
    ['Tags', tags.length === 0 ? h('span', { class: 'muted' }, 'untagged')
      : h('ul', { class: 'tags' }, tags.map(tag => h('li', {}, h('a', { href: artifactPath(artifact.repository, tag) }, tag))))],
    ['Size', h('span', { title: artifact.size + ' bytes' }, formatBytes(artifact.size))],
    ['Pushed', timeElement(artifact.pushedAt)],
    artifact.annotations && artifact.annotations.version ? ['Version', artifact.annotations.version] : null,
    artifact.annotations && artifact.annotations.created ? ['Created', artifact.annotations.created] : null,
  ].filter(Boolean);
  return h('dl', { class: 'facts-list' }, entries.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}

function children(artifact, repository) {
  const entries = artifact.children || [];
  if (entries.length === 0) {
    return null;
  }
  return section('Index children', 'children', h('div', { class: 'table-wrap' }, h('table', { class: 'listing compact children' },
    h('caption', { class: 'visually-hidden' }, 'Manifests in this index'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Platform'),
      h('th', { scope: 'col' }, 'Type'),
      h('th', { scope: 'col' }, 'Digest'),
      h('th', { scope: 'col', class: 'num' }, 'Size'))),
    h('tbody', {}, entries.map(child => h('tr', {},
      h('th', { scope: 'row' }, child.platform || h('span', { class: 'muted' }, 'no platform')),
      h('td', { 'data-label': 'Type' }, child.type
        ? h('span', { class: 'type-inline' }, typeIcon(child.type, 20), child.type.title)
        : h('span', { class: 'muted' }, 'not in this repository')),
      h('td', { 'data-label': 'Digest' }, h('a', { href: artifactPath(repository, null, child.digest), class: 'mono', title: child.digest },
        shortDigest(child.digest) + '…')),
      h('td', { class: 'num', 'data-label': 'Size' }, formatBytes(child.totalSize !== undefined ? child.totalSize : child.size))))))));
}

function referrerTree(nodes, repository) {
  if (!nodes || nodes.length === 0) {
    return message('Nothing refers to this artifact (no signatures, SBOMs or attestations).');
  }
  return h('ul', { class: 'tree' }, nodes.map(node => referrerNode(node, repository)));
}

function referrerNode(node, repository) {
  const type = node.type || { id: 'unknown', title: 'Unknown' };
  const nested = node.referrerTree || [];
  return h('li', { class: 'tree-node', 'data-type': type.id },
    h('div', { class: 'tree-item' },
      typeIcon(type, 24),
      h('span', { class: 'tree-type' }, type.title),
      h('a', { href: artifactPath(node.repository || repository, node.tag, node.digest), class: 'mono', title: node.digest },
        node.tag ? ':' + node.tag : '@' + shortDigest(node.digest) + '…'),
      node.artifactType ? h('code', { class: 'tree-artifact-type' }, node.artifactType) : null,
      h('span', { class: 'muted' }, formatBytes(node.size)),
      h('span', { class: 'muted' }, timeElement(node.pushedAt))),
    nested.length ? h('ul', { class: 'tree' }, nested.map(child => referrerNode(child, repository))) : null);
}

function descriptorRows(descriptors, repository) {
  return descriptors.map(descriptor => h('tr', {},
    h('th', { scope: 'row' }, h('code', {}, descriptor.mediaType),
      descriptor.annotations && descriptor.annotations['org.opencontainers.image.title']
        ? h('span', { class: 'description' }, descriptor.annotations['org.opencontainers.image.title']) : null),
    h('td', { class: 'num', 'data-label': 'Size' }, h('span', { title: descriptor.size + ' bytes' }, formatBytes(descriptor.size))),
    h('td', { 'data-label': 'Digest' }, h('code', { class: 'mono', title: descriptor.digest }, shortDigest(descriptor.digest) + '…')),
    h('td', { class: 'download' }, h('a', { href: blobUrl(repository, descriptor.digest), download: '',
      'aria-label': 'Download ' + descriptor.mediaType + ' ' + shortDigest(descriptor.digest),
      onclick: event => download(event, repository, descriptor.digest) }, 'Download'))));
}

/**
 * Signed in, a download needs the token too, which a plain link cannot send: the blob is fetched with a pull token for
 * the repository and saved from memory. Without a session the link is followed as it is.
 */
async function download(event, repository, digest) {
  if (!session.current()) {
    return;
  }
  event.preventDefault();
  const link = event.currentTarget;
  if (link.getAttribute('aria-busy') === 'true') {
    return;
  }
  link.setAttribute('aria-busy', 'true');
  try {
    const authorization = await session.pullAuthorization(repository);
    const response = await fetch(link.href, { headers: authorization ? { Authorization: authorization } : {},
      credentials: 'omit', cache: 'no-store' });
    if (!response.ok) {
      throw new Error('the registry answered ' + response.status);
    }
    const saved = URL.createObjectURL(await response.blob());
    const save = document.createElement('a');
    save.href = saved;
    save.download = digest.replace(':', '-');
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(saved), 60000);
    announce('Downloaded ' + shortDigest(digest));
  } catch (error) {
    announce('Could not download ' + shortDigest(digest) + ': ' + (error && error.message || error));
  } finally {
    link.removeAttribute('aria-busy');
  }
}

function descriptorTable(caption, descriptors, repository) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'listing compact descriptors' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Media type'),
      h('th', { scope: 'col', class: 'num' }, 'Size'),
      h('th', { scope: 'col' }, 'Digest'),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Download')))),
    h('tbody', {}, descriptorRows(descriptors, repository))));
}

function configSection(artifact, repository) {
  if (!artifact.config) {
    return null;
  }
  return section('Config', 'config', descriptorTable('Config', [artifact.config], repository));
}

function layersSection(artifact, repository) {
  const layers = artifact.layers || [];
  if (layers.length === 0 && artifact.children && artifact.children.length) {
    return null;
  }
  return section('Layers', 'layers', layers.length === 0 ? message('No layers.')
    : descriptorTable('Layers', layers, repository));
}

function annotationsSection(annotations) {
  const entries = Object.entries(annotations || {});
  return section('Annotations', 'annotations', entries.length === 0 ? message('No annotations.')
    : h('dl', { class: 'annotations' }, entries.map(([key, value]) => h('div', {}, h('dt', {}, h('code', {}, key)), h('dd', {}, value)))));
}

function manifestSection(artifact) {
  const json = JSON.stringify(artifact.manifest, null, 2);
  return section('Manifest', 'manifest',
    h('p', { class: 'manifest-digest' }, copyable(artifact.digest, 'manifest digest', 'digest')),
    h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Manifest JSON' }, h('code', {}, json)));
}

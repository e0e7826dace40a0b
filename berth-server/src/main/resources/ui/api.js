// The JSON API (/api/v1/): the only thing the UI reads, so it shows nothing a caller could not read there.

import * as session from './session.js';

export const PAGE_SIZE = 100;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The target of a `Link: <…>; rel="next"` header, if any. */
export function nextLink(header) {
  if (!header) {
    return null;
  }
  const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(header);
  return match && match[1].startsWith('/api/') ? match[1] : null;
}

function send(url, signal, authorization, method = 'GET') {
  const headers = { Accept: 'application/json' };
  if (authorization) {
    headers.Authorization = authorization;
  }
  // what a signed-in user sees stays out of the HTTP cache, so that it is not shown after signing out
  return fetch(url, { method, headers, signal, credentials: 'same-origin', cache: authorization ? 'no-store' : 'default' });
}

/** An ApiError with the error envelope's code and message, or the status line when there is none. */
async function apiError(response) {
  let code = 'HTTP_' + response.status;
  let message = response.status + ' ' + response.statusText;
  try {
    const envelope = await response.json();
    const error = envelope && Array.isArray(envelope.errors) ? envelope.errors[0] : null;
    if (error) {
      code = error.code || code;
      message = error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

/**
 * The operators' API (/api/v1/admin/…): `method` to `url` with the operators' token (session.adminAuthorization),
 * bought again once when the API refuses it; answers the JSON body, throws ApiError.
 */
export async function adminJson(url, { method = 'GET', signal } = {}) {
  let authorization = await session.adminAuthorization();
  let response = await send(url, signal, authorization, method);
  if (response.status === 401 && authorization) {
    authorization = await session.adminAuthorization({ forget: true });
    response = await send(url, signal, authorization, method);
  }
  if (!response.ok) {
    throw await apiError(response);
  }
  return response.json();
}

/**
 * GETs JSON with the session's token, if any; answers {body, next}; throws ApiError with the error envelope's message.
 * A token the API refuses (401: run out, or its key changed) is renewed once; failing that, the session ends (its
 * listeners offer the sign-in form again) and the request is made again without it.
 */
export async function getJson(url, signal) {
  let authorization = await session.authorization();
  let response = await send(url, signal, authorization);
  if (response.status === 401 && authorization) {
    const used = authorization.slice('Bearer '.length);
    if (await session.refresh(used)) {
      authorization = await session.authorization();
      response = authorization ? await send(url, signal, authorization) : response;
    }
    if (response.status === 401) {
      session.expire();
      response = await send(url, signal, null);
    }
  }
  if (response.status === 401) {
    session.noteChallenge(response.headers.get('WWW-Authenticate'));
  }
  if (!response.ok) {
    throw await apiError(response);
  }
  return { body: await response.json(), next: nextLink(response.headers.get('Link')) };
}

const icons = new Map();

/**
 * An icon of the listing API as a data: URL, fetched with the session's token: an <img> cannot send one, and where
 * anonymous callers may not read the listing the icons need it too. Cached per icon for the session.
 */
export function iconData(path) {
  let loading = icons.get(path);
  if (!loading) {
    loading = (async () => {
      const authorization = await session.authorization();
      const response = await send(path, undefined, authorization);
      if (!response.ok) {
        throw new ApiError(response.status, 'HTTP_' + response.status, 'icon ' + path);
      }
      const svg = new Blob([await response.arrayBuffer()], { type: 'image/svg+xml' });
      return new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(svg);
      });
    })();
    icons.set(path, loading);
    loading.catch(() => icons.delete(path));
  }
  return loading;
}

let catalog = null;

/** The type catalog, fetched once per page load (the Types page refreshes it). */
export function typeCatalog(refresh = false) {
  if (!catalog || refresh) {
    catalog = getJson('/api/v1/types').then(({ body }) => ({
      types: body.types || [],
      problems: body.problems || [],
      byId: new Map((body.types || []).map(type => [type.id, type])),
    }));
    catalog.catch(() => {
      catalog = null;
    });
  }
  return catalog;
}

/** Forgets what was read with another identity (on sign-in and sign-out). */
export function forgetCached() {
  catalog = null;
  icons.clear();
}

/** A type reference for an id: from the catalog when it is known, else a placeholder with the unknown icon. */
export function typeRef(types, id) {
  const type = types && types.byId.get(id);
  return type ? { id, title: type.title, icon: type.icon, scanner: type.scanner }
    : { id, title: id, icon: '/api/v1/types/' + encodeURIComponent(id) + '/icon.svg', scanner: 'none' };
}

const BADGES = { signature: 'signed', sbom: 'SBOM', attestation: 'attestation' };

/**
 * The referrer counts of an artifact ({typeId: count}) as badges: signatures, SBOMs and attestations by what a
 * scanner makes of them (from the type catalog), anything else by its type title.
 */
export function referrerBadges(types, referrers) {
  const badges = new Map();
  for (const [id, count] of Object.entries(referrers || {})) {
    const type = typeRef(types, id);
    const label = BADGES[type.scanner] || type.title;
    const kind = BADGES[type.scanner] ? type.scanner : 'other';
    const badge = badges.get(label) || { label, kind, count: 0, types: [] };
    badge.count += Number(count);
    badge.types.push(type);
    badges.set(label, badge);
  }
  const order = { signature: 0, sbom: 1, attestation: 2, other: 3 };
  return [...badges.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.label.localeCompare(b.label));
}

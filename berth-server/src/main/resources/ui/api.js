// The listing API (/api/v1/): the only thing the UI reads, so it shows nothing a caller could not read there.

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

/** GETs JSON; answers {body, next}; throws ApiError with the error envelope's message. */
export async function getJson(url, signal) {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, signal, credentials: 'same-origin' });
  if (!response.ok) {
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
    throw new ApiError(response.status, code, message);
  }
  return { body: await response.json(), next: nextLink(response.headers.get('Link')) };
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

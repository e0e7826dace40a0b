// The signed-in session: an access token of the registry's own token endpoint (/token on this origin) for the catalog
// scope, asked for with the user's name and password. It is kept in sessionStorage only: it lives as long as this tab,
// no other tab or site sees it, and as it is never a cookie the browser never sends it on its own (nothing to forge
// across sites). api.js sends it as a Bearer token. A refresh token (offline_token=true) renews it when it runs out.
// The operators' pages (Storage) need registry:admin:*, which the sign-in token never carries (a leaked one cannot run
// the registry): the refresh token buys one when such a page asks for it. At sign-in one such request tells whether
// the account is an operator at all, kept as `admin` in the session, so that the header shows their links.

const STORAGE_KEY = 'berth.session';
const CATALOG_SCOPE = 'registry:catalog:*';
const ADMIN_SCOPE = 'registry:admin:*';
const DEFAULT_SERVICE = 'berth';
/** Renew this long before the access token runs out, so that requests do not race its expiry. */
const EARLY_REFRESH_MS = 20000;

let service = DEFAULT_SERVICE;
let memory = null;
let refreshing = null;
/** The operators' token: {refreshToken, token, expiresAt}, token null when the account is no operator. */
let adminToken = null;
let adminLoading = null;
const listeners = new Set();

/** A sign-in that did not work, with a message for the form. */
export class SignInError extends Error {
}

/** The session: {user, token, refreshToken, expiresAt, admin} or null. */
export function current() {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? valid(JSON.parse(text)) : null;
  } catch {
    return memory; // storage switched off: the session lasts as long as the page
  }
}

function valid(session) {
  return session && typeof session.user === 'string' && typeof session.token === 'string' && session.token ? session : null;
}

function store(session) {
  memory = session;
  if (!session || (adminToken && adminToken.refreshToken !== session.refreshToken)) {
    adminToken = null;
  }
  try {
    if (session) {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    } else {
      sessionStorage.removeItem(STORAGE_KEY);
    }
  } catch {
    // storage switched off: kept in memory only
  }
}

/** Calls listener({reason, user}) on sign-in, sign-out and expiry. */
export function onChange(listener) {
  listeners.add(listener);
}

function emit(reason, user) {
  for (const listener of listeners) {
    listener({ reason, user });
  }
}

/** Remembers the service a Bearer challenge names (`Bearer realm="…",service="…",scope="…"`). */
export function noteChallenge(header) {
  const match = header && /^\s*Bearer\s.*?\bservice="([^"]*)"/i.exec(header);
  if (match && match[1]) {
    service = match[1];
  }
}

function basic(user, password) {
  let binary = '';
  for (const byte of new TextEncoder().encode(user + ':' + password)) {
    binary += String.fromCharCode(byte);
  }
  return 'Basic ' + btoa(binary);
}

/** The message of the registry's error envelope, if the answer has one. */
async function errorMessage(response) {
  try {
    const envelope = await response.json();
    const error = envelope && Array.isArray(envelope.errors) ? envelope.errors[0] : null;
    return error && error.message ? String(error.message) : '';
  } catch {
    return '';
  }
}

function waitText(seconds) {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return 'a few minutes';
  }
  return seconds < 90 ? Math.ceil(seconds) + ' seconds' : Math.ceil(seconds / 60) + ' minutes';
}

function lifetime(body) {
  const seconds = Number(body.expires_in);
  return Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000;
}

/**
 * Asks the token endpoint for a token with the catalog scope, with basic credentials (no browser prompt: the request
 * carries no cookies or cached credentials, so a 401 comes back as it is). Throws SignInError with a message.
 */
export async function signIn(user, password) {
  const query = new URLSearchParams({ service, scope: CATALOG_SCOPE, offline_token: 'true' });
  let response;
  try {
    response = await fetch('/token?' + query, {
      headers: { Authorization: basic(user, password), Accept: 'application/json' },
      credentials: 'omit', cache: 'no-store',
    });
  } catch (error) {
    throw new SignInError('Could not reach the registry (' + (error && error.message || 'network error') + '). Try again.');
  }
  if (response.status === 401) {
    throw new SignInError('Wrong user name or password.');
  }
  if (response.status === 429) {
    throw new SignInError('Too many failed sign-ins from this address. Try again in '
      + waitText(Number(response.headers.get('Retry-After'))) + '.');
  }
  if (response.status === 404 || response.status === 405) {
    throw new SignInError('This registry has no sign-in: authorization is off, so everything is shown to everyone.');
  }
  if (!response.ok) {
    const detail = await errorMessage(response);
    throw new SignInError('The registry could not sign you in (' + response.status + (detail ? ': ' + detail : '') + ').');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!body || typeof body.token !== 'string' || !body.token) {
    throw new SignInError('The registry answered without a token.');
  }
  const session = {
    user, token: body.token, expiresAt: lifetime(body),
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    admin: false,
  };
  if (session.refreshToken) {
    try {
      session.admin = (await buyAdmin(session)) !== null;
    } catch {
      // offline just now: the operators' links stay hidden until the next sign-in
    }
  }
  store(session);
  emit('signed-in', user);
  return session;
}

/** Forgets the token (nothing is kept on the server to revoke: it simply runs out). */
export function signOut() {
  const session = current();
  store(null);
  if (session) {
    emit('signed-out', session.user);
  }
}

/** Drops a token the registry no longer accepts; listeners are told so that the user can sign in again. */
export function expire() {
  const session = current();
  store(null);
  if (session) {
    emit('expired', session.user);
  }
}

/**
 * Renews the access token with the refresh token. `used` is the token a refused request carried: when another
 * request has renewed it meanwhile, that new one is the answer. True when there is a token to try (again).
 * Network failures are thrown, so that a lost connection does not end the session.
 */
export function refresh(used) {
  const session = current();
  if (!session) {
    return Promise.resolve(false);
  }
  if (used && session.token !== used) {
    return Promise.resolve(true);
  }
  if (!session.refreshToken) {
    return Promise.resolve(false);
  }
  if (!refreshing) {
    refreshing = renew(session).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function renew(session) {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken, service,
    scope: CATALOG_SCOPE });
  const response = await fetch('/token', {
    method: 'POST', body: form, headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store',
  });
  if (!response.ok) {
    return false;
  }
  const body = await response.json().catch(() => null);
  const now = current();
  if (!body || typeof body.token !== 'string' || !body.token || !now || now.refreshToken !== session.refreshToken) {
    return Boolean(now) && now.token !== session.token; // signed out, or in again, meanwhile
  }
  store({ ...now, token: body.token, expiresAt: lifetime(body) });
  return true;
}

/** Whether the registry checks who calls it, as the page's shell says: without authorization everyone operates it. */
export function authorizationOn() {
  const meta = document.querySelector('meta[name="berth-authorization"]');
  return !meta || meta.getAttribute('content') !== 'off';
}

/** Whether the viewer may use the operators' pages: everyone without authorization, else a signed-in operator. */
export function isAdmin() {
  if (!authorizationOn()) {
    return true;
  }
  const session = current();
  return Boolean(session && session.admin === true);
}

async function buyAdmin(session) {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken, service,
    scope: ADMIN_SCOPE });
  const response = await fetch('/token', {
    method: 'POST', body: form, headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store',
  });
  const body = response.ok ? await response.json().catch(() => null) : null;
  const granted = Boolean(body && typeof body.token === 'string' && body.token
    && String(body.scope || '').split(' ').includes(ADMIN_SCOPE));
  adminToken = { refreshToken: session.refreshToken, token: granted ? body.token : null,
    expiresAt: granted ? lifetime(body) : Infinity };
  return adminToken.token ? 'Bearer ' + adminToken.token : null;
}

/**
 * The Authorization header for the operators' API (/api/v1/admin/…): null without authorization (none is needed),
 * without a session, or when the account is no operator. The token is bought with the refresh token and kept in
 * memory until shortly before it runs out; `forget` drops it first (the API refused it).
 */
export async function adminAuthorization({ forget = false } = {}) {
  if (!authorizationOn()) {
    return null;
  }
  const session = current();
  if (!session || !session.refreshToken) {
    return null;
  }
  if (forget) {
    adminToken = null;
  }
  if (adminToken && adminToken.refreshToken === session.refreshToken
      && (adminToken.token === null || adminToken.expiresAt - EARLY_REFRESH_MS > Date.now())) {
    return adminToken.token ? 'Bearer ' + adminToken.token : null;
  }
  if (!adminLoading) {
    adminLoading = buyAdmin(session).finally(() => {
      adminLoading = null;
    });
  }
  return adminLoading;
}

/** The Authorization header for the listing API: `Bearer …` (renewed when about to run out), or null. */
export async function authorization() {
  let session = current();
  if (session && session.refreshToken && !(session.expiresAt - EARLY_REFRESH_MS > Date.now())) {
    try {
      await refresh(session.token);
    } catch {
      // offline: try the old token; a 401 tells
    }
    session = current();
  }
  return session ? 'Bearer ' + session.token : null;
}

/**
 * An Authorization header for pulling from one repository (the blob downloads of an artifact page), from a token for
 * `repository:<name>:pull` that the refresh token buys; null without a session or when the registry says no.
 */
export async function pullAuthorization(repository) {
  const session = current();
  if (!session || !session.refreshToken) {
    return null;
  }
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken, service,
    scope: 'repository:' + repository + ':pull' });
  const response = await fetch('/token', {
    method: 'POST', body: form, headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store',
  });
  const body = response.ok ? await response.json().catch(() => null) : null;
  return body && typeof body.token === 'string' && body.token ? 'Bearer ' + body.token : null;
}

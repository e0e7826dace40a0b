/**
 * Authorization: one seam, {@link io.berth.server.auth.AccessController}, asked by the router before every route that
 * is not public, with the request's credentials and the scopes the route declares ({@code io.berth.server.http.Access}
 * in the one route table, {@code io.berth.server.RouteTable}). It answers a {@link io.berth.server.auth.Decision.Grant} (who, and what
 * they may read, for listings and mounts) or a {@link io.berth.server.auth.Decision.Challenge} (401 with
 * {@code WWW-Authenticate}, 403 {@code DENIED}, 429).
 *
 * <pre>
 * {@link io.berth.server.auth.Security}       builds it from the configuration: OpenAccess when nothing is configured, else
 *   {@link io.berth.server.auth.PolicyAccess}   basic credentials and bearer tokens against
 *     {@link io.berth.server.auth.Policies}     repository globs → users, groups, anonymous, robots → pull, push, delete
 *     {@link io.berth.server.auth.Logins}       {@link io.berth.server.auth.Accounts} (htpasswd bcrypt entries, robot tokens; a {@link io.berth.server.auth.DummyHash} for unknown names)
 *                  behind the {@link io.berth.server.auth.LoginThrottle} ({@link io.berth.server.auth.FailureCounts} per account and address, account, address)
 *     {@link io.berth.server.auth.TokenVerifier} ES256 tokens of Berth (not revoked: {@link io.berth.server.auth.Revocations}), tokens of trusted issuers (JWKS)
 *   {@link io.berth.server.auth.TokenService}   GET/POST /token: {@link io.berth.server.auth.TokenIssuer} signs what the policies grant; refresh tokens
 *                  bound to the account's credential ({@link io.berth.server.auth.CredentialFingerprint}); {@link io.berth.server.auth.SignOut} revokes
 *   {@link io.berth.server.auth.WatchedFile}    htpasswd and JWKS files, reloaded on change
 * {@link io.berth.server.auth.Audit}          the berth.audit log: refusals, pushes, deletes, sign-outs; never secrets; values escaped ({@link io.berth.server.auth.LogText})
 * </pre>
 */
package io.berth.server.auth;

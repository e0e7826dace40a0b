/**
 * Registry authentication, apart from transport and endpoints: {@code WWW-Authenticate} challenges, bearer tokens
 * cached per scope ({@link io.berth.client.auth.Authenticator}), and credentials from docker's and podman's files and
 * credential helpers ({@link io.berth.client.auth.DockerConfig}).
 */
package io.berth.client.auth;

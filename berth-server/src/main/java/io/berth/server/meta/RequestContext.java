package io.berth.server.meta;


/**
 * Who made a request and through which connection: what events record about the change the request caused. Built
 * once per request by the router and passed explicitly from the handler into the index call that
 * writes; writes that no request caused (tests, background work) use {@link #INTERNAL}.
 *
 * @param id        the request id: the client's {@code X-Request-Id} when it sent a usable one, else a new UUID
 * @param addr      the client's address, {@code ip:port}
 * @param host      the authority the client addressed ({@code Host}), {@code host[:port]}
 * @param method    the HTTP method
 * @param userAgent the client's {@code User-Agent}, empty when it sent none
 * @param actor     who the client authenticated as: {@value #ANONYMOUS} until authentication (issue #7) sets it
 */
public record RequestContext(String id, String addr, String host, String method, String userAgent, String actor) {
    public static final String ANONYMOUS = "anonymous";
    /** The context of writes that no request caused. */
    public static final RequestContext INTERNAL = new RequestContext("", "", "", "", "", "berth");

    public RequestContext {
        id = id == null ? "" : id;
        addr = addr == null ? "" : addr;
        host = host == null ? "" : host;
        method = method == null ? "" : method;
        userAgent = userAgent == null ? "" : userAgent;
        actor = actor == null || actor.isEmpty() ? ANONYMOUS : actor;
    }

    /** The same request, made by {@code actor}: what authentication calls once it knows who is asking. */
    public RequestContext withActor(String actor) {
        return new RequestContext(id, addr, host, method, userAgent, actor);
    }

}

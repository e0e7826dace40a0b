package io.berth.server.auth;

import io.berth.server.auth.AuthConfig.RateLimit;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Limits password guessing, counting failed checks three ways (as Keycloak and Bitwarden do), each within
 * {@code window}:
 * <ol>
 *   <li><b>account and address</b>, strict: {@code maxFailures} failures lock that address out of that account for
 *       {@code lockout}. A guesser is stopped here first, and only its own address is.</li>
 *   <li><b>account</b>, from every address: {@value #ACCOUNT_FACTOR} × {@code maxFailures} failures lock the account
 *       for {@code min(lockout, window)} only. That is what it takes to stop guessing from many addresses, and it is
 *       short and bounded so that an attacker cannot keep a real user out for long: each of its addresses is locked
 *       by rule 1 after {@code maxFailures} guesses.</li>
 *   <li><b>address</b>, over every account: {@value #ADDRESS_FACTOR} × {@code maxFailures} failures lock the address
 *       out of every account for {@code lockout}: one address trying many names.</li>
 * </ol>
 * A success forgets the failures of its account (rules 1 and 2 for that account), never those of the address (rule
 * 3) nor of other accounts: logging in as oneself does not buy guesses at someone else's password. A check in
 * progress counts until its outcome is known ({@link FailureCounts}), so parallel guesses get no more checks than the
 * limits; the price is that more than {@code maxFailures} simultaneous logins to one account from one address are
 * answered 429 for a second. Names are counted whether the account exists or not, so the throttle does not tell.
 * Counts live in memory and start afresh on a restart.
 */
final class LoginThrottle {
    static final int ACCOUNT_FACTOR = 5;
    static final int ADDRESS_FACTOR = 10;

    private final FailureCounts accountAtAddress;
    private final FailureCounts account;
    private final FailureCounts address;

    LoginThrottle(RateLimit limit, Clock clock) {
        this.accountAtAddress = new FailureCounts(limit.maxFailures(), limit.window(), limit.lockout(), clock);
        this.account = new FailureCounts(limit.maxFailures() * ACCOUNT_FACTOR, limit.window(),
                accountLockout(limit), clock);
        this.address = new FailureCounts(limit.maxFailures() * ADDRESS_FACTOR, limit.window(), limit.lockout(), clock);
    }

    /** How long an account is locked when guesses come from many addresses: {@code min(lockout, window)}. */
    static Duration accountLockout(RateLimit limit) {
        return limit.lockout().compareTo(limit.window()) < 0 ? limit.lockout() : limit.window();
    }

    /**
     * Lets one password check of {@code user} from {@code client} go ahead (empty), or says how long to wait. Each
     * check let through must be followed by {@link #failed} or {@link #succeeded}.
     */
    Optional<Duration> admit(String name, String client) {
        String user = key(name);
        String pair = pair(user, client);
        Optional<Duration> wait = accountAtAddress.reserve(pair);
        if (wait.isPresent()) {
            return wait;
        }
        wait = account.reserve(user);
        if (wait.isPresent()) {
            accountAtAddress.done(pair, false);
            return wait;
        }
        wait = address.reserve(client);
        if (wait.isPresent()) {
            account.done(user, false);
            accountAtAddress.done(pair, false);
        }
        return wait;
    }

    void failed(String name, String client) {
        String user = key(name);
        accountAtAddress.failed(pair(user, client));
        account.failed(user);
        address.failed(client);
    }

    void succeeded(String name, String client) {
        String user = key(name);
        accountAtAddress.done(pair(user, client), true);
        account.done(user, true);
        address.done(client, false);
    }

    /** The name, or its SHA-256 when it is long: a guesser's made-up names must not fill memory. */
    private static String key(String name) {
        if (name.length() <= 64) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pair(String user, String client) {
        return user.length() + ":" + user + "@" + client;
    }
}

package io.berth.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The bcrypt hash an unknown user name is checked against, so that it takes as long as a wrong password. It has the
 * cost most of the accounts' hashes have (the higher one on a tie; {@link #DEFAULT_COST} when there are none): bcrypt
 * time doubles with each step of cost, so a dummy of another cost than {@code htpasswd -B}'s entries (5 by default)
 * would tell names that exist from names that do not.
 *
 * @param source the htpasswd version it was made for; a reload makes a new one
 */
record DummyHash(Htpasswd source, byte[] hash) {
    static final int DEFAULT_COST = 10;
    private static final Pattern BCRYPT = Pattern.compile("\\$2[abxy]?\\$(\\d\\d)\\$");

    static DummyHash like(Htpasswd source, Collection<String> hashes) {
        char[] secret = ("not a password " + System.nanoTime()).toCharArray();
        return new DummyHash(source, BCrypt.with(BCrypt.Version.VERSION_2Y).hash(usualCost(hashes), secret));
    }

    /** The cost most of these hashes have, the highest among equally common ones. */
    static int usualCost(Collection<String> hashes) {
        Map<Integer, Long> counts = hashes.stream().map(DummyHash::cost).filter(OptionalInt::isPresent)
                .map(OptionalInt::getAsInt).collect(Collectors.groupingBy(Function.identity(), TreeMap::new,
                        Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.<Integer, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey())).map(Map.Entry::getKey).orElse(DEFAULT_COST);
    }

    /** The cost of a {@code $2?$NN$…} hash, when it is one bcrypt accepts (4 to 31). */
    static OptionalInt cost(String hash) {
        Matcher matcher = hash == null ? null : BCRYPT.matcher(hash);
        if (matcher == null || !matcher.lookingAt()) {
            return OptionalInt.empty();
        }
        int cost = Integer.parseInt(matcher.group(1));
        return cost >= 4 && cost <= 31 ? OptionalInt.of(cost) : OptionalInt.empty();
    }

    int cost() {
        return cost(new String(hash, StandardCharsets.US_ASCII)).orElseThrow();
    }
}

package io.berth.server.meta;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes as people write it: {@code 1048576}, {@code 500MiB}, {@code 10GiB}, {@code 1.5TiB} (binary units,
 * powers of 1024: {@code KiB MiB GiB TiB PiB}) or {@code 500MB}, {@code 1TB} (decimal units, powers of 1000:
 * {@code kB KB MB GB TB PB}); a bare number or {@code B} is bytes. Units are case-insensitive, a space before the unit
 * is allowed, fractions are rounded down to whole bytes.
 */
public record ByteSize(long bytes) {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,19}(?:\\.\\d{1,9})?)\\s*([a-z]*)");
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size must not be negative, was " + bytes);
        }
    }

    /** The size written in {@code text}; empty when it is no size (negative, no number, an unknown unit, too large). */
    public static Optional<ByteSize> parse(String text) {
        Matcher matcher = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long unit = switch (matcher.group(2)) {
            case "", "b" -> 1L;
            case "kb" -> 1000L;
            case "mb" -> 1000L * 1000;
            case "gb" -> 1000L * 1000 * 1000;
            case "tb" -> 1000L * 1000 * 1000 * 1000;
            case "pb" -> 1000L * 1000 * 1000 * 1000 * 1000;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            case "pib" -> 1L << 50;
            default -> -1L;
        };
        if (unit < 0) {
            return Optional.empty();
        }
        BigDecimal bytes = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit))
                .setScale(0, RoundingMode.DOWN);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return Optional.empty();
        }
        return Optional.of(new ByteSize(bytes.longValueExact()));
    }

    /**
     * {@code 300 MiB}, {@code 1.2 GiB}, {@code 512 B}: one decimal below 100 of a unit, rounded down, so that a
     * figure never shows more than there is.
     */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < BINARY.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value < 100 && value != Math.floor(value)
                ? String.format(Locale.ROOT, "%.1f", Math.floor(value * 10) / 10)
                : String.valueOf((long) Math.floor(value));
        return number.replaceAll("\\.0$", "") + " " + BINARY[unit];
    }

    @Override
    public String toString() {
        return human(bytes);
    }
}

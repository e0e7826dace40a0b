package io.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The loops that check names and tags agree with the spec's regular expressions on every input tried. */
class GrammarTest {
    /** Every character class the grammars tell apart, and one they refuse. */
    private static final char[] ALPHABET = {'a', '9', '.', '_', '-', '/', 'A', ':'};

    @Test
    void everyShortStringIsJudgedAsTheSpecsExpressionsJudgeIt() {
        List<String> disagreements = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int length = 0; length <= 6; length++) {
            int[] digits = new int[length];
            for (long count = (long) Math.pow(ALPHABET.length, length); count > 0; count--) {
                text.setLength(0);
                for (int d : digits) {
                    text.append(ALPHABET[d]);
                }
                check(text.toString(), disagreements);
                for (int i = 0; i < length && ++digits[i] == ALPHABET.length; i++) {
                    digits[i] = 0;
                }
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void longRandomStringsAreJudgedAsTheSpecsExpressionsJudgeThem() {
        Random random = new Random(17);
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(140);
            for (int j = 0; j < length; j++) {
                // Mostly letters and digits, so that long valid names and tags occur too.
                text.append(random.nextInt(4) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)] : (char) ('a' + random.nextInt(26)));
            }
            check(text.toString(), disagreements);
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void theBoundsOfTheGrammars() {
        assertThat(Grammar.isTag("a".repeat(128))).isTrue();
        assertThat(Grammar.isTag("a".repeat(129))).isFalse();
        assertThat(Grammar.isRepositoryName("a__b")).isTrue();
        assertThat(Grammar.isRepositoryName("a___b")).isFalse();
        assertThat(Grammar.isRepositoryName("a---b/c.d")).isTrue();
        assertThat(Grammar.isRepositoryName("a/")).isFalse();
        assertThat(Grammar.isRepositoryName("a//b")).isFalse();
        assertThat(Repository.isValid("a".repeat(Repository.MAX_LENGTH))).isTrue();
        assertThat(Repository.isValid("a".repeat(Repository.MAX_LENGTH + 1))).isFalse();
    }

    private static void check(String text, List<String> disagreements) {
        if (Grammar.isRepositoryName(text) != Repository.GRAMMAR.matcher(text).matches()) {
            disagreements.add("name '" + text + "'");
        }
        if (Grammar.isTag(text) != Reference.TAG_GRAMMAR.matcher(text).matches()) {
            disagreements.add("tag '" + text + "'");
        }
    }
}

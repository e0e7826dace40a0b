package io.berth.server.http;

/** The variables a matched path carries ({@code name}, {@code reference}, {@code type}, …). */
@FunctionalInterface
public interface PathVariables {
    PathVariables NONE = name -> {
        throw new IllegalArgumentException("the path has no variable " + name);
    };

    /** The raw (not decoded) value; {@link IllegalArgumentException} for a variable the path does not have. */
    String get(String name);
}

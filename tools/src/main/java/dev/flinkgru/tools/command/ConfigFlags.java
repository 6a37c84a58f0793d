package dev.flinkgru.tools.command;

import java.util.Map;

/**
 * A command (or mixin) whose flags stand for library options: {@code --hidden-size} for {@code
 * gru.model.hidden-size}. The error printer writes the flag wherever a message names the key, so
 * the user reads the name they typed.
 */
public interface ConfigFlags {

    /** Flag by option key, e.g. {@code gru.model.hidden-size -> --hidden-size}. */
    Map<String, String> flagsByKey();
}

package dev.finetune.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The README's "first job" shell block, read from README.md: the fenced {@code bash} block after
 * the sentence "A first job from the command line". It is run as written; only the placeholder key
 * of its first line is replaced by the key the platform printed (what the README asks the reader to
 * do), and, only where port 8080 was taken, the port.
 */
final class ReadmeShellBlock {

    private static final String ANCHOR = "A first job from the command line";
    private static final String KEY_LINE = "KEY=ftk_...";

    private final String script;

    private ReadmeShellBlock(String script) {
        this.script = script;
    }

    static ReadmeShellBlock firstJob(Path readme) throws IOException {
        String text = Files.readString(readme);
        int anchor = text.indexOf(ANCHOR);
        if (anchor < 0) {
            throw new IllegalStateException("README.md has no paragraph starting '" + ANCHOR + "'");
        }
        int start = text.indexOf("```bash\n", anchor);
        int end = text.indexOf("\n```", start + 8);
        if (start < 0 || end < 0) {
            throw new IllegalStateException("README.md has no ```bash block after '" + ANCHOR + "'");
        }
        String script = text.substring(start + 8, end + 1);
        if (!script.startsWith(KEY_LINE)) {
            throw new IllegalStateException("the README's first-job block must start with '" + KEY_LINE + "', it starts: "
                    + script.lines().findFirst().orElse(""));
        }
        return new ReadmeShellBlock(script);
    }

    /** Runs the block with bash, failing on the first command that fails (as a careful user would notice). */
    ShellRun run(Path dir, String apiKey, int port, Path log, Duration within) throws IOException {
        String body = script.replaceFirst("^KEY=ftk_\\.\\.\\.", "KEY=" + apiKey);
        if (port != 8080) {
            body = body.replace("localhost:8080", "localhost:" + port);
        }
        Path file = log.resolveSibling("readme-block.sh");
        Files.writeString(file, "set -euo pipefail\nset -x\n" + body);
        return ShellRun.run(dir, List.of("bash", file.toAbsolutePath().toString()), Map.of(), log, within);
    }
}

package dev.finetune.core.queue;

import java.net.InetAddress;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;

/** Who holds a lease: unique per worker process, e.g. {@code host-4711-3f2a9c}. */
public record WorkerId(String value) {

    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9._:@-]{1,200}");

    public WorkerId {
        Checks.matches(value, FORMAT, "worker_id");
    }

    public static WorkerId forThisProcess() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        host = host.replaceAll("[^A-Za-z0-9.-]", "-");
        if (host.length() > 120) {
            host = host.substring(0, 120);
        }
        long pid = ProcessHandle.current().pid();
        String random = UUID.randomUUID().toString().substring(0, 8);
        return new WorkerId(host + "-" + pid + "-" + random);
    }

    @Override
    public String toString() {
        return value;
    }

}

package dev.finetune.localinfra;

import java.io.IOException;
import java.util.Arrays;

/**
 * Runs another program's {@code main} in this JVM and exits when the parent process dies, even by
 * SIGKILL: the parent holds the write end of this process's stdin pipe, the kernel closes it when
 * the parent dies, and the read below returns end-of-file. A poll of the parent's pid backs that up.
 * It uses the JDK only: {@link S3ProxyServer} copies this class file beside the child's classpath,
 * whatever jar it was loaded from.
 *
 * <p>Usage: {@code java -cp <dir-with-this-class>:<program.jar> dev.finetune.localinfra.ExitWithParent
 * <main-class> <args...>}
 */
public final class ExitWithParent {

    private ExitWithParent() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ExitWithParent <main-class> [args...]");
        }
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent never writes; any bytes are ignored
                }
            } catch (IOException closed) {
                // same as end-of-file
            }
            exit("stdin closed");
        }, "exit-with-parent-stdin");
        stdin.setDaemon(true);
        stdin.start();
        Thread poll = new Thread(() -> {
            while (parent != null) {
                if (!parent.isAlive()) {
                    exit("parent " + parent.pid() + " is gone");
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "exit-with-parent-poll");
        poll.setDaemon(true);
        poll.start();
        Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }

    private static void exit(String why) {
        System.err.println("ExitWithParent: " + why + "; exiting");
        Runtime.getRuntime().halt(0);
    }
}

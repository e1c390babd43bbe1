package dev.finetune.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it: comments dropped, continuation lines joined,
 * instructions grouped into stages by FROM. Enough to check what an image will contain
 * without a Docker engine.
 */
record Dockerfile(Path path, List<Stage> stages) {

    record Instruction(String keyword, String args) {
    }

    record Stage(String from, String name, List<Instruction> instructions) {

        List<String> args(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        }

        /** ENV as name -> value, from both "ENV a=b c=d" and the legacy "ENV a b". */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
            for (String args : args("ENV")) {
                Matcher matcher = pair.matcher(args);
                boolean any = false;
                while (matcher.find()) {
                    env.put(matcher.group(1), matcher.group(2).replaceAll("^\"|\"$", ""));
                    any = true;
                }
                if (!any) {
                    String[] legacy = args.split("\\s+", 2);
                    env.put(legacy[0], legacy.length > 1 ? legacy[1] : "");
                }
            }
            return env;
        }
    }

    static Dockerfile read(Path path) {
        try {
            return parse(path, Files.readAllLines(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(Path path, List<String> lines) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            logical.add(current.toString().strip());
            current.setLength(0);
        }
        List<Stage> stages = new ArrayList<>();
        List<Instruction> preamble = new ArrayList<>();
        List<Instruction> instructions = preamble;
        for (String line : logical) {
            String[] parts = line.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.args().split("\\s+");
                String name = from.length >= 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null;
                instructions = new ArrayList<>();
                stages.add(new Stage(resolveArg(from[0], preamble), name, instructions));
            } else {
                instructions.add(instruction);
            }
        }
        return new Dockerfile(path, List.copyOf(stages));
    }

    /** FROM ${X} with a default from an ARG before the first FROM. */
    private static String resolveArg(String image, List<Instruction> preamble) {
        Matcher matcher = Pattern.compile("^\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?$").matcher(image);
        if (!matcher.matches()) {
            return image;
        }
        for (Instruction arg : preamble) {
            String[] kv = arg.args().split("=", 2);
            if (arg.keyword().equals("ARG") && kv[0].equals(matcher.group(1)) && kv.length == 2) {
                return kv[1];
            }
        }
        return image;
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    /** Every instruction of every stage, for checks on what the build does at all. */
    String text() {
        StringBuilder all = new StringBuilder();
        for (Stage stage : stages) {
            all.append("FROM ").append(stage.from()).append('\n');
            stage.instructions().forEach(i -> all.append(i.keyword()).append(' ').append(i.args()).append('\n'));
        }
        return all.toString();
    }
}

package kstep.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import kstep.scenario.Samples;
import kstep.scenario.Scenario;
import kstep.scenario.ScenarioLoader;

/** {@code kstep list}: the samples, their titles and variants. */
@Command(name = "list", description = "List the sample scenarios.")
final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<Object> all = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String id : Samples.ids()) {
            Scenario s = ScenarioLoader.loadSample(id);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("title", s.title());
            m.put("seed", s.seed() == null ? null : s.seed().title());
            m.put("variants", new ArrayList<>(s.variants().keySet()));
            all.add(m);
            text.append(String.format("%-28s %s%n%-28s variants: %s%n", id, s.title(), "", String.join(", ", s.variants().keySet())));
            if (s.seed() != null) text.append(String.format("%-28s seed: %s%n", "", s.seed().title()));
        }
        spec.commandLine().getOut().print(json ? Json.write(all) + "\n" : text);
        return Cli.OK;
    }
}

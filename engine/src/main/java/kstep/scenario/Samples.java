package kstep.scenario;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/** The samples shipped with kstep ({@code samples/index.txt} lists their ids in gallery order). */
public final class Samples {
    /** The sample kstep opens when started without arguments. */
    public static final String DEFAULT = "vgic/doorbell-preemption";

    private Samples() { }

    public static List<String> ids() {
        String text;
        try {
            text = ScenarioLoader.resource(ScenarioLoader.RESOURCE_ROOT + "samples/index.txt");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the sample index", e);
        }
        if (text == null) throw new IllegalStateException("the sample index is missing from the class path");
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            String id = l.strip();
            if (!id.isEmpty() && !id.startsWith("#")) out.add(id);
        }
        return out;
    }

    /** A sample id or a file path, as the command line and the gallery accept them. */
    public static Scenario open(String idOrPath) {
        if (ids().contains(idOrPath)) return ScenarioLoader.loadSample(idOrPath);
        java.nio.file.Path p = java.nio.file.Path.of(idOrPath);
        if (java.nio.file.Files.exists(p)) return ScenarioLoader.load(p);
        throw new SourceError(new SourcePos(idOrPath, 1, 1), "no such file, and no sample with that id (kstep list shows the samples)");
    }
}

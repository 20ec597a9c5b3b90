package kstep.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import kstep.lang.ModelSource;
import kstep.scenario.Subsystems;

/** Builds small programs for engine tests: the scheduler core and spinlocks plus a test model. */
final class TestModels {
    private TestModels() { }

    static ModelSource resource(String name) {
        try (InputStream in = TestModels.class.getClassLoader().getResourceAsStream("kstep/" + name)) {
            return new ModelSource(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Program program(String model, String... defines) {
        List<ModelSource> ms = new ArrayList<>();
        for (String core : kstep.scenario.ScenarioLoader.CORE_MODELS) ms.add(resource(core));
        ms.add(new ModelSource("test.kc", model));
        return Compiler.compile(ms, Set.of(defines), Subsystems.builtins());
    }

    /** A machine with no checks or events and a world with the given tasks: {comm, cpu, entry}. */
    static Machine machine(Program p) {
        return new Machine(p, KernelConfig.DEFAULT, List.of(), List.of());
    }

    static World world(Program p, int cpus, String[]... tasks) {
        Setup s = new Setup(p, cpus);
        int pid = 100;
        for (String[] t : tasks) s.task(t[0], pid++, Integer.parseInt(t[1]), t[2], new Value[0], kstep.lang.SourcePos.NONE);
        return s.world();
    }

    static long global(World w, String name) {
        return ((Value.Int) w.global(name)).v();
    }
}

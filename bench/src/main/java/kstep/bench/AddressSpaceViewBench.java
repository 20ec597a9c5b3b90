package kstep.bench;

import java.util.concurrent.TimeUnit;

import javafx.scene.Scene;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import kstep.app.Fx;
import kstep.mm.AddressSpace;
import kstep.mm.MapLayout;
import kstep.views.AddressSpaceView;

/**
 * Drawing the address-space map of 65,530 VMAs (headless, software rendering): the layout alone, a redraw of
 * the whole map fitted into 1280 pixels, the same rasterised (a frame), a redraw zoomed in (what a wheel or
 * drag event costs), and showing a new address space in the view (layout, maps table, draw). Smooth means a
 * redraw well under a 16 ms frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class AddressSpaceViewBench {
    AddressSpace mm;
    AddressSpaceView view;
    javafx.scene.image.WritableImage image;

    @Setup
    public void setUp() {
        mm = BigAddressSpace.build();
        Fx.startHeadless();
        view = Fx.call(() -> {
            AddressSpaceView v = new AddressSpaceView();
            new Scene(v, 1280, 720);
            v.applyCss();
            v.layout();
            v.show(mm, "bench");
            return v;
        });
        image = Fx.call(() -> new javafx.scene.image.WritableImage((int) view.canvas().getWidth(), (int) view.canvas().getHeight()));
    }

    @Benchmark
    public MapLayout layout() {
        return MapLayout.of(mm.vmas(), MapLayout.Mode.LINEAR);
    }

    @Benchmark
    public Object drawFitted() {
        return Fx.call(() -> {
            view.fit();
            return view;
        });
    }

    /** A wheel step near the middle: 1/2000 of the map, about 33 VMAs, drawn with their labels. */
    @Benchmark
    public Object drawZoomedIn() {
        return Fx.call(() -> {
            view.zoomTo(0.5, 1.0 / 2000);
            return view;
        });
    }

    /** The fitted map drawn and rasterised: what a frame costs on screen (software rendering). */
    @Benchmark
    public Object frameFitted() {
        return Fx.call(() -> {
            view.fit();
            return view.canvas().snapshot(null, image);
        });
    }

    @Benchmark
    public Object showNewAddressSpace() {
        return Fx.call(() -> {
            view.show(mm, "bench");
            return view;
        });
    }
}

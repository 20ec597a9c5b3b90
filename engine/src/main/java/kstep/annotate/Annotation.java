package kstep.annotate;

import java.util.List;

/**
 * One mark a teacher drew over a view: an arrow, a box, a highlighted region, a numbered marker or a text
 * callout, for one variant of the scenario and a range of its steps. Values: editing makes a new one.
 */
public sealed interface Annotation {
    String id();

    /** The variant it was drawn on: the steps of the buggy and the fixed kernel are different traces. */
    String variant();

    StepRange steps();

    /** A CSS colour, #rrggbb. */
    String colour();

    /** Its points, in the order {@link #withAnchors} takes them. */
    List<Anchor> anchors();

    Annotation withAnchors(List<Anchor> anchors);

    Annotation withColour(String colour);

    Annotation withSteps(StepRange steps);

    /** The name the sidecar file and the palette use: arrow, box, highlight, marker or callout. */
    String kind();

    default boolean shownAt(String variant, int step) {
        return variant().equals(variant) && steps().contains(step);
    }

    /** An arrow from {@code from} to the head at {@code to}. */
    record Arrow(String id, String variant, StepRange steps, String colour, Anchor from, Anchor to) implements Annotation {
        public String kind() {
            return "arrow";
        }

        public List<Anchor> anchors() {
            return List.of(from, to);
        }

        public Arrow withAnchors(List<Anchor> a) {
            return new Arrow(id, variant, steps, colour, a.get(0), a.get(1));
        }

        public Arrow withColour(String c) {
            return new Arrow(id, variant, steps, c, from, to);
        }

        public Arrow withSteps(StepRange s) {
            return new Arrow(id, variant, s, colour, from, to);
        }
    }

    /** A rectangle outline between two corners. */
    record Box(String id, String variant, StepRange steps, String colour, Anchor topLeft, Anchor bottomRight) implements Annotation {
        public String kind() {
            return "box";
        }

        public List<Anchor> anchors() {
            return List.of(topLeft, bottomRight);
        }

        public Box withAnchors(List<Anchor> a) {
            return new Box(id, variant, steps, colour, a.get(0), a.get(1));
        }

        public Box withColour(String c) {
            return new Box(id, variant, steps, c, topLeft, bottomRight);
        }

        public Box withSteps(StepRange s) {
            return new Box(id, variant, s, colour, topLeft, bottomRight);
        }
    }

    /** A translucent filled region between two corners, like a highlighter pen. */
    record Highlight(String id, String variant, StepRange steps, String colour, Anchor topLeft, Anchor bottomRight) implements Annotation {
        public String kind() {
            return "highlight";
        }

        public List<Anchor> anchors() {
            return List.of(topLeft, bottomRight);
        }

        public Highlight withAnchors(List<Anchor> a) {
            return new Highlight(id, variant, steps, colour, a.get(0), a.get(1));
        }

        public Highlight withColour(String c) {
            return new Highlight(id, variant, steps, c, topLeft, bottomRight);
        }

        public Highlight withSteps(StepRange s) {
            return new Highlight(id, variant, s, colour, topLeft, bottomRight);
        }
    }

    /** A numbered disc, for "first this (1), then that (2)". */
    record Marker(String id, String variant, StepRange steps, String colour, Anchor at, int number) implements Annotation {
        public String kind() {
            return "marker";
        }

        public List<Anchor> anchors() {
            return List.of(at);
        }

        public Marker withAnchors(List<Anchor> a) {
            return new Marker(id, variant, steps, colour, a.get(0), number);
        }

        public Marker withColour(String c) {
            return new Marker(id, variant, steps, c, at, number);
        }

        public Marker withSteps(StepRange s) {
            return new Marker(id, variant, s, colour, at, number);
        }
    }

    /** A text label whose top left corner is at {@code at}. */
    record Callout(String id, String variant, StepRange steps, String colour, Anchor at, String text) implements Annotation {
        public String kind() {
            return "callout";
        }

        public List<Anchor> anchors() {
            return List.of(at);
        }

        public Callout withAnchors(List<Anchor> a) {
            return new Callout(id, variant, steps, colour, a.get(0), text);
        }

        public Callout withColour(String c) {
            return new Callout(id, variant, steps, c, at, text);
        }

        public Callout withSteps(StepRange s) {
            return new Callout(id, variant, s, colour, at, text);
        }

        public Callout withText(String t) {
            return new Callout(id, variant, steps, colour, at, t);
        }
    }
}

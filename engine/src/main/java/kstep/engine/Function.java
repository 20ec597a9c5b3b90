package kstep.engine;

import java.util.List;
import java.util.Map;

import kstep.lang.Ast;
import kstep.lang.ModelSource;
import kstep.lang.SourcePos;

/**
 * A compiled model function: its ops, its local slots (parameters first) and labels. {@code doc} is the
 * comment above it, which names the kernel function it follows.
 */
public final class Function {
    private final String name;
    private final ModelSource file;
    private final SourcePos pos;
    private final String doc;
    private final int params;
    private final List<String> localNames;
    private final List<Ast.TypeRef> localTypes;
    private Op[] ops;
    private Map<String, Integer> labels;
    private long address;

    Function(String name, ModelSource file, SourcePos pos, String doc, int params, List<String> localNames,
             List<Ast.TypeRef> localTypes) {
        this.name = name;
        this.file = file;
        this.pos = pos;
        this.doc = doc;
        this.params = params;
        this.localNames = new java.util.ArrayList<>(localNames);
        this.localTypes = new java.util.ArrayList<>(localTypes);
    }

    private int[] stackSlots = new int[0];
    private StructType.Shape returnShape = StructType.Shape.INT;

    /** How the declared return type prints (a pointer or an unsigned long in hex). */
    StructType.Shape returnShape() {
        return returnShape;
    }

    void setReturnShape(StructType.Shape s) {
        returnShape = s;
    }
    private StructType[] paramBoxes = new StructType[0];

    /** For each parameter whose address is taken, the cell type it lives in; null for the others. */
    StructType[] paramBoxes() {
        return paramBoxes;
    }

    void setParamBoxes(StructType[] b) {
        paramBoxes = b;
    }

    /** The locals that hold a stack object (an array, or a local whose address is taken), freed at return. */
    int[] stackSlots() {
        return stackSlots;
    }

    private java.util.Set<Integer> cellSlots = java.util.Set.of();

    void setStackSlots(int[] s, java.util.Set<Integer> cells) {
        stackSlots = s;
        cellSlots = java.util.Set.copyOf(cells);
    }

    /** Whether local {@code slot} is a scalar whose address is taken: the slot points at its one-element cell. */
    boolean isCell(int slot) {
        return cellSlots.contains(slot);
    }

    void addLocal(String n, Ast.TypeRef t) {
        localNames.add(n);
        localTypes.add(t);
    }

    void setBody(Op[] ops, Map<String, Integer> labels) {
        this.ops = ops;
        this.labels = Map.copyOf(labels);
    }

    public String name() {
        return name;
    }

    public ModelSource file() {
        return file;
    }

    public SourcePos pos() {
        return pos;
    }

    public String doc() {
        return doc;
    }

    /** Where the linker put the function in kstep's kernel text (for "[<%px>] %pS" lines). */
    public long address() {
        return address;
    }

    void place(long at) {
        address = at;
    }

    public int params() {
        return params;
    }

    public int locals() {
        return localNames.size();
    }

    public String localName(int slot) {
        return localNames.get(slot);
    }

    public Ast.TypeRef localType(int slot) {
        return localTypes.get(slot);
    }

    public Op op(int pc) {
        return ops[pc];
    }

    public int size() {
        return ops.length;
    }

    /** The op index a label stands before, or -1. */
    public int label(String l) {
        Integer i = labels.get(l);
        return i == null ? -1 : i;
    }

    public Map<String, Integer> labels() {
        return labels;
    }

    /** The pc of the next op that is a step, following bookkeeping jumps from {@code pc}. */
    public int nextStepPc(int pc) {
        int guard = 0;
        while (pc < ops.length && !ops[pc].isStep() && guard++ < ops.length + 1) {
            pc = ops[pc] instanceof Op.Jump j ? j.target() : pc + 1;
        }
        return pc;
    }

    @Override
    public String toString() {
        return name;
    }
}

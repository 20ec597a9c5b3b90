package kstep.vgic;

/** The four residency states of a vPE (reference: concurrency.md part A). */
public enum VpeState {
    /** non-resident, no doorbell: a vLPI only lands in the VPT */
    NR_NODB("non-resident, no doorbell"),
    /** non-resident, doorbell armed: a vLPI fires the doorbell interrupt */
    NR_DB("non-resident, doorbell armed"),
    /** resident, the redistributor is still parsing the VPT */
    RES_DIRTY("resident, VPT being parsed"),
    /** resident and ready: vLPIs go straight to the guest */
    RES_READY("resident and ready");

    private final String meaning;

    VpeState(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }
}

package kstep.mm;

import java.util.ArrayList;
import java.util.List;

import kstep.engine.Builtins;
import kstep.engine.Event;
import kstep.engine.Exec;
import kstep.engine.Value;

/**
 * The reclaim decisions as builtins for kswapd's model (mm/vmscan.kc): what the node looks like (balanced,
 * list sizes, scan counts) and what reclaim does to one folio at a time. Each call is one step of kswapd
 * and says in its events what it saw and did.
 */
public final class ReclaimBuiltins {
    private ReclaimBuiltins() { }

    private interface Body {
        long run(Pgdat node);
    }

    public static void register(Builtins b) {
        b.add("pgdat_balanced", 0, "free memory is at or above the high watermark", (x, a) -> Value.bool(Reclaim.balanced(node(x))));
        b.add("high_wmark_pages", 0, "the zone's high watermark, in pages", (x, a) -> Value.of(node(x).high));
        b.add("nr_free_pages", 0, "free frames in the node", (x, a) -> {
            kstep.mm.linux23.OldMemory old = x.ext(kstep.mm.linux23.OldMemory.KEY, kstep.mm.linux23.OldMemory.class);
            return Value.of(old != null ? old.nrFree() : node(x).nrFree);
        });
        b.add("lru_size", 1, "folios on LRU list lru", (x, a) -> Value.of(node(x).lru.size[lru(x, a.l(0))]));
        b.add("inactive_is_low", 1, "inactive_is_low(lruvec, inactive_lru): the inactive list is short of its active list",
            (x, a) -> Value.bool(Reclaim.inactiveIsLow(node(x), inactiveLru(x, a.l(0)))));
        b.add("get_scan_count", 2, "get_scan_count(lru, priority): how many folios of the list to scan at this priority",
            (x, a) -> Value.of(Reclaim.scanCount(node(x), lru(x, a.l(0)), (int) a.l(1))));
        b.add("shrink_active_list", 2, "shrink_active_list(nr_to_scan, lru): age folios from the active list's tail to the inactive list",
            (x, a) -> kernel(x, n -> {
                int lru = lru(x, a.l(1));
                int moved = Reclaim.shrinkActive(n, lru, a.l(0));
                n.log("shrink_active_list: " + moved + " folios from " + Lruvec.NAMES[lru] + " deactivated");
                return moved;
            }));
        b.add("isolate_lru_folios", 2, "isolate_lru_folios(nr_to_scan, lru): take folios off the list's tail for reclaim; how many",
            (x, a) -> kernel(x, n -> {
                int lru = lru(x, a.l(1));
                int taken = Reclaim.isolate(n, lru, a.l(0));
                n.log("isolate_lru_folios: " + taken + " folios from the tail of " + Lruvec.NAMES[lru] + ": frames " + n.isolated);
                return taken;
            }));
        b.add("next_isolated", 0, "the next isolated folio to look at (its frame), or -1", (x, a) -> kernel(x, Reclaim::nextIsolated));
        b.add("folio_check_references", 1, "folio_check_references(folio): FOLIOREF_RECLAIM, _RECLAIM_CLEAN, _KEEP or _ACTIVATE",
            (x, a) -> kernel(x, n -> {
                int pfn = frame(x, n, a.l(0));
                boolean wasReferenced = n.map.test(pfn, MemMap.PG_REFERENCED);
                int ref = Reclaim.checkReferences(n, pfn);
                n.log("folio_check_references: frame " + pfn + (wasReferenced ? " (PG_referenced)" : "") + ": " + Reclaim.REF_NAMES[ref]);
                return ref;
            }));
        b.add("shrink_folio", 2, "shrink_folio_list() for one folio after its references were checked: 1 if it was freed",
            (x, a) -> kernel(x, n -> {
                int pfn = frame(x, n, a.l(0));
                int ref = (int) a.l(1);
                if (ref < 0 || ref > 3) throw x.error("not a folio_references value: " + ref);
                String what = describe(n, pfn);
                Reclaim.Outcome o = Reclaim.shrinkFolio(n, pfn, ref);
                n.log("shrink_folio: frame " + pfn + " (" + what + ") " + switch (o) {
                    case RECLAIMED -> "reclaimed";
                    case ACTIVATED -> "activated";
                    case KEPT -> "kept on the inactive list";
                });
                return o == Reclaim.Outcome.RECLAIMED ? 1 : 0;
            }));
    }

    private static Pgdat node(Exec x) {
        MmState st = x.ext(MmState.KEY, MmState.class);
        if (st == null) throw x.error("reclaim needs the mm section in the scenario");
        return st.node;
    }

    private static int lru(Exec x, long l) {
        if (l < 0 || l > 3) throw x.error("LRU list " + l + " is not LRU_INACTIVE_ANON..LRU_ACTIVE_FILE (0..3)");
        return (int) l;
    }

    private static int inactiveLru(Exec x, long l) {
        int lru = lru(x, l);
        if (lru != Lruvec.INACTIVE_ANON && lru != Lruvec.INACTIVE_FILE) throw x.error("inactive_is_low() takes an inactive list, not " + Lruvec.NAMES[lru]);
        return lru;
    }

    private static int frame(Exec x, Pgdat n, long pfn) {
        if (pfn < 1 || pfn >= n.map.frames || n.map.kind[(int) pfn] == MemMap.Kind.FREE) throw x.error("frame " + pfn + " holds no folio");
        return (int) pfn;
    }

    /** "anon, dirty, 1 mapping" */
    static String describe(Pgdat n, int pfn) {
        MemMap m = n.map;
        return (m.kind[pfn] == MemMap.Kind.ANON ? "anon" : "file") + ", " + MemMap.flagNames(m.flags[pfn]) + ", " + m.mapcount[pfn] + " mapping"
            + (m.mapcount[pfn] == 1 ? "" : "s");
    }

    /** Runs a reclaim step with its log turned into events. */
    private static Value kernel(Exec x, Body body) {
        Pgdat n = node(x);
        List<String> log = new ArrayList<>();
        n.log = log;
        long r;
        try {
            r = body.run(n);
        } finally {
            n.log = null;
        }
        for (String l : log) x.emit(Event.say(Event.Kind.SET, "reclaim", l));
        return Value.of(r);
    }
}

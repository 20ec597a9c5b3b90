package kstep.engine;

import java.util.List;

import kstep.lang.SourcePos;

/**
 * What one step did: the choice, the CPU and task (-1 for hardware), the model position executed, the events
 * and findings, and the calls it entered or returned from (schedules stop on those).
 */
public record StepResult(Choice choice, int cpu, int task, SourcePos where, List<Event> events,
                         List<Finding> findings, String entered, String returned, boolean switched) { }

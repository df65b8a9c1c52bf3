package dev.eventbus.examples.spring;

import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How this processor instance behaves, {@code processor.*} (the plain example's {@code PROCESSOR_*} variables).
 *
 * @param instance         this instance's name, reported in the events
 * @param finishedVersion  1 (legacy: {@link TaskFinished}) or 2 ({@link TaskFinishedV2})
 * @param unsupportedKinds object kinds it cannot process: every attempt fails, then the task is dead-lettered
 * @param flakyKinds       object kinds whose first attempt on this instance fails (retried)
 * @param work             how long one task takes
 */
@ConfigurationProperties("processor")
public record ProcessorSettings(@DefaultValue("spring-processor") String instance, @DefaultValue("2") int finishedVersion,
                                @DefaultValue Set<String> unsupportedKinds, @DefaultValue Set<String> flakyKinds,
                                @DefaultValue("20ms") Duration work) {
    public ProcessorSettings {
        if (finishedVersion != 1 && finishedVersion != 2) {
            throw new IllegalArgumentException("processor.finished-version " + finishedVersion
                    + " is not a version of task.finished: use 1 or 2");
        }
        unsupportedKinds = Set.copyOf(unsupportedKinds);
        flakyKinds = Set.copyOf(flakyKinds);
    }
}

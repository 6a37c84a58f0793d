/** The keyed micro-batching GRU operator: records, options, and the builder to apply it. */
package dev.flinkgru.operator;
